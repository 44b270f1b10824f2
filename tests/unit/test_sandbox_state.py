"""The sandbox bank's rules, with time passed in: a 180-second timeout costs nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kiosk.kaspi.dates import parse_datetime
from kiosk.sandbox import codes, state
from kiosk.sandbox.state import Bank, BankError, Behaviour

BIN = state.SANDBOX_BIN
T0 = 1_761_135_050.717  # 2025-10-22T17:10:50.717+05:00


def code(exc: pytest.ExceptionInfo[BankError]) -> int:
    return exc.value.code


@pytest.fixture
def bank() -> Bank:
    return Bank(Behaviour(scan_timeout=180, confirm_timeout=65))


@pytest.fixture
def token(bank: Bank) -> str:
    return bank.register_device(BIN, "KIOSK-001", 1).token


def paid(bank: Bank, token: str, amount: float = 100.0, now: float = T0) -> int:
    p = bank.create_payment(BIN, token, amount, None, now)
    bank.scan(p.id, now + 1)
    bank.confirm(p.id, now + 2)
    return p.id


# --- devices ----------------------------------------------------------------------------------


def test_register_is_idempotent_and_refuses_another_trade_point(bank: Bank, token: str) -> None:
    assert bank.register_device(BIN, "KIOSK-001", 1).token == token
    with pytest.raises(BankError) as exc:
        bank.register_device(BIN, "KIOSK-001", 2)
    assert code(exc) == codes.DEVICE_OTHER_TRADE_POINT
    assert bank.register_device(BIN, "KIOSK-002", 2).token != token


@pytest.mark.parametrize(
    ("device_id", "trade_point", "expected"),
    [
        ("K1", 99, codes.TRADE_POINT_NOT_FOUND),
        ("K1", 3, codes.TRADE_POINT_DISABLED),
        ("K1", 4, codes.TRADE_POINT_NO_QR),
        ("Киоск", 1, codes.BAD_REQUEST),
        ("K 1", 1, codes.BAD_REQUEST),
        ("", 1, codes.BAD_REQUEST),
        ("K1", "one", codes.BAD_REQUEST),
    ],
)
def test_register_refusals(bank: Bank, device_id: str, trade_point: object, expected: int) -> None:
    with pytest.raises(BankError) as exc:
        bank.register_device(BIN, device_id, trade_point)
    assert code(exc) == expected


def test_organisations(bank: Bank) -> None:
    assert [p.id for p in bank.trade_points(BIN)] == [1, 2, 3, 4]
    with pytest.raises(BankError) as exc:
        bank.trade_points(state.EMPTY_BIN)
    assert code(exc) == codes.NO_TRADE_POINTS
    with pytest.raises(BankError) as exc:
        bank.register_device("000000000001", "K1", 1)
    assert code(exc) == codes.UNKNOWN_ORGANIZATION


def test_deleted_device_is_inactive_and_a_new_registration_gets_a_new_token(
    bank: Bank, token: str
) -> None:
    bank.delete_device(BIN, token)
    with pytest.raises(BankError) as exc:
        bank.create_payment(BIN, token, 10, None, T0)
    assert code(exc) == codes.DEVICE_INACTIVE
    with pytest.raises(BankError) as exc:
        bank.delete_device(BIN, "no-such-token")
    assert code(exc) == codes.DEVICE_NOT_FOUND
    assert bank.register_device(BIN, "KIOSK-001", 2).token != token


def test_devices_round_trip_through_json(bank: Bank, token: str) -> None:
    other = Bank()
    other.load_devices(bank.devices_to_json())
    assert other.device(BIN, token).device_id == "KIOSK-001"


# --- payments ---------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [0, -5, "100", None, True, 1.005, float("inf")])
def test_bad_amounts(bank: Bank, token: str, amount: object) -> None:
    with pytest.raises(BankError) as exc:
        bank.create_payment(BIN, token, amount, None, T0)
    assert code(exc) == codes.BAD_AMOUNT


def test_create_checks_token_trade_point_and_methods(bank: Bank, token: str) -> None:
    with pytest.raises(BankError) as exc:
        bank.create_payment(BIN, "unknown", 10, None, T0)
    assert code(exc) == codes.DEVICE_NOT_FOUND
    bank.trade_point(BIN, 1).enabled = False
    with pytest.raises(BankError) as exc:
        bank.create_payment(BIN, token, 10, None, T0)
    assert code(exc) == codes.TRADE_POINT_DISABLED
    bank.trade_point(BIN, 1).enabled = True
    bank.trade_point(BIN, 1).accepts_qr = False
    with pytest.raises(BankError) as exc:
        bank.create_payment(BIN, token, 10, None, T0)
    assert code(exc) == codes.TRADE_POINT_NO_QR
    bank.trade_point(BIN, 1).accepts_qr = True
    bank.behaviour = bank.behaviour.with_changes(payment_methods=[])
    with pytest.raises(BankError) as exc:
        bank.create_payment(BIN, token, 10, None, T0)
    assert code(exc) == codes.NO_PAYMENT_METHODS


def test_happy_path(bank: Bank, token: str) -> None:
    p = bank.create_payment(BIN, token, 200.5, "order-15", T0)
    assert (p.status, p.amount, p.external_id) == (
        state.QR_TOKEN_CREATED,
        Decimal("200.50"),
        "order-15",
    )
    assert p.scan_deadline == T0 + 180
    bank.scan(p.id, T0 + 179)
    assert bank.payment(p.id, T0 + 179).status == state.WAIT
    bank.confirm(p.id, T0 + 179 + 64.9)
    assert bank.payment(p.id, T0 + 10_000).status == state.PROCESSED


def test_link_uses_its_own_timeout(bank: Bank, token: str) -> None:
    bank.behaviour = bank.behaviour.with_changes(link_activation_timeout=30)
    p = bank.create_payment(BIN, token, 10, None, T0, link=True)
    assert (p.kind, p.scan_deadline) == ("link", T0 + 30)


def test_scan_at_the_deadline_fails_and_the_status_stays(bank: Bank, token: str) -> None:
    p = bank.create_payment(BIN, token, 10, None, T0)
    with pytest.raises(BankError) as exc:
        bank.scan(p.id, T0 + 180)
    assert code(exc) == codes.WRONG_STATUS
    assert bank.payment(p.id, T0 + 10_000).status == state.QR_TOKEN_CREATED


def test_wait_becomes_error_at_the_confirmation_deadline(bank: Bank, token: str) -> None:
    p = bank.create_payment(BIN, token, 10, None, T0)
    bank.scan(p.id, T0 + 10)
    assert bank.payment(p.id, T0 + 10 + 64.999).status == state.WAIT
    settled = bank.payment(p.id, T0 + 10 + 65)
    assert (settled.status, settled.finished_at) == (state.ERROR, T0 + 75)
    assert "not confirmed" in settled.reason
    with pytest.raises(BankError) as exc:
        bank.confirm(p.id, T0 + 76)
    assert code(exc) == codes.WRONG_STATUS


def test_confirm_late_is_refused_even_if_nobody_looked(bank: Bank, token: str) -> None:
    p = bank.create_payment(BIN, token, 10, None, T0)
    bank.scan(p.id, T0)
    with pytest.raises(BankError):
        bank.confirm(p.id, T0 + 65)
    assert p.status == state.ERROR


def test_error_paths_and_wrong_order(bank: Bank, token: str) -> None:
    a = bank.create_payment(BIN, token, 10, None, T0)
    with pytest.raises(BankError) as exc:
        bank.confirm(a.id, T0)
    assert code(exc) == codes.WRONG_STATUS
    with pytest.raises(BankError):
        bank.confirm_error(a.id, T0)
    bank.scan_error(a.id, T0)
    assert a.status == state.ERROR
    with pytest.raises(BankError):
        bank.scan(a.id, T0)
    b = bank.create_payment(BIN, token, 10, None, T0)
    bank.scan(b.id, T0)
    with pytest.raises(BankError):
        bank.scan_error(b.id, T0)
    bank.confirm_error(b.id, T0 + 1)
    assert b.status == state.ERROR
    with pytest.raises(BankError) as exc:
        bank.payment(123, T0)
    assert code(exc) == codes.PURCHASE_NOT_FOUND


# --- refunds ----------------------------------------------------------------------------------


def test_partial_refunds_reduce_the_available_amount(bank: Bank, token: str) -> None:
    pid = paid(bank, token, 100)
    first = bank.refund(BIN, token, pid, 30, T0 + 5)
    assert bank.details(BIN, token, pid, T0 + 6).available == Decimal("70.00")
    with pytest.raises(BankError) as exc:
        bank.refund(BIN, token, pid, 70.01, T0 + 7)
    assert code(exc) == codes.REFUND_TOO_LARGE
    second = bank.refund(BIN, token, pid, 70, T0 + 8)
    assert second.id != first.id
    assert bank.payment(pid, T0 + 9).available == 0
    with pytest.raises(BankError) as exc:
        bank.refund(BIN, token, pid, 0.01, T0 + 10)
    assert code(exc) == codes.REFUND_TOO_LARGE


def test_refund_refusals(bank: Bank, token: str) -> None:
    open_payment = bank.create_payment(BIN, token, 10, None, T0)
    with pytest.raises(BankError) as exc:
        bank.refund(BIN, token, open_payment.id, 5, T0)
    assert code(exc) == codes.WRONG_STATUS
    with pytest.raises(BankError) as exc:
        bank.refund(BIN, token, 42, 5, T0)
    assert code(exc) == codes.REFUND_PURCHASE_NOT_FOUND
    other = bank.register_device(BIN, "KIOSK-002", 2).token
    with pytest.raises(BankError) as exc:
        bank.refund(BIN, other, paid(bank, token), 5, T0 + 3)
    assert code(exc) == codes.REFUND_OTHER_TRADE_POINT
    with pytest.raises(BankError) as exc:
        bank.refund(BIN, token, paid(bank, token), -1, T0 + 3)
    assert code(exc) == codes.BAD_AMOUNT


def test_standard_refund_needs_an_identified_customer(bank: Bank, token: str) -> None:
    pid = paid(bank, token, 50)
    with pytest.raises(BankError) as exc:
        bank.refund(BIN, token, pid, 5, T0 + 3, needs_return=True)
    assert code(exc) == codes.BAD_REQUEST
    qr = bank.create_return(BIN, token, None, T0 + 3)
    with pytest.raises(BankError) as exc:
        bank.refund(BIN, token, pid, 5, T0 + 4, return_id=qr.id, needs_return=True)
    assert code(exc) == codes.WRONG_STATUS
    bank.scan_return(qr.id, T0 + 5)
    refund = bank.refund(BIN, token, pid, 5, T0 + 6, return_id=qr.id, needs_return=True)
    assert refund.return_id == qr.id


def test_return_qr_expires_and_operations_list_the_newest_first(bank: Bank, token: str) -> None:
    ids = [paid(bank, token, 10 + i, now=T0 + i * 10) for i in range(12)]
    late = bank.create_return(BIN, token, None, T0)
    with pytest.raises(BankError):
        bank.scan_return(late.id, T0 + 180)
    assert bank.return_qr(late.id).status == state.QR_TOKEN_CREATED
    qr = bank.create_return(BIN, token, None, T0 + 200)
    with pytest.raises(BankError):
        bank.return_operations(BIN, token, qr.id, None, T0 + 201)
    bank.scan_return(qr.id, T0 + 201)
    assert bank.return_qr(qr.id).status == state.CUSTOMER_IDENTITY_OBTAINED
    listed = [p.id for p in bank.return_operations(BIN, token, qr.id, None, T0 + 202)]
    assert listed == ids[::-1][:10]
    assert len(bank.return_operations(BIN, token, qr.id, 3, T0 + 202)) == 3
    assert len(bank.return_operations(BIN, token, qr.id, 50, T0 + 202)) == 10
    with pytest.raises(BankError) as exc:
        bank.return_qr(ids[0])
    assert code(exc) == codes.PURCHASE_NOT_FOUND


# --- remote invoices --------------------------------------------------------------------------


def test_client_info_allows_50_calls_a_minute_per_device(bank: Bank, token: str) -> None:
    for i in range(50):
        assert bank.client_name(token, "87071234567", T0 + i) == state.CLIENT_NAME
    with pytest.raises(BankError) as exc:
        bank.client_name(token, "87071234567", T0 + 59.9)
    assert code(exc) == codes.SERVICE_UNAVAILABLE
    other = bank.register_device(BIN, "KIOSK-002", 1).token
    assert bank.client_name(other, "87071234567", T0 + 59.9)
    assert bank.client_name(token, "87071234567", T0 + 60)  # the first call left the window
    with pytest.raises(BankError) as exc:
        bank.client_name(other, state.UNKNOWN_PHONE, T0 + 61)
    assert code(exc) == codes.CLIENT_NOT_FOUND


def test_remote_invoice_life(bank: Bank, token: str) -> None:
    p = bank.create_remote(BIN, token, 1, "8 707 123-45-67", "Test", T0)
    assert (p.status, p.phone, p.scan_deadline) == (
        state.REMOTE_CREATED,
        "87071234567",
        T0 + 24 * 3600,
    )
    assert bank.cancel_remote(BIN, token, p.id, T0 + 1).status == state.REMOTE_CANCELED
    with pytest.raises(BankError) as exc:
        bank.cancel_remote(BIN, token, p.id, T0 + 2)
    assert code(exc) == codes.WRONG_STATUS
    q = bank.create_remote(BIN, token, 5, "87071234567", None, T0)
    bank.scan(q.id, T0 + 23 * 3600)
    bank.confirm(q.id, T0 + 23 * 3600 + 10)
    assert q.status == state.PROCESSED
    late = bank.create_remote(BIN, token, 5, "87071234567", None, T0)
    with pytest.raises(BankError):
        bank.scan(late.id, T0 + 24 * 3600)
    qr_payment = bank.create_payment(BIN, token, 5, None, T0)
    with pytest.raises(BankError) as exc:
        bank.cancel_remote(BIN, token, qr_payment.id, T0)
    assert code(exc) == -99000001  # remote/cancel's not-found spelling (docs/kaspi/api.md §9.2)
    with pytest.raises(BankError) as exc:
        bank.create_remote(BIN, token, 5, "12", None, T0)
    assert code(exc) == codes.BAD_REQUEST


# --- values -----------------------------------------------------------------------------------


def test_ids_are_unique_across_payments_returns_and_refunds(bank: Bank, token: str) -> None:
    pid = paid(bank, token)
    ids = [pid, bank.create_return(BIN, token, None, T0).id, bank.refund(BIN, token, pid, 1, T0).id]
    assert len(set(ids)) == 3 and min(ids) >= state.FIRST_ID


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"scan_timeout": 0}, "scan_timeout"),
        ({"poll_interval": "5"}, "poll_interval"),
        ({"date_style": "iso"}, "date_style"),
        ({"api_version": "v03"}, "api_version"),
        ({"payment_methods": "Gold"}, "payment_methods"),
        ({"colour": 1}, "colour"),
    ],
)
def test_behaviour_changes_are_checked(changes: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Behaviour().with_changes(**changes)


def test_behaviour_copy_leaves_the_original() -> None:
    b = Behaviour()
    assert b.with_changes(scan_timeout=2).scan_timeout == 2 and b.scan_timeout == 180


@pytest.mark.parametrize(
    ("style", "text"),
    [
        ("production", "2021-11-03T11:55:14.166+05:00"),
        ("guide-short-offset", "2021-11-03T12:55:14+06"),
        ("guide-one-digit-day", "2021-11-3T12:55:14.166+06:00"),
        ("seven-digit-no-offset", "2021-11-03T11:55:14.1660000"),
    ],
)
def test_date_styles(style: str, text: str) -> None:
    epoch = 1_635_922_514.166  # 2021-11-03T06:55:14.166Z
    assert state.format_date(epoch, style) == text
    parsed = parse_datetime(text)
    if parsed.tzinfo is not None:
        assert abs(parsed.timestamp() - epoch) < 1
    else:
        assert parsed.replace(tzinfo=state.KZ).timestamp() == pytest.approx(epoch, abs=1e-3)


def test_seven_digits_keep_microseconds() -> None:
    assert state.format_date(1_638_945_348.156667, "seven-digit-no-offset") == (
        "2021-12-08T11:35:48.1566670"
    )


def test_refund_snapshot_is_json_ready(bank: Bank, token: str) -> None:
    pid = paid(bank, token, 10)
    bank.refund(BIN, token, pid, 4, T0 + 5)
    snap = bank.payment(pid, T0 + 6).snapshot()
    assert snap["available_return_amount"] == 6.0
    assert snap["refunds"][0]["amount"] == 4.0
    assert snap["status"] == state.PROCESSED
