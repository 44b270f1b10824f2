"""The operator's modules against the sandbox over real HTTPS / mutual TLS, with a real journal."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk import config as cfg
from kiosk.config import kaspi_settings
from kiosk.i18n.refusal import OperatorError
from kiosk.journal import Journal, RefundState
from kiosk.kaspi import errors
from kiosk.kaspi.client import KaspiClient
from kiosk.operator import registration
from kiosk.operator.certificate import CertState, check_certificate
from kiosk.operator.errors import explain
from kiosk.operator.reload import reload_config
from kiosk.refund.steps import (
    ReturnVerdict,
    refund_with_customer,
    refund_without_customer,
    wait_for_customer,
)
from kiosk.sandbox import Sandbox
from kiosk.sandbox.pki import issue_client_certificate


def registered_config(sandbox: Sandbox, scheme: str) -> cfg.Config:
    """The sandbox's config for `scheme`, registered as KIOSK-001 at trade point 1."""
    path = sandbox.config_path(scheme)
    with KaspiClient(kaspi_settings(cfg.load(path))) as client:
        registration.register(client, path, "KIOSK-001", 1)
    return cfg.load(path)


def refund_calls(sandbox: Sandbox) -> list:
    return [r for r in sandbox.requests if r.path.endswith("/payment/return")]


def paid(client: KaspiClient, amount: str = "500") -> int:
    payment = client.create_qr(Decimal(amount))
    client.test_action("scan", payment.payment_id)
    client.test_action("confirm", payment.payment_id)
    return payment.payment_id


# --- registration ---------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["standard", "enhanced"])
def test_register_saves_the_token_keeping_comments_and_unregister_clears_it(
    sandbox: Sandbox, scheme: str
) -> None:
    path = sandbox.config_path(scheme)
    path.write_text("# the operator's note\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    config = cfg.load(path)
    with KaspiClient(kaspi_settings(config)) as client:
        points = registration.trade_points(client)
        assert [p.id for p in points][:2] == [1, 2]
        done = registration.register(client, path, "KIOSK-7", 2)
    assert done == registration.Registered("KIOSK-7", 2)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# the operator's note\n")
    config = cfg.load(path)
    assert config.kaspi.device_token and config.device.device_id == "KIOSK-7"
    assert config.device.trade_point_id == 2
    if scheme == "enhanced":  # the trade points of the configured organisation
        assert any(r.path.endswith("/partner/tradepoints/180340021791") for r in sandbox.requests)
    with KaspiClient(kaspi_settings(config)) as client:
        gone = registration.unregister(client, path, "KIOSK-7")
    assert gone == registration.Unregistered("KIOSK-7", already_gone=False)
    assert cfg.load(path).kaspi.device_token == ""
    # a second unregister with the old token: the bank knows it no more, the token is cleared
    cfg.write_value(path, "kaspi", "device_token", config.kaspi.device_token)
    with KaspiClient(kaspi_settings(cfg.load(path))) as client:
        again = registration.unregister(client, path, "KIOSK-7")
    assert again.already_gone and cfg.load(path).kaspi.device_token == ""


@pytest.mark.parametrize(
    ("trade_point", "code", "words"),
    [
        (99, -99000002, "Trade point not found"),
        (3, 990000018, "disabled"),
        (4, 990000026, "does not accept QR"),
    ],
)
def test_registration_errors_read_as_sentences_and_nothing_is_saved(
    sandbox: Sandbox, trade_point: int, code: int, words: str
) -> None:
    path = sandbox.config_path("standard")
    before = path.read_text(encoding="utf-8")
    with (
        KaspiClient(kaspi_settings(cfg.load(path))) as client,
        pytest.raises(errors.ApiError) as caught,
    ):
        registration.register(client, path, "KIOSK-9", trade_point)
    assert caught.value.code == code
    assert words in explain(caught.value, "en")
    assert path.read_text(encoding="utf-8") == before


def test_a_device_already_at_another_trade_point_is_refused(sandbox: Sandbox) -> None:
    path = sandbox.config_path("standard")
    with KaspiClient(kaspi_settings(cfg.load(path))) as client:
        registration.register(client, path, "KIOSK-5", 1)
        with pytest.raises(errors.ApiError) as caught:
            registration.register(client, path, "KIOSK-5", 2)
    assert caught.value.code == -1503
    assert "другой торговой точке" in explain(caught.value, "ru")
    assert cfg.load(path).device.trade_point_id == 1


def test_a_bad_device_id_never_reaches_the_bank(sandbox: Sandbox) -> None:
    path = sandbox.config_path("standard")
    before = len(sandbox.requests)
    with KaspiClient(kaspi_settings(cfg.load(path))) as client, pytest.raises(OperatorError):
        registration.register(client, path, "КИОСК 1", 1)
    assert len(sandbox.requests) == before


def test_no_trade_points_is_explained(sandbox: Sandbox) -> None:
    path = sandbox.config_path("enhanced")
    cfg.write_value(path, "kaspi", "organization_bin", "200540012345")
    with KaspiClient(kaspi_settings(cfg.load(path))) as client, pytest.raises(errors.ApiError) as e:
        registration.trade_points(client)
    assert "Kaspi Pay" in explain(e.value, "kk")


# --- refunds --------------------------------------------------------------------------------


def test_enhanced_refund_above_the_available_amount_never_reaches_the_bank(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = registered_config(sandbox, "enhanced")
    with KaspiClient(kaspi_settings(config)) as client, Journal.open(tmp_path) as journal:
        pid = paid(client, "500")
        first = refund_without_customer(client, journal, pid, Decimal("200"))
        assert first.amount == Decimal("200")
        with pytest.raises(OperatorError) as caught:
            refund_without_customer(client, journal, pid, Decimal("300.01"))
        assert caught.value.message_id == "op.refund.above_available"
        assert len(refund_calls(sandbox)) == 1  # only the first one was sent
        last = refund_without_customer(client, journal, pid, Decimal("300"))
        [done_last, done_first] = journal.refunds.recent()
        assert done_last.refund_id == last.refund_id and done_last.state is RefundState.DONE
        assert done_first.return_operation_id == first.return_operation_id
    assert sandbox.payment(pid)["available_return_amount"] == 0


def test_a_refund_with_no_answer_is_journalled_unknown_and_not_repeated(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = registered_config(sandbox, "enhanced")
    with KaspiClient(kaspi_settings(config)) as client, Journal.open(tmp_path) as journal:
        pid = paid(client, "100")
        sandbox.inject_fault("http500", path_contains="/payment/return", count=1)
        with pytest.raises(OperatorError) as caught:
            refund_without_customer(client, journal, pid, Decimal("10"))
        assert caught.value.message_id == "op.refund.unknown"
        assert len(refund_calls(sandbox)) == 1  # sent once, never retried
        [record] = journal.refunds.recent()
        assert record.state is RefundState.UNKNOWN
        # the operator tries again: refused before any refund call until checked
        with pytest.raises(Exception, match="check it before another"):
            refund_without_customer(client, journal, pid, Decimal("10"))
        assert len(refund_calls(sandbox)) == 1


def test_standard_refund_goes_through_the_return_qr_and_the_customers_list(
    sandbox_factory, tmp_path: Path
) -> None:
    sandbox = sandbox_factory(return_poll_interval=0.2, return_scan_timeout=10)
    config = registered_config(sandbox, "standard")
    with KaspiClient(kaspi_settings(config)) as client, Journal.open(tmp_path) as journal:
        pid = paid(client, "750")
        ret = client.create_return()
        reads: list[str | None] = []

        def on_read(status: str | None, _error: object) -> None:
            reads.append(status)
            if len(reads) == 2:
                sandbox.scan_return(ret.return_id)  # the customer scans between two reads

        verdict = wait_for_customer(
            client, ret, clock=time.monotonic, sleep=time.sleep, on_read=on_read
        )
        assert verdict is ReturnVerdict.IDENTIFIED and len(reads) == 3
        with pytest.raises(OperatorError):
            refund_with_customer(client, journal, pid, Decimal("750.01"), ret.return_id)
        with pytest.raises(OperatorError) as caught:
            refund_with_customer(client, journal, 123, Decimal("1"), ret.return_id)
        assert caught.value.message_id == "op.refund.not_in_list"
        assert refund_calls(sandbox) == []
        result = refund_with_customer(client, journal, pid, Decimal("750"), ret.return_id)
        assert result.return_operation_id > 0
    [call] = refund_calls(sandbox)
    assert call.body["QrReturnId"] == ret.return_id and call.body["QrPaymentId"] == pid


def test_the_return_qr_times_out_after_one_last_read(sandbox_factory) -> None:
    sandbox = sandbox_factory(return_poll_interval=0.5, return_scan_timeout=1.2)
    config = registered_config(sandbox, "standard")
    with KaspiClient(kaspi_settings(config)) as client:
        ret = client.create_return()
        verdict = wait_for_customer(client, ret, clock=time.monotonic, sleep=time.sleep)
    assert verdict is ReturnVerdict.EXPIRED
    reads = [r for r in sandbox.requests if "/return/status/" in r.path]
    # at 0, 0.5, 1.0 and the last one at 1.2 s (fewer if a read was slow), never later
    assert 2 <= len(reads) <= 4
    assert reads[-1].time - reads[0].time >= 1.2 - 0.05


# --- certificate and reload -----------------------------------------------------------------


def test_reload_picks_up_a_swapped_certificate_and_refuses_a_wrong_password(
    sandbox: Sandbox,
) -> None:
    config = registered_config(sandbox, "standard")
    assert config.path is not None
    first = reload_config(config.path, config)
    assert first.certificate.state is CertState.OK and first.changed == ()
    pfx = issue_client_certificate(sandbox.pki.dir, "renewed", "pw-renewed", days=30)
    cfg.write_value(config.path, "kaspi", "cert_file", str(pfx))
    with pytest.raises(cfg.ConfigError) as caught:
        reload_config(config.path, config)
    assert caught.value.key == "kaspi.key_password" and "pw-" not in str(caught.value)
    cfg.write_value(config.path, "kaspi", "key_password", "pw-renewed")
    swapped = reload_config(config.path, config)
    assert set(swapped.changed) == {"kaspi.cert_file", "kaspi.key_password"}
    assert swapped.certificate.state is CertState.WARNING  # 30 days left
    assert swapped.certificate.days_left in (29, 30)
    with KaspiClient(swapped.settings, identity=swapped.identity) as client:
        client.ping()
    assert sandbox.requests[-1].client_subject is not None
    assert "renewed" in (sandbox.requests[-1].client_subject or "")


def test_an_expired_certificate_is_out_of_service_with_that_reason(sandbox: Sandbox) -> None:
    config = registered_config(sandbox, "standard")
    assert config.path is not None
    pfx = issue_client_certificate(sandbox.pki.dir, "old", "pw-old", expired=True)
    cfg.write_value(config.path, "kaspi", "cert_file", str(pfx))
    cfg.write_value(config.path, "kaspi", "key_password", "pw-old")
    check = check_certificate(kaspi_settings(cfg.load(config.path)))
    assert check.state is CertState.EXPIRED and check.out_of_service
    assert "expired" in (check.sentence("en") or "")
    with pytest.raises(cfg.ConfigError, match="expired"):
        reload_config(config.path, config)
    cfg.write_value(config.path, "kaspi", "cert_file", "missing.pfx")
    check = check_certificate(kaspi_settings(cfg.load(config.path)))
    assert check.state is CertState.UNREADABLE and "missing.pfx" in (check.sentence("ru") or "")
