"""The sandbox over real TLS with raw `requests`: every endpoint, auth, faults, life cycle."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.serialization import pkcs12
from helpers.sandbox import (
    BIN,
    Bank,
    ManualClock,
    basic_session,
    mtls_session,
    pfx_to_pem,
    session_for,
)

from kiosk.config import load
from kiosk.kaspi.dates import parse_datetime
from kiosk.sandbox import Sandbox, codes, state
from kiosk.sandbox.pki import issue_client_certificate

Factory = Callable[..., Sandbox]


# --- configs, auth, TLS -----------------------------------------------------------------------


def test_written_configs_load_and_point_at_the_sandbox(sandbox: Sandbox) -> None:
    for scheme in ("basic", "standard", "enhanced"):
        config = load(sandbox.config_path(scheme))
        k = config.kaspi
        assert (k.scheme, k.base_url) == (scheme, sandbox.base_url(scheme))
        assert config.resolve(k.ca_file).read_bytes() == sandbox.pki.ca_bundle.read_bytes()
        assert (config.device.device_id, config.device.trade_point_id) == ("KIOSK-001", 1)
        assert config.data_dir == sandbox.data_dir / f"kiosk-data-{scheme}"
        if scheme == "basic":
            assert k.api_key == sandbox.api_key and k.api_key.startswith("test_")
            assert not k.cert_file
        else:
            pfx = config.resolve(k.cert_file).read_bytes()
            key, cert, _ = pkcs12.load_key_and_certificates(pfx, k.key_password.encode())
            assert key is not None and key.key_size == 2048  # type: ignore[union-attr]
            assert cert is not None
        assert k.organization_bin == (BIN if scheme == "enhanced" else "")


def test_api_key_and_client_certificate_are_required(sandbox: Sandbox) -> None:
    ping = "/health/ping"
    ok = basic_session(sandbox).get(sandbox.base_url("basic") + ping, timeout=5)
    assert ok.json() == {"StatusCode": 0, "Message": "OK"}
    for key in ("", "test_wrong"):
        bad = basic_session(sandbox, key).get(sandbox.base_url("basic") + ping, timeout=5)
        assert bad.status_code == 401 and bad.json()["StatusCode"] == codes.BAD_REQUEST
    for scheme in ("standard", "enhanced"):
        url = sandbox.base_url(scheme) + ping
        bare = mtls_session(sandbox, password="").get(url, timeout=5)
        assert bare.status_code == 200 and bare.json()["StatusCode"] == codes.NO_CERTIFICATE
        assert mtls_session(sandbox).get(url, timeout=5).json()["StatusCode"] == 0


def test_pfx_converted_in_the_test_authenticates(sandbox: Sandbox, tmp_path: Path) -> None:
    cert, key = pfx_to_pem(sandbox.pki.client_pfx, sandbox.pki.password, tmp_path)
    session = mtls_session(sandbox, cert, key, sandbox.pki.password)
    assert Bank(sandbox, "standard", session).get("/health/ping")["StatusCode"] == 0
    assert sandbox.requests[-1].client_subject == "CN=client,O=Sandbox Partner,L=Almaty,C=KZ"


def test_certificates_issued_later_work_and_foreign_or_expired_ones_fail_the_handshake(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    pki, password = sandbox.pki.dir, "secret"
    second = issue_client_certificate(pki, "second-kiosk", password)
    cert, key = pfx_to_pem(second, password, tmp_path)
    url = sandbox.base_url("enhanced") + "/health/ping"
    assert mtls_session(sandbox, cert, key, password).get(url, timeout=5).json()["StatusCode"] == 0
    assert sandbox.requests[-1].client_subject is not None
    assert "CN=second-kiosk" in sandbox.requests[-1].client_subject
    for name, kwargs in (("foreign", {"untrusted": True}), ("old", {"expired": True})):
        crt = issue_client_certificate(pki, name, password, pem=True, **kwargs)
        session = mtls_session(sandbox, crt, crt.with_suffix(".key"), password)
        with pytest.raises(requests.exceptions.SSLError):
            session.get(url, timeout=5)
    # The server counts a refused handshake on its own thread, after the client already saw
    # the alert: wait for the count (bounded), then it must be exactly the two refused.
    deadline = time.monotonic() + 5
    while sandbox.failed_handshakes("enhanced") < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sandbox.failed_handshakes("enhanced") == 2


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_server_speaks_tls_12_or_later_only(sandbox: Sandbox) -> None:
    import ssl

    context = ssl.create_default_context(cafile=str(sandbox.pki.ca_bundle))
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.minimum_version = ssl.TLSVersion.TLSv1
    address = ("127.0.0.1", sandbox.ports["basic"])
    with socket.create_connection(address, timeout=5) as raw, pytest.raises(OSError):
        context.wrap_socket(raw, server_hostname="localhost")  # ssl.SSLError is an OSError


# --- device management ------------------------------------------------------------------------


def test_trade_points_of_every_scheme(sandbox: Sandbox) -> None:
    names = {1: "Магазин 1 (Ауэзова, 65)", 2: "Магазин 2 (Жарокова, 48)"}
    for scheme in ("basic", "standard"):
        points = Bank(sandbox, scheme).data("GET", "/partner/tradepoints")
        assert {p["TradePointId"]: p["TradePointName"] for p in points}.items() >= names.items()
    r3 = Bank(sandbox, "enhanced")
    assert len(r3.data("GET", f"/partner/tradepoints/{BIN}")) == 4
    assert r3.get(f"/partner/tradepoints/{state.EMPTY_BIN}")["StatusCode"] == codes.NO_TRADE_POINTS
    assert r3.get("/partner/tradepoints/111111111111")["StatusCode"] == codes.UNKNOWN_ORGANIZATION


@pytest.mark.parametrize("scheme", ["basic", "enhanced"])
def test_device_register_and_delete(sandbox: Sandbox, scheme: str) -> None:
    bank = Bank(sandbox, scheme)
    token = bank.register()
    assert bank.register() == token
    refusals = {
        ("KIOSK-001", 2): codes.DEVICE_OTHER_TRADE_POINT,
        ("KIOSK-002", 99): codes.TRADE_POINT_NOT_FOUND,
        ("KIOSK-002", 3): codes.TRADE_POINT_DISABLED,
        ("KIOSK-002", 4): codes.TRADE_POINT_NO_QR,
        ("KIOSK 002", 1): codes.BAD_REQUEST,
        ("киоск", 1): codes.BAD_REQUEST,
    }
    for (device_id, point), expected in refusals.items():
        doc = bank.post("/device/register", {"DeviceId": device_id, "TradePointId": point})
        assert doc["StatusCode"] == expected, (device_id, point)
        assert isinstance(doc["Message"], str) and doc["Message"]
    assert bank.post("/device/delete", {"DeviceToken": token})["StatusCode"] == 0
    gone = bank.post("/device/delete", {"DeviceToken": "nope"})
    assert gone["StatusCode"] == codes.DEVICE_NOT_FOUND
    doc = bank.post("/qr/create", {"DeviceToken": token, "Amount": 10})
    assert doc["StatusCode"] == codes.DEVICE_INACTIVE
    assert bank.register() != token


def test_enhanced_wants_a_known_bin_in_every_body(sandbox: Sandbox) -> None:
    bank = Bank(sandbox, "enhanced")
    body = {"DeviceId": "K1", "TradePointId": 1}
    r = bank.session.post(bank.base + "/device/register", json=body, timeout=5)
    assert r.json()["StatusCode"] == codes.BAD_REQUEST and "OrganizationBin" in r.json()["Message"]
    doc = bank.post("/device/register", {**body, "OrganizationBin": "999999999999"})
    assert doc["StatusCode"] == codes.UNKNOWN_ORGANIZATION
    doc = bank.post("/device/register", {**body, "OrganizationBin": state.EMPTY_BIN})
    assert doc["StatusCode"] == codes.TRADE_POINT_NOT_FOUND
    token = bank.register()
    doc = bank.post(
        "/qr/create", {"DeviceToken": token, "Amount": 1, "OrganizationBin": state.EMPTY_BIN}
    )
    assert doc["StatusCode"] == codes.DEVICE_NOT_FOUND


def test_endpoints_exist_only_on_their_schemes(sandbox: Sandbox) -> None:
    absent = {
        "basic": [
            "/return/status/1",
            "/payment/details",
            f"/partner/tradepoints/{BIN}",
            "/remote/client-info",
        ],
        "standard": ["/remote/client-info", f"/partner/tradepoints/{BIN}"],
        "enhanced": ["/return/status/1", "/partner/tradepoints"],
    }
    for scheme, paths in absent.items():
        session = session_for(sandbox, scheme)
        for path in paths:
            r = session.get(sandbox.base_url(scheme) + path, timeout=5)
            assert r.status_code == 404 and "text/html" in r.headers["Content-Type"], (scheme, path)
        posts = ["/return/create", "/remote/create"] if scheme == "basic" else []
        for path in posts:
            r = session.post(sandbox.base_url(scheme) + path, json={}, timeout=5)
            assert r.status_code == 404
    basic = basic_session(sandbox)
    wrong_prefix = f"https://localhost:{sandbox.ports['basic']}/r2/v01/health/ping"
    assert basic.get(wrong_prefix, timeout=5).status_code == 404
    assert basic.get(sandbox.base_url("basic") + "/qr/create", timeout=5).status_code == 405
    v02_ping = sandbox.base_url("basic")[:-3] + "v02/health/ping"
    assert basic.get(v02_ping, timeout=5).status_code == 404


# --- payments ---------------------------------------------------------------------------------


def test_qr_payment_life_cycle(sandbox_factory: Factory) -> None:
    clock = ManualClock()
    sandbox = sandbox_factory(clock=clock, poll_interval=1, scan_timeout=20, confirm_timeout=10)
    bank = Bank(sandbox, "standard")
    token = bank.register()
    data = bank.data(
        "POST", "/qr/create", {"DeviceToken": token, "Amount": 200.5, "ExternalId": "15"}
    )
    pid = data["QrPaymentId"]
    assert data["PaymentMethods"] == ["Gold", "Red", "Loan"]
    assert data["QrPaymentBehaviorOptions"] == {
        "StatusPollingInterval": 1,
        "QrCodeScanWaitTimeout": 20,
        "PaymentConfirmationTimeout": 10,
    }
    assert data["QrToken"].isdigit()
    assert data["ExpireDate"] == "2025-10-22T17:11:10.717+05:00"
    assert parse_datetime(data["ExpireDate"]).timestamp() == pytest.approx(clock.now + 20)
    assert bank.data("GET", f"/payment/status/{pid}") == {"Status": "QrTokenCreated"}
    assert bank.post("/test/payment/scan", {"qrPaymentId": str(pid)}) == {
        "StatusCode": 0,
        "message": "the customer scanned the QR",
    }
    assert bank.data("GET", f"/payment/status/{pid}") == {"Status": "Wait"}
    bank.post("/test/payment/confirm", {"qrPaymentId": str(pid)})
    assert bank.data("GET", f"/payment/status/{pid}") == {"Status": "Processed"}
    snapshot = sandbox.payment(pid)
    assert (snapshot["amount"], snapshot["external_id"], snapshot["device_token"]) == (
        200.5,
        "15",
        token,
    )


def test_timeouts_over_http_with_the_bank_clock(sandbox_factory: Factory) -> None:
    clock = ManualClock()
    sandbox = sandbox_factory(clock=clock, scan_timeout=180, confirm_timeout=65)
    bank = Bank(sandbox, "basic")
    token = bank.register()
    late = bank.pay(token, confirm=False)
    waiting = bank.pay(token, confirm=False)
    bank.post("/test/payment/scan", {"qrPaymentId": str(waiting)})
    clock.now += 65
    assert bank.status(waiting)["Data"]["Status"] == "Error"  # the bank cancelled it
    sandbox.advance(115)  # 180 s after creation
    doc = bank.post("/test/payment/scan", {"qrPaymentId": str(late)})
    assert doc["StatusCode"] == codes.WRONG_STATUS and "expired" in doc["message"]
    assert bank.status(late)["Data"]["Status"] == "QrTokenCreated"
    doc = bank.post("/sandbox/clock", {"advance": 10})
    assert doc["Data"]["Now"] == pytest.approx(clock.now + 125)


def test_customer_errors_and_wrong_order(sandbox: Sandbox) -> None:
    bank = Bank(sandbox, "enhanced")
    token = bank.register()
    pid = bank.pay(token, confirm=False)
    doc = bank.post("/test/payment/confirm", {"qrPaymentId": str(pid)})
    assert doc["StatusCode"] == codes.WRONG_STATUS and "scan it first" in doc["message"]
    assert "Message" not in doc
    assert bank.post("/test/payment/scanerror", {"qrPaymentId": str(pid)})["StatusCode"] == 0
    assert bank.status(pid)["Data"]["Status"] == "Error"
    second = bank.pay(token, confirm=False)
    sandbox.scan(second)
    bank.post("/test/payment/confirmerror", {"qrPaymentId": str(second)})
    assert sandbox.payment(second)["status"] == "Error"
    assert bank.post("/test/payment/scan", {"qrPaymentId": "1"})["StatusCode"] == -1601
    assert bank.status(1)["StatusCode"] == -1601


def test_in_process_customer(sandbox: Sandbox) -> None:
    bank = Bank(sandbox, "basic")
    pid = bank.pay(bank.register(), confirm=False)
    sandbox.scan(pid)
    sandbox.confirm(pid)
    assert bank.status(pid)["Data"]["Status"] == "Processed"
    with pytest.raises(state.BankError):
        sandbox.confirm(pid)


@pytest.mark.parametrize("amount", [0, -1, "100", None, True, 10.001])
def test_bad_amounts_are_refused(sandbox: Sandbox, amount: object) -> None:
    bank = Bank(sandbox, "basic")
    doc = bank.post("/qr/create", {"DeviceToken": bank.register(), "Amount": amount})
    assert doc["StatusCode"] == codes.BAD_AMOUNT


def test_create_errors(sandbox: Sandbox) -> None:
    bank = Bank(sandbox, "standard")
    token = bank.register()
    assert bank.post("/qr/create", {"DeviceToken": "x", "Amount": 1})["StatusCode"] == -1501
    sandbox.set_trade_point(1, enabled=False)
    assert bank.post("/qr/create", {"DeviceToken": token, "Amount": 1})["StatusCode"] == 990000018
    bank.post("/sandbox/tradepoints/1", {"enabled": True, "accepts_qr": False})
    assert bank.post("/qr/create", {"DeviceToken": token, "Amount": 1})["StatusCode"] == 990000026
    sandbox.set_trade_point(1, accepts_qr=True)
    sandbox.set_behaviour(payment_methods=[])
    assert bank.post("/qr/create", {"DeviceToken": token, "Amount": 1})["StatusCode"] == 990000033


def test_payment_link_under_either_timeout_name(sandbox_factory: Factory) -> None:
    """The sandbox can answer the link's first-stage timeout under the name the guide's text
    uses (docs/kaspi/api.md §10.6); test_client checks the client accepts it."""
    sandbox = sandbox_factory(link_activation_timeout=30, link_timeout_name="QrCodeScanWaitTimeout")
    bank = Bank(sandbox, "enhanced")
    data = bank.data("POST", "/qr/create-link", {"DeviceToken": bank.register(), "Amount": 5})
    assert data["PaymentBehaviorOptions"]["QrCodeScanWaitTimeout"] == 30
    assert "LinkActivationWaitTimeout" not in data["PaymentBehaviorOptions"]


def test_payment_link(sandbox_factory: Factory) -> None:
    sandbox = sandbox_factory(link_activation_timeout=30)
    bank = Bank(sandbox, "enhanced")
    data = bank.data("POST", "/qr/create-link", {"DeviceToken": bank.register(), "Amount": 5})
    assert data["PaymentLink"].startswith("https://")
    assert data["PaymentBehaviorOptions"]["LinkActivationWaitTimeout"] == 30
    assert set(data) == {
        "PaymentLink",
        "ExpireDate",
        "PaymentId",
        "PaymentMethods",
        "PaymentBehaviorOptions",
    }
    assert bank.status(data["PaymentId"])["Data"]["Status"] == "QrTokenCreated"


def test_status_v02_adds_production_fields(sandbox: Sandbox) -> None:
    bank = Bank(sandbox, "enhanced")
    token = bank.register()
    open_id, paid_id = bank.pay(token, confirm=False), bank.pay(token)
    assert bank.status(open_id, "v02")["Data"] == {
        "Status": "QrTokenCreated",
        "TransactionId": None,
        "ProductType": None,
        "LoanTerm": None,
    }
    paid = bank.status(paid_id, "v02")["Data"]
    assert paid["Status"] == "Processed" and paid["TransactionId"] and paid["ProductType"] == "Gold"
    assert set(bank.status(paid_id, "v01")["Data"]) == {"Status"}


# --- refunds and remote invoices --------------------------------------------------------------


def test_refund_with_the_customer_scheme_standard(sandbox: Sandbox) -> None:
    bank = Bank(sandbox, "standard")
    token = bank.register()
    pid = bank.pay(token, 100)
    unpaid = bank.pay(token, 5, confirm=False)
    qr = bank.data("POST", "/return/create", {"DeviceToken": token, "ExternalId": "r1"})
    rid = qr["QrReturnId"]
    assert qr["QrReturnBehaviorOptions"] == {
        "QrCodeScanEventPollingInterval": 5,
        "QrCodeScanWaitTimeout": 180,
    }
    assert bank.data("GET", f"/return/status/{rid}") == {"Status": "QrTokenCreated"}
    ops = {"DeviceToken": token, "QrReturnId": rid}
    assert bank.post("/return/operations", ops)["StatusCode"] == codes.WRONG_STATUS
    assert bank.post("/test/return/scan", {"qrReturnId": str(rid)})["StatusCode"] == 0
    assert bank.data("GET", f"/return/status/{rid}") == {"Status": "CustomerIdentityObtained"}
    listed = bank.data("POST", "/return/operations", {**ops, "MaxResult": 1})
    assert [op["QrPaymentId"] for op in listed] == [pid] and listed[0]["Amount"] == 100.0
    details = bank.data("GET", "/payment/details", QrPaymentId=pid, DeviceToken=token)
    assert (details["TotalAmount"], details["AvailableReturnAmount"]) == (100.0, 100.0)
    refund = {"DeviceToken": token, "QrPaymentId": pid, "QrReturnId": rid, "Amount": 40}
    # Refusals first: a QrReturnId serves one refund (docs/kaspi/api.md §6.9).
    too_much = bank.post("/payment/return", {**refund, "Amount": 100.01})["StatusCode"]
    assert too_much == -990000005  # the table's spelling
    assert bank.post("/payment/return", {**refund, "QrPaymentId": unpaid})["StatusCode"] == (
        codes.REFUND_PURCHASE_NOT_FOUND  # not this customer's purchase (nobody paid it)
    )
    other = bank.register("KIOSK-002", 2)
    assert bank.post("/payment/return", {**refund, "DeviceToken": other})["StatusCode"] == (
        codes.REFUND_OTHER_TRADE_POINT
    )
    assert bank.data("POST", "/payment/return", refund)["ReturnOperationId"] > 0
    details = bank.data("GET", "/payment/details", QrPaymentId=pid, DeviceToken=token)
    assert details["AvailableReturnAmount"] == 60.0
    assert bank.post("/payment/return", {**refund, "Amount": 1})["StatusCode"] == (
        codes.WRONG_STATUS
    )
    no_qr = {k: v for k, v in refund.items() if k != "QrReturnId"}
    assert bank.post("/payment/return", no_qr)["StatusCode"] == codes.BAD_REQUEST
    assert bank.get("/payment/details", QrPaymentId=1, DeviceToken=token)["StatusCode"] == -1601
    assert [r["amount"] for r in sandbox.payment(pid)["refunds"]] == [40.0]


def test_refund_without_the_customer_scheme_enhanced(sandbox: Sandbox) -> None:
    bank = Bank(sandbox, "enhanced")
    token = bank.register()
    pid = bank.pay(token, 10)
    body = {"DeviceToken": token, "QrPaymentId": pid, "Amount": 10}
    assert bank.data("POST", "/payment/return", body)["ReturnOperationId"] > 0
    assert (
        bank.data("GET", "/payment/details", QrPaymentId=pid, DeviceToken=token)[
            "AvailableReturnAmount"
        ]
        == 0
    )


def test_remote_invoice(sandbox: Sandbox) -> None:
    bank = Bank(sandbox, "enhanced")
    token = bank.register()
    info = bank.get("/remote/client-info", phoneNumber="87071234567", deviceToken=token)
    assert info["Data"] == {"ClientName": state.CLIENT_NAME}
    unknown = bank.get("/remote/client-info", phoneNumber=state.UNKNOWN_PHONE, deviceToken=token)
    assert unknown["StatusCode"] == codes.CLIENT_NOT_FOUND
    for _ in range(48):
        bank.get("/remote/client-info", phoneNumber="87071234567", deviceToken=token)
    limited = bank.get("/remote/client-info", phoneNumber="87071234567", deviceToken=token)
    assert limited["StatusCode"] == codes.SERVICE_UNAVAILABLE
    body = {"Amount": 1.0, "PhoneNumber": "87071234567", "Comment": "Test", "DeviceToken": token}
    pid = bank.data("POST", "/remote/create", body)["QrPaymentId"]
    assert bank.status(pid)["Data"]["Status"] == "RemotePaymentCreated"
    cancel = {"QrPaymentId": pid, "DeviceToken": token}
    assert bank.data("POST", "/remote/cancel", cancel) == {"Status": "RemotePaymentCanceled"}
    assert bank.post("/remote/cancel", cancel)["StatusCode"] == codes.WRONG_STATUS
    paid = bank.data("POST", "/remote/create", body)["QrPaymentId"]
    bank.post("/test/payment/scan", {"qrPaymentId": str(paid)})
    bank.post("/test/payment/confirm", {"qrPaymentId": str(paid)})
    assert bank.status(paid)["Data"]["Status"] == "Processed"


# --- robustness, faults, control --------------------------------------------------------------


def test_garbage_bodies_get_an_envelope(sandbox: Sandbox) -> None:
    session = basic_session(sandbox)
    url = sandbox.base_url("basic") + "/device/register"
    for data in (b"not json", b"[1, 2]", b'{"DeviceId": NaN}', b"\xff\xfe", b""):
        r = session.post(url, data=data, headers={"Content-Type": "application/json"}, timeout=5)
        assert r.status_code == 200 and r.json()["StatusCode"] == codes.BAD_REQUEST, data
    r = session.post(url, data=iter([b'{"DeviceId": "K9", ', b'"TradePointId": 1}']), timeout=5)
    assert r.json()["StatusCode"] == 0  # a chunked body is read too


def test_every_fault_mode(sandbox: Sandbox) -> None:
    bank = Bank(sandbox, "basic")
    url = bank.base + "/health/ping"
    answers = {
        "http500": (500, "text/html"),
        "http404": (404, "text/html"),
        "nonjson": (200, "text/html"),
        "code999": (200, "application/json"),
    }
    for mode, (status, kind) in answers.items():
        sandbox.inject_fault(mode)
        r = bank.session.get(url, timeout=5)
        assert (r.status_code, r.headers["Content-Type"].split(";")[0]) == (status, kind), mode
        if mode == "code999":
            assert r.json()["StatusCode"] == -999
        assert bank.session.get(url, timeout=5).json()["StatusCode"] == 0  # count 1 is spent
    sandbox.inject_fault("drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        bank.session.get(url, timeout=5)
    assert sandbox.requests[-1].http_status == 0
    assert bank.session.get(url, timeout=5).json()["StatusCode"] == 0
    sandbox.inject_fault("slow", delay=0.3)
    started = time.monotonic()
    assert bank.session.get(url, timeout=5).json()["StatusCode"] == 0
    assert time.monotonic() - started >= 0.3


def test_fault_counts_paths_and_exemptions(sandbox: Sandbox) -> None:
    bank = Bank(sandbox, "basic")
    token = bank.register()
    sandbox.inject_fault("http500", count=0, path_contains="/payment/status")
    pid = bank.pay(token)  # create and the /test/ calls are not hit
    for _ in range(3):
        assert bank.session.get(f"{bank.base}/payment/status/{pid}", timeout=5).status_code == 500
    assert bank.get("/sandbox/payments/" + str(pid))["Data"]["status"] == "Processed"
    r = bank.session.delete(bank.base + "/sandbox/faults", timeout=5)
    assert r.json()["StatusCode"] == 0
    assert bank.status(pid)["Data"]["Status"] == "Processed"
    doc = bank.post("/sandbox/faults", {"mode": "code999", "count": 2})
    assert doc["Data"] == [{"mode": "code999", "count": 2, "path_contains": "", "delay": 3.0}]
    assert [bank.status(pid)["StatusCode"] for _ in range(3)] == [-999, -999, 0]
    assert bank.post("/sandbox/faults", {"mode": "meteor"})["StatusCode"] == codes.BAD_REQUEST


def test_behaviour_control_endpoint(sandbox: Sandbox) -> None:
    bank = Bank(sandbox, "standard")
    doc = bank.post("/sandbox/behaviour", {"scan_timeout": 7, "date_style": "guide-short-offset"})
    assert doc["Data"]["scan_timeout"] == 7 and sandbox.behaviour.scan_timeout == 7
    assert bank.get("/sandbox/behaviour")["Data"]["date_style"] == "guide-short-offset"
    data = bank.data("POST", "/qr/create", {"DeviceToken": bank.register(), "Amount": 1})
    assert data["QrPaymentBehaviorOptions"]["QrCodeScanWaitTimeout"] == 7
    assert data["ExpireDate"].endswith("+06") and len(data["ExpireDate"]) == 22
    bad = bank.post("/sandbox/behaviour", {"scan_timeout": -1})
    assert bad["StatusCode"] == codes.BAD_REQUEST and "scan_timeout" in bad["Message"]
    assert bank.get("/sandbox/payments/1")["StatusCode"] == -1601


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("production", "2021-11-03T11:58:14.166+05:00"),
        ("guide-short-offset", "2021-11-03T12:58:14+06"),
        ("guide-one-digit-day", "2021-11-3T12:58:14.166+06:00"),
        ("seven-digit-no-offset", "2021-11-03T11:58:14.1660000"),
    ],
)
def test_date_styles_on_the_wire(sandbox_factory: Factory, style: str, expected: str) -> None:
    sandbox = sandbox_factory(clock=ManualClock(1_635_922_514.166), date_style=style)
    bank = Bank(sandbox, "standard")
    token = bank.register()
    assert (
        bank.data("POST", "/qr/create", {"DeviceToken": token, "Amount": 1})["ExpireDate"]
        == expected
    )
    assert parse_datetime(expected)  # the kiosk's own parser takes every shape
