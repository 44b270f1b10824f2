"""The Kaspi client against the embedded sandbox over real HTTPS / mutual TLS on loopback."""

from __future__ import annotations

import logging
import shutil
import socket
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.proxy import connect_proxy

from kiosk import config as cfg
from kiosk.config import Config, ConfigError, kaspi_settings
from kiosk.kaspi import errors
from kiosk.kaspi.client import KaspiClient, UnsupportedOperation
from kiosk.kaspi.settings import SCHEMES
from kiosk.sandbox import Sandbox
from kiosk.sandbox.pki import issue_client_certificate


def registered(sandbox: Sandbox, scheme: str, **edits: object) -> Config:
    """The sandbox's config for `scheme`, registered, with `section__key=value` edits applied."""
    path = sandbox.config_path(scheme)
    for name, value in edits.items():
        section, key = name.split("__")
        cfg.write_value(path, section, key, value)  # type: ignore[arg-type]
    config = cfg.load(path)
    if not config.kaspi.device_token:
        with KaspiClient(kaspi_settings(config)) as client:
            token = client.register_device("KIOSK-001", 1)
        cfg.write_value(path, "kaspi", "device_token", token)
        config = cfg.load(path)
    return config


def status_requests(sandbox: Sandbox) -> list:
    return [r for r in sandbox.requests if "/payment/status/" in r.path]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_payment_life_cycle_in_every_scheme(sandbox: Sandbox, scheme: str) -> None:
    config = registered(sandbox, scheme)
    with KaspiClient(kaspi_settings(config)) as client:
        client.ping()
        points = client.trade_points()
        assert {p.id for p in points} >= {1, 2}
        assert client.register_device("KIOSK-001", 1) == config.kaspi.device_token  # same token
        payment = client.create_qr(Decimal("350.50"), "order-17")
        assert payment.payment_methods and payment.behavior.poll_interval > 0
        assert client.payment_status(payment.payment_id).status == "QrTokenCreated"
        client.test_action("scan", payment.payment_id)
        assert client.payment_status(payment.payment_id).status == "Wait"
        client.test_action("confirm", payment.payment_id)
        assert client.payment_status(payment.payment_id).status == "Processed"
        if scheme != "basic":
            details = client.payment_details(payment.payment_id)
            assert details.total_amount == Decimal("350.50")
        link = client.create_link(Decimal("10"), None)
        assert link.is_link and link.qr_token.startswith("http")
        client.test_action("scanerror", link.payment_id)
        assert client.payment_status(link.payment_id).status == "Error"
    snapshot = sandbox.payment(payment.payment_id)
    assert snapshot["external_id"] == "order-17"
    if scheme == "enhanced":  # every body carried the BIN
        bodies = [r.body for r in sandbox.requests if r.method == "POST" and "/test/" not in r.path]
        assert bodies and all(b.get("OrganizationBin") == "180340021791" for b in bodies)


def test_link_timeout_under_the_guides_text_name(sandbox: Sandbox) -> None:
    """A bank that names the link's first stage QrCodeScanWaitTimeout (docs/kaspi/api.md §10.6)."""
    sandbox.set_behaviour(link_activation_timeout=30, link_timeout_name="QrCodeScanWaitTimeout")
    with KaspiClient(kaspi_settings(registered(sandbox, "standard"))) as client:
        assert client.create_link(Decimal("10"), None).behavior.scan_timeout == 30


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_request_has_a_fresh_request_id_and_accepts_json(
    sandbox: Sandbox, scheme: str
) -> None:
    config = registered(sandbox, scheme)
    before = len(sandbox.requests)
    with KaspiClient(kaspi_settings(config)) as client:
        for _ in range(3):
            client.ping()
        assert client.last_request_id == sandbox.requests[-1].request_id
    ids = [r.request_id for r in sandbox.requests[before:]]
    assert len(ids) == 3 and len(set(ids)) == 3 and all(ids)


def test_status_reads_reuse_one_connection(sandbox: Sandbox) -> None:
    config = registered(sandbox, "standard")
    with KaspiClient(kaspi_settings(config)) as client:
        payment = client.create_qr(Decimal("100"))
        before = sandbox.connection_count("standard")
        for _ in range(5):
            client.payment_status(payment.payment_id)
    assert sandbox.connection_count("standard") == before  # no new TLS handshake per poll


def test_status_version_is_configurable_and_extra_fields_are_kept(sandbox: Sandbox) -> None:
    config = registered(sandbox, "enhanced", kaspi__status_api_version="v02")
    with KaspiClient(kaspi_settings(config)) as client:
        payment = client.create_qr(Decimal("100"))
        report = client.payment_status(payment.payment_id)
    assert "/v02/payment/status/" in status_requests(sandbox)[-1].path
    assert {"TransactionId", "LoanTerm", "ProductType"} <= set(report.extra)


@pytest.mark.parametrize(
    "style", ["production", "guide-short-offset", "guide-one-digit-day", "seven-digit-no-offset"]
)
def test_every_date_shape_parses(sandbox: Sandbox, style: str) -> None:
    sandbox.set_behaviour(date_style=style)
    config = registered(sandbox, "standard")
    with KaspiClient(kaspi_settings(config)) as client:
        payment = client.create_qr(Decimal("1"))
        client.test_action("scan", payment.payment_id)
        client.test_action("confirm", payment.payment_id)
        details = client.payment_details(payment.payment_id)
    assert payment.expire_date.year >= 2025
    assert details.transaction_date is not None


# --- faults ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "error", "transient"),
    [
        ("http500", errors.HttpError, True),
        ("code999", errors.ApiError, True),
        ("drop", errors.ConnectError, True),
        ("nonjson", errors.HttpError, True),
        ("http404", errors.HttpError, False),
    ],
)
def test_faults_become_typed_errors_with_the_request_id(
    sandbox: Sandbox, mode: str, error: type, transient: bool
) -> None:
    config = registered(sandbox, "standard", kaspi__retries=0)
    with KaspiClient(kaspi_settings(config)) as client:
        payment = client.create_qr(Decimal("5"))
        sandbox.inject_fault(mode, count=1, path_contains="/payment/status")
        with pytest.raises(error) as info:
            client.payment_status(payment.payment_id)
        assert info.value.transient is transient
        assert info.value.request_id == client.last_request_id
        assert f"X-Request-ID {client.last_request_id}" in str(info.value)
        # The fault is gone: the same client goes on working.
        assert client.payment_status(payment.payment_id).status == "QrTokenCreated"


def test_slow_answer_times_out(sandbox: Sandbox) -> None:
    config = registered(sandbox, "standard", kaspi__read_timeout=0.5, kaspi__retries=0)
    sandbox.inject_fault("slow", count=1, path_contains="/health/ping", delay=2.0)
    with KaspiClient(kaspi_settings(config)) as client, pytest.raises(errors.RequestTimeout):
        client.ping()


def test_status_reads_are_retried_but_creation_never(sandbox: Sandbox) -> None:
    config = registered(sandbox, "standard", kaspi__retries=2)
    with KaspiClient(kaspi_settings(config)) as client:
        payment = client.create_qr(Decimal("5"))
        sandbox.inject_fault("http500", count=2, path_contains="/payment/status")
        assert client.payment_status(payment.payment_id).status == "QrTokenCreated"
        reads = status_requests(sandbox)
        assert len(reads) == 3 and len({r.request_id for r in reads}) == 3
        creates_before = sum(r.path.endswith("/qr/create") for r in sandbox.requests)
        sandbox.inject_fault("http500", count=1, path_contains="/qr/create")
        with pytest.raises(errors.HttpError):
            client.create_qr(Decimal("5"))
    creates = sum(r.path.endswith("/qr/create") for r in sandbox.requests)
    assert creates == creates_before + 1  # sent once, failure reported, not repeated


def test_api_errors_carry_code_and_operator_text(sandbox: Sandbox) -> None:
    config = registered(sandbox, "standard")
    with KaspiClient(kaspi_settings(config)) as client:
        with pytest.raises(errors.ApiError) as info:
            client.payment_status(999999)
        assert info.value.code == -1601 and "does not know this purchase" in str(info.value)
        with pytest.raises(errors.ApiError) as info:
            client.register_device("KIOSK-001", 2)  # already at trade point 1
        assert info.value.code == -1503
        with pytest.raises(errors.ApiError) as info:
            client.register_device("KIOSK-002", 4)  # does not accept QR
        assert info.value.code == 990000026


def test_bad_device_id_is_refused_before_any_request(sandbox: Sandbox) -> None:
    config = registered(sandbox, "standard")
    with KaspiClient(kaspi_settings(config)) as client:
        before = len(sandbox.requests)
        with pytest.raises(ValueError, match="Latin letters"):
            client.register_device("КИОСК 1", 1)
    assert len(sandbox.requests) == before


def test_deleted_device_cannot_take_payments(sandbox: Sandbox) -> None:
    config = registered(sandbox, "standard")
    with KaspiClient(kaspi_settings(config)) as client:
        client.delete_device()
        with pytest.raises(errors.ApiError) as info:
            client.create_qr(Decimal("5"))
    assert info.value.code in (-1501, -1502)


# --- refunds and remote invoices ------------------------------------------------------------


def test_standard_refund_needs_the_customers_return_qr(sandbox: Sandbox) -> None:
    config = registered(sandbox, "standard")
    with KaspiClient(kaspi_settings(config)) as client:
        payment = client.create_qr(Decimal("200"))
        client.test_action("scan", payment.payment_id)
        client.test_action("confirm", payment.payment_id)
        ret = client.create_return()
        assert client.return_status(ret.return_id) == "QrTokenCreated"
        sandbox.scan_return(ret.return_id)
        assert client.return_status(ret.return_id) == "CustomerIdentityObtained"
        ops = client.return_operations(ret.return_id)
        assert payment.payment_id in {op.payment_id for op in ops}
        operation = client.refund(payment.payment_id, Decimal("50"), ret.return_id)
        assert operation > 0
        assert client.payment_details(payment.payment_id).available_return_amount == Decimal("150")
        with pytest.raises(errors.ApiError) as info:  # a QrReturnId serves one refund
            client.refund(payment.payment_id, Decimal("1"), ret.return_id)
        assert info.value.code == -990000011
        again = client.create_return()
        sandbox.scan_return(again.return_id)
        with pytest.raises(errors.ApiError) as info:
            client.refund(payment.payment_id, Decimal("151"), again.return_id)
        assert info.value.code == -99000005
        with pytest.raises(ValueError, match="QrReturnId"):
            client.refund(payment.payment_id, Decimal("1"))


def test_enhanced_refund_and_remote_invoice(sandbox: Sandbox) -> None:
    config = registered(sandbox, "enhanced")
    with KaspiClient(kaspi_settings(config)) as client:
        payment = client.create_qr(Decimal("300"))
        client.test_action("scan", payment.payment_id)
        client.test_action("confirm", payment.payment_id)
        assert client.refund(payment.payment_id, Decimal("300")) > 0
        name = client.remote_client_info("+7 707 123 45 67")
        assert name
        invoice = client.remote_create("87071234567", Decimal("1000"), "Test")
        assert client.payment_status(invoice).status == "RemotePaymentCreated"
        assert client.remote_cancel(invoice) == "RemotePaymentCanceled"
        with pytest.raises(ValueError, match="mobile number"):
            client.remote_client_info("12345")


@pytest.mark.parametrize(
    ("scheme", "call"),
    [
        ("basic", lambda c: c.payment_details(1)),
        ("basic", lambda c: c.refund(1, Decimal(1), 1)),
        ("standard", lambda c: c.remote_create("87071234567", Decimal(1))),
        ("enhanced", lambda c: c.create_return()),
    ],
)
def test_calls_outside_the_scheme_are_refused_locally(
    sandbox: Sandbox, scheme: str, call: Callable[[KaspiClient], object]
) -> None:
    config = registered(sandbox, scheme)
    with KaspiClient(kaspi_settings(config)) as client:
        before = len(sandbox.requests)
        with pytest.raises(UnsupportedOperation):
            call(client)
    assert len(sandbox.requests) == before


# --- authentication and certificates --------------------------------------------------------


def test_wrong_api_key_is_an_api_or_http_error(sandbox: Sandbox) -> None:
    config = registered(sandbox, "basic").replace("kaspi", api_key="test_wrong_key_123")
    with (
        KaspiClient(kaspi_settings(config)) as client,
        pytest.raises((errors.ApiError, errors.HttpError)),
    ):
        client.trade_points()


def test_no_client_certificate_gets_code_10000(sandbox: Sandbox) -> None:
    # A scheme-basic client (no certificate) pointed at the standard port (its own /r1 path:
    # a base_url of another scheme's path is refused before any call).
    url = sandbox.base_url("standard").replace("/r2/", "/r1/")
    config = registered(sandbox, "basic").replace("kaspi", base_url=url)
    with KaspiClient(kaspi_settings(config)) as client, pytest.raises(errors.ApiError) as info:
        client.ping()
    assert info.value.code == -10000


def test_untrusted_certificate_fails_the_handshake(sandbox: Sandbox, tmp_path: Path) -> None:
    pfx = issue_client_certificate(sandbox.pki.dir, "stranger", "pw-stranger", untrusted=True)
    config = registered(sandbox, "standard").replace(
        "kaspi", cert_file=str(pfx), key_password="pw-stranger"
    )
    with KaspiClient(kaspi_settings(config)) as client, pytest.raises(errors.TlsError) as info:
        client.ping()
    assert not info.value.transient


def test_server_not_trusted_without_the_bank_ca(sandbox: Sandbox, tmp_path: Path) -> None:
    other_ca = tmp_path / "other-ca.pem"
    issue_client_certificate(tmp_path, "x", "pw", untrusted=True, pem=True)
    other_ca.write_bytes((tmp_path / "x.crt").read_bytes())
    config = registered(sandbox, "standard").replace("kaspi", ca_file=str(other_ca))
    with (
        KaspiClient(kaspi_settings(config)) as client,
        pytest.raises(errors.TlsError, match=r"(?i)verify"),
    ):
        client.ping()


def test_certificate_swap_is_a_config_edit(sandbox: Sandbox) -> None:
    config = registered(sandbox, "standard")
    path = config.path
    assert path is not None
    certs = path.parent / "certs"
    certs.mkdir()
    # The bank's new certificate arrives as a file; the operator drops it in certs/.
    issued = issue_client_certificate(sandbox.pki.dir, "renewed", "n3w-passw0rd")
    new = Path(shutil.copy(issued, certs / "renewed.pfx"))
    cfg.write_value(path, "kaspi", "cert_file", "certs/renewed.pfx")
    cfg.write_value(path, "kaspi", "key_password", "n3w-passw0rd")
    swapped = cfg.load(path)
    with KaspiClient(kaspi_settings(swapped)) as client:
        client.ping()
    assert "renewed" in (sandbox.requests[-1].client_subject or "")
    assert new.exists()


def test_pem_certificate_and_key_work_too(sandbox: Sandbox) -> None:
    config = registered(sandbox, "standard").replace(
        "kaspi", cert_file=str(sandbox.pki.client_cert), key_file=str(sandbox.pki.client_key)
    )
    with KaspiClient(kaspi_settings(config)) as client:
        client.ping()


@pytest.mark.parametrize("pem", [False, True])
def test_wrong_password_names_the_key_and_hides_the_password(sandbox: Sandbox, pem: bool) -> None:
    config = registered(sandbox, "standard").replace("kaspi", key_password="Wr0ng-Secret-Pass")
    if pem:
        config = config.replace(
            "kaspi", cert_file=str(sandbox.pki.client_cert), key_file=str(sandbox.pki.client_key)
        )
    with pytest.raises(ConfigError) as info:
        KaspiClient(kaspi_settings(config))
    assert info.value.key == "kaspi.key_password"
    assert "Wr0ng-Secret-Pass" not in str(info.value)


def test_expired_and_missing_certificates_are_clear_config_errors(sandbox: Sandbox) -> None:
    expired = issue_client_certificate(sandbox.pki.dir, "old", "pw-old", expired=True)
    config = registered(sandbox, "standard").replace(
        "kaspi", cert_file=str(expired), key_password="pw-old"
    )
    with pytest.raises(ConfigError, match="expired on") as info:
        KaspiClient(kaspi_settings(config))
    assert info.value.key == "kaspi.cert_file"
    with pytest.raises(ConfigError, match="not found") as info:
        KaspiClient(kaspi_settings(config.replace("kaspi", cert_file="nope.pfx")))
    assert info.value.key == "kaspi.cert_file"
    with pytest.raises(ConfigError, match="not found") as info:
        KaspiClient(kaspi_settings(config.replace("kaspi", ca_file="nope.pem")))
    assert info.value.key == "kaspi.ca_file"


def test_a_file_that_is_no_certificate_names_cert_file(sandbox: Sandbox, tmp_path: Path) -> None:
    junk = tmp_path / "junk.pfx"
    junk.write_bytes(b"this is not a certificate")
    config = registered(sandbox, "standard").replace("kaspi", cert_file=str(junk))
    with pytest.raises(ConfigError) as info:
        KaspiClient(kaspi_settings(config))
    assert info.value.key == "kaspi.cert_file"


def test_the_key_never_lands_on_disk_unencrypted(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    spill = tmp_path / "spill"
    spill.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spill))
    written: list[bytes] = []
    real_unlink = __import__("os").unlink

    def capture(path: str) -> None:
        written.append(Path(path).read_bytes())
        real_unlink(path)

    monkeypatch.setattr("kiosk.kaspi.tls.os.unlink", capture)
    config = registered(sandbox, "standard")
    KaspiClient(kaspi_settings(config)).close()
    assert written, "the PFX went through temporary PEM files"
    assert not list(spill.iterdir()), "no temporary file is left behind"
    keys = [w for w in written if b"PRIVATE KEY" in w]
    assert keys and all(b"ENCRYPTED PRIVATE KEY" in k for k in keys)


# --- proxy and key/host warnings ---------------------------------------------------------------


def test_calls_go_through_the_configured_proxy(sandbox: Sandbox) -> None:
    config = registered(sandbox, "enhanced")
    with connect_proxy() as proxy:
        config = config.replace("kaspi", proxy=f"http://127.0.0.1:{proxy.port}")
        with KaspiClient(kaspi_settings(config)) as client:
            client.ping()
            client.trade_points()
    assert proxy.tunnels == [f"localhost:{sandbox.ports['enhanced']}"]  # one kept-alive tunnel


def test_the_test_proxy_stops_its_threads_and_frees_its_port(sandbox: Sandbox) -> None:
    # It closed its listening socket under the thread blocked in accept(): on Linux that
    # does not wake it, so stop() waited 5 s, the port still took connections, and the
    # thread's next accept() would have run on whatever file reused the number.
    config = registered(sandbox, "enhanced")
    with connect_proxy() as proxy:
        config = config.replace("kaspi", proxy=f"http://127.0.0.1:{proxy.port}")
        with KaspiClient(kaspi_settings(config)) as client:
            client.ping()
    assert [t.name for t in threading.enumerate() if t.name.startswith("test-proxy")] == []
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", proxy.port), timeout=5).close()


def test_production_key_on_a_test_host_is_warned_about(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    config = registered(sandbox, "basic").replace("kaspi", api_key="prod_abcdef123456")
    with caplog.at_level(logging.WARNING, logger="kiosk.kaspi"):
        KaspiClient(kaspi_settings(config)).close()
    assert "production key" in caplog.text
    assert "prod_abcdef123456" not in caplog.text


def test_scheme_2_refund_is_of_the_identified_customers_purchases_only(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """return/operations lists the customer who scanned the return QR (docs/kaspi/api.md §6.5)
    (at this device's trade point), and kiosk.refund.steps refuses any other payment before
    money moves."""
    from kiosk.journal import Journal
    from kiosk.refund import steps as refund

    config = registered(sandbox, "standard")
    with KaspiClient(kaspi_settings(config)) as client, Journal.open(tmp_path) as journal:
        mine, theirs = client.create_qr(Decimal("30")), client.create_qr(Decimal("40"))
        for payment, who in ((mine, "alice"), (theirs, "bob")):
            client.test_action("scan", payment.payment_id)
            sandbox.confirm(payment.payment_id, customer=who)
        ret = client.create_return()
        sandbox.scan_return(ret.return_id, customer="alice")
        assert [op.payment_id for op in client.return_operations(ret.return_id)] == [
            mine.payment_id
        ]
        with pytest.raises(refund.RefundRefused, match="not among the customer's"):
            refund.refund_with_customer(
                client, journal, theirs.payment_id, Decimal("5"), ret.return_id
            )
        assert sandbox.payment(theirs.payment_id)["refunds"] == []
        assert refund.refund_with_customer(
            client, journal, mine.payment_id, Decimal("5"), ret.return_id
        ).return_operation_id
    # Another trade point's device sees none of alice's purchases made here.
    other = sandbox.register_device("KIOSK-002", 2)
    settings = kaspi_settings(config)
    with KaspiClient(type(settings)(**{**settings.__dict__, "device_token": other})) as client:
        ret = client.create_return()
        sandbox.scan_return(ret.return_id, customer="alice")
        assert client.return_operations(ret.return_id) == []
