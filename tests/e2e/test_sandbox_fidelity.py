"""The sandbox answers the codes of docs/kaspi/api.md §9.2; strict mode enforces §3.1's transport.

A lenient bank hides client bugs: the strict sandbox refuses a call
without X-Request-ID or a POST without Content-Type: application/json, and the real
client is run against it through every call it makes.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from helpers.sandbox import Bank, mtls_session

from kiosk.config import Config, kaspi_settings, load
from kiosk.kaspi.client import KaspiClient
from kiosk.kaspi.errors import ApiError, normalize_code
from kiosk.kaspi.settings import SCHEMES
from kiosk.sandbox import Sandbox, codes

#: Every code the sandbox answers that the guide does not list for the call it answers:
#: the sandbox's own readings (codes.INVENTED everywhere, codes.INVENTED_ON per endpoint).
#: Not guide behaviour — a client must not rely on them.
INVENTED_CODES = codes.INVENTED | frozenset().union(*codes.INVENTED_ON.values())


def test_invented_codes_are_really_not_in_the_guides_tables() -> None:
    for endpoint, invented in codes.INVENTED_ON.items():
        listed = {normalize_code(c) for c in codes.GUIDE_CODES.get(endpoint, ())}
        assert not {normalize_code(c) for c in invented} & listed, endpoint
    every_listed = {normalize_code(c) for table in codes.GUIDE_CODES.values() for c in table}
    assert not {normalize_code(c) for c in codes.INVENTED} & every_listed
    assert {codes.BAD_REQUEST, codes.UNKNOWN_ORGANIZATION} <= INVENTED_CODES


def test_a_code_outside_an_endpoints_table_is_not_listed() -> None:
    assert codes.listed("/payment/status/{}", -1601)
    assert not codes.listed("/payment/status/{}", codes.DEVICE_NOT_FOUND)
    assert codes.listed("/qr/create", 990000018)  # printed 9900000018 there: one code
    assert codes.listed("/remote/cancel", codes.REMOTE_NOT_FOUND)


def test_error_paths_answer_only_listed_or_invented_codes(sandbox: Sandbox) -> None:
    bank = Bank(sandbox, "standard")
    token = bank.register()
    pid = bank.pay(token, confirm=False)
    calls = [
        ("GET", "/payment/status/999999", None),
        ("POST", "/qr/create", {"DeviceToken": "nope", "Amount": 5}),
        ("POST", "/qr/create", {"DeviceToken": token, "Amount": -5}),
        ("POST", "/device/register", {"DeviceId": "KIOSK-001", "TradePointId": 2}),
        ("POST", "/device/register", {"DeviceId": "bad id!", "TradePointId": 1}),
        ("POST", "/payment/return", {"DeviceToken": token, "QrPaymentId": pid, "Amount": 1}),
        ("POST", "/return/operations", {"DeviceToken": token, "QrReturnId": 1}),
        ("GET", "/return/status/999999", None),
        ("POST", "/test/payment/confirm", {"qrPaymentId": str(pid)}),
    ]
    for method, path, body in calls:
        answer = bank.get(path) if method == "GET" else bank.post(path, body)
        assert answer["StatusCode"] != 0, path
    bank.get(f"/payment/details?QrPaymentId={pid}&DeviceToken=nope")
    api = [r for r in sandbox.requests if "/sandbox/" not in r.path]
    assert all(r.http_status != 500 for r in api), [(r.path, r.status_code) for r in api]
    for record in api:
        assert record.status_code is not None, record.path


@pytest.mark.parametrize("missing", ["X-Request-ID", "Content-Type"])
def test_strict_mode_refuses_a_call_without_the_transport_headers(
    sandbox: Sandbox, missing: str
) -> None:
    sandbox.set_behaviour(strict=True)
    session = mtls_session(sandbox)
    url = sandbox.base_url("standard") + "/device/register"
    headers = {"X-Request-ID": "da169655f65740d991b1bbfcd9802b28"}
    body = b'{"DeviceId": "KIOSK-001", "TradePointId": 1}'
    if missing == "Content-Type":
        answer = session.post(url, data=body, headers=headers, timeout=5)
    else:
        answer = session.post(
            url, data=body, headers={"Content-Type": "application/json"}, timeout=5
        )
    assert answer.json()["StatusCode"] == codes.BAD_REQUEST
    assert missing in answer.json()["Message"]
    full = {**headers, "Content-Type": "application/json"}
    assert session.post(url, data=body, headers=full, timeout=5).json()["StatusCode"] == 0
    ping = session.get(sandbox.base_url("standard") + "/health/ping", timeout=5)
    assert ping.json()["StatusCode"] == codes.BAD_REQUEST  # GETs need the request id too


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_client_passes_the_strict_sandbox_in_every_call(sandbox: Sandbox, scheme: str) -> None:
    sandbox.set_behaviour(strict=True)
    path = sandbox.config_path(scheme)
    config = load(path)
    with KaspiClient(kaspi_settings(config)) as client:
        client.ping()
        client.trade_points()
        token = client.register_device("KIOSK-STRICT", 1)
    settings = kaspi_settings(config)
    settings = type(settings)(**{**settings.__dict__, "device_token": token})
    with KaspiClient(settings) as client:
        payment = client.create_qr(Decimal("120"), "strict-1")
        client.payment_status(payment.payment_id)
        client.test_action("scan", payment.payment_id)
        client.test_action("confirm", payment.payment_id)
        client.create_link(Decimal("5"))
        if scheme != "basic":
            client.payment_details(payment.payment_id)
        if scheme == "enhanced":
            client.refund(payment.payment_id, Decimal("20"))
            client.remote_client_info("87071234567")
            invoice = client.remote_create("87071234567", Decimal("10"))
            client.remote_cancel(invoice)
        if scheme == "standard":
            qr = client.create_return()
            client.return_status(qr.return_id)
            with pytest.raises(ApiError):  # not identified yet: a BankError, not a transport one
                client.return_operations(qr.return_id)
        client.delete_device()
    refused = [r for r in sandbox.requests if r.status_code == codes.BAD_REQUEST]
    assert not [r.path for r in refused if "/test/" not in r.path]
    assert all(r.request_id for r in sandbox.requests if "/sandbox/" not in r.path)


def test_the_strict_flag_is_a_behaviour(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="strict"):
        sandbox.set_behaviour(strict="yes")


def test_a_return_qr_never_scanned_turns_error_at_its_deadline(sandbox: Sandbox) -> None:
    with KaspiClient(kaspi_settings(_registered(sandbox, "standard"))) as client:
        qr = client.create_return()
        assert client.return_status(qr.return_id) == "QrTokenCreated"
        sandbox.advance(sandbox.behaviour.return_scan_timeout)
        assert client.return_status(qr.return_id) == "Error"


def test_a_remote_invoice_lapses_after_24_hours(sandbox: Sandbox) -> None:
    with KaspiClient(kaspi_settings(_registered(sandbox, "enhanced"))) as client:
        invoice = client.remote_create("87071234567", Decimal("10"))
        sandbox.advance(24 * 3600 - 1)
        assert client.payment_status(invoice).status == "RemotePaymentCreated"
        sandbox.advance(1)
        assert client.payment_status(invoice).status == "Error"
        with pytest.raises(ApiError):
            client.remote_cancel(invoice)


def _registered(sandbox: Sandbox, scheme: str) -> Config:
    path = sandbox.config_path(scheme)
    config = load(path)
    with KaspiClient(kaspi_settings(config)) as client:
        token = client.register_device(f"KIOSK-{scheme.upper()}", 1)
    return dataclasses.replace(config, kaspi=dataclasses.replace(config.kaspi, device_token=token))
