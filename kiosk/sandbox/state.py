"""The sandbox bank's rules: trade points, devices, payments, return QRs and refunds.

Pure: no sockets, no threads, no clock. Every method that depends on time takes
`now` (seconds since the epoch; the bank stamps dates with it, so one clock
serves both deadlines and dates), which lets the tests run a 180-second timeout
in microseconds. Time-driven changes are computed lazily when a payment is
looked at: a `Wait` older than its confirmation timeout has become `Error`.

Failures raise BankError with the StatusCode the bank would answer; the codes,
their messages and which endpoint may answer which are in kiosk.sandbox.codes.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import uuid
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from kiosk.sandbox.behaviour import API_VERSIONS as API_VERSIONS
from kiosk.sandbox.behaviour import CODE_STYLES as CODE_STYLES
from kiosk.sandbox.behaviour import DATE_STYLES as DATE_STYLES
from kiosk.sandbox.behaviour import LINK_TIMEOUT_NAMES as LINK_TIMEOUT_NAMES
from kiosk.sandbox.behaviour import TOKEN_STYLES as TOKEN_STYLES
from kiosk.sandbox.behaviour import Behaviour as Behaviour
from kiosk.sandbox.codes import (
    BAD_AMOUNT,
    BAD_REQUEST,
    CLIENT_NOT_FOUND,
    DEVICE_INACTIVE,
    DEVICE_NOT_FOUND,
    DEVICE_OTHER_TRADE_POINT,
    MESSAGES,
    NO_PAYMENT_METHODS,
    NO_TRADE_POINTS,
    PURCHASE_NOT_FOUND,
    REFUND_OTHER_TRADE_POINT,
    REFUND_PURCHASE_NOT_FOUND,
    REFUND_TOO_LARGE,
    REMOTE_NOT_FOUND,
    SERVICE_UNAVAILABLE,
    TRADE_POINT_DISABLED,
    TRADE_POINT_NO_QR,
    TRADE_POINT_NOT_FOUND,
    UNKNOWN_ORGANIZATION,
    WRONG_STATUS,
)
from kiosk.sandbox.dates import KZ as KZ
from kiosk.sandbox.dates import format_date as format_date

# --- statuses -------------------------------------------------------------------------------
QR_TOKEN_CREATED = "QrTokenCreated"
WAIT = "Wait"
PROCESSED = "Processed"
ERROR = "Error"
REMOTE_CREATED = "RemotePaymentCreated"
REMOTE_CANCELED = "RemotePaymentCanceled"
CUSTOMER_IDENTITY_OBTAINED = "CustomerIdentityObtained"

TEST_CUSTOMER = "test-customer"  # who scans and pays on the test host unless told otherwise
SANDBOX_BIN = "180340021791"  # the bank's example BIN; schemes basic/standard act for it
EMPTY_BIN = "200540012345"  # an organisation with no trade points: tradepoints -> -14000002
REMOTE_WINDOW = 24 * 3600.0  # a remote invoice may be paid within 24 hours
CLIENT_INFO_LIMIT = 50  # remote/client-info calls per device per minute
UNKNOWN_PHONE = "87000000000"  # remote/*: this number has no Kaspi account
CLIENT_NAME = "Тестов Тест Т."
FIRST_ID = 500_000_001

#: Where each scheme listens by default, like the bank's test host.
DEFAULT_PORTS = {"basic": 8543, "standard": 8544, "enhanced": 8545}
#: What `inject_fault` can do to the kiosk's calls (routes.py says what each one does).
_DROPS = ("drop", "drop_after", "garble_after")
FAULT_MODES = ("http500", "http404", "code999", *_DROPS, "slow", "nonjson")


class BankError(Exception):
    """The bank refuses: `code` is the envelope's StatusCode, `message` its Message."""

    def __init__(self, code: int, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        base = MESSAGES.get(code, "Ошибка")
        self.message = f"{base}: {detail}" if detail else base
        super().__init__(f"{code}: {self.message}")


@dataclass
class TradePoint:
    id: int
    name: str
    enabled: bool = True
    accepts_qr: bool = True


def default_organizations() -> dict[str, list[TradePoint]]:
    return {
        SANDBOX_BIN: [
            TradePoint(1, "Магазин 1 (Ауэзова, 65)"),
            TradePoint(2, "Магазин 2 (Жарокова, 48)"),
            TradePoint(3, "Магазин 3 (отключена)", enabled=False),
            TradePoint(4, "Магазин 4 (без QR)", accepts_qr=False),
        ],
        EMPTY_BIN: [],
    }


@dataclass
class Device:
    token: str
    device_id: str
    trade_point_id: int
    organization_bin: str
    active: bool = True


@dataclass
class Refund:
    id: int
    amount: Decimal
    at: float
    return_id: int | None


@dataclass
class Payment:
    id: int
    kind: str  # qr | link | remote
    amount: Decimal
    external_id: str | None
    device_token: str
    trade_point_id: int
    organization_bin: str
    created_at: float
    scan_deadline: float  # scanning at or after this moment fails
    confirm_timeout: float
    methods: tuple[str, ...]
    status: str
    late_cancel: float = 0  # Behaviour.late_cancel when the payment was made
    payer: str | None = None  # the customer who confirmed it (the test host names them)
    scanned_at: float | None = None
    finished_at: float | None = None
    reason: str = ""
    phone: str | None = None
    comment: str | None = None
    refunds: list[Refund] = field(default_factory=list)

    @property
    def refunded(self) -> Decimal:
        return sum((r.amount for r in self.refunds), Decimal("0"))

    @property
    def available(self) -> Decimal:
        return self.amount - self.refunded if self.status == PROCESSED else Decimal("0")

    def settle(self, now: float) -> None:
        """Apply what time did: a Wait past its confirmation timeout was cancelled by the bank,
        a remote invoice not paid within its 24 hours lapsed."""
        if self.status == REMOTE_CREATED and now >= self.scan_deadline:
            self.status, self.finished_at = ERROR, self.scan_deadline
            self.reason = "the invoice was not paid within 24 hours"
        if self.status == WAIT and self.scanned_at is not None and self.late_cancel >= 0:
            deadline = self.scanned_at + self.confirm_timeout + self.late_cancel
            if now >= deadline:
                self.status = ERROR
                self.finished_at = deadline
                self.reason = "not confirmed in time: the bank cancelled the purchase"

    def snapshot(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["amount"] = float(self.amount)
        data["methods"] = list(self.methods)
        data["available_return_amount"] = float(self.available)
        data["refunds"] = [{**r, "amount": float(r["amount"])} for r in data["refunds"]]
        return data


@dataclass
class ReturnQr:
    id: int
    device_token: str
    external_id: str | None
    created_at: float
    scan_deadline: float
    status: str = QR_TOKEN_CREATED
    customer: str | None = None  # who scanned it: the refund is of their purchases only
    used: bool = False  # a QrReturnId authorises one refund

    def settle(self, now: float) -> None:
        """Apply what time did: a return QR never scanned by its deadline has turned Error."""
        if self.status == QR_TOKEN_CREATED and now >= self.scan_deadline:
            self.status = ERROR


# --- field checks ---------------------------------------------------------------------------
_DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def parse_amount(raw: Any, code: int = BAD_AMOUNT) -> Decimal:
    """A JSON number above 0 with at most two decimals (tiyn); BankError otherwise."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise BankError(code, f"Amount must be a number, not {raw!r}")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise BankError(code, f"Amount must be a number, not {raw!r}") from None
    if not value.is_finite() or value <= 0:
        raise BankError(code, f"Amount must be more than 0, not {raw!r}")
    if value != value.quantize(Decimal("0.01")):
        raise BankError(code, f"Amount has more than two decimals: {raw!r}")
    return value.quantize(Decimal("0.01"))


def parse_id(raw: Any, name: str) -> int:
    """An Int64 id sent as a number or as digits in a string."""
    if isinstance(raw, bool):
        raise BankError(BAD_REQUEST, f"{name} must be a whole number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and re.fullmatch(r"\s*-?\d{1,19}\s*", raw):
        return int(raw)
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    raise BankError(BAD_REQUEST, f"{name} must be a whole number, not {raw!r}")


def parse_text(raw: Any, name: str, *, required: bool = True) -> str | None:
    """Text, or an id sometimes printed as a number (DeviceToken: 321, docs/kaspi/api.md §10.2)."""
    if raw is None or raw == "":
        if required:
            raise BankError(BAD_REQUEST, f"{name} is required")
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise BankError(BAD_REQUEST, f"{name} must be text, not {raw!r}")
    return str(raw)


def _phone_digits(raw: Any) -> str:
    text = parse_text(raw, "PhoneNumber") or ""
    digits = re.sub(r"[\s()\-+]", "", text)
    if not (digits.isdigit() and 10 <= len(digits) <= 12):
        raise BankError(BAD_REQUEST, f"PhoneNumber is not a phone number: {text!r}")
    return digits


class Bank:
    """Everything the bank knows. Not thread-safe: the HTTP layer holds one lock around it."""

    def __init__(
        self,
        behaviour: Behaviour | None = None,
        organizations: dict[str, list[TradePoint]] | None = None,
        *,
        first_id: int = FIRST_ID,
    ) -> None:
        self.behaviour = behaviour or Behaviour()
        self.organizations = organizations if organizations is not None else default_organizations()
        self.devices: dict[str, Device] = {}
        self.payments: dict[int, Payment] = {}
        self.returns: dict[int, ReturnQr] = {}
        self.next_id = first_id
        self._client_info_calls: dict[str, deque[float]] = {}

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    # --- organisations and devices ----------------------------------------------------------

    def trade_points(self, org: str) -> list[TradePoint]:
        points = self._organization(org)
        if not points:
            raise BankError(NO_TRADE_POINTS)
        return points

    def _organization(self, org: str) -> list[TradePoint]:
        if org not in self.organizations:
            raise BankError(UNKNOWN_ORGANIZATION, f"BIN {org!r} is not served by this certificate")
        return self.organizations[org]

    def trade_point(self, org: str, trade_point_id: int) -> TradePoint:
        for point in self._organization(org):
            if point.id == trade_point_id:
                return point
        raise BankError(TRADE_POINT_NOT_FOUND, f"TradePointId {trade_point_id}")

    def register_device(self, org: str, device_id: Any, trade_point_id: Any) -> Device:
        name = parse_text(device_id, "DeviceId") or ""
        if not _DEVICE_ID.match(name):
            raise BankError(
                BAD_REQUEST, "DeviceId may hold only Latin letters, digits, '-' and '_'"
            )
        point = self.trade_point(org, parse_id(trade_point_id, "TradePointId"))
        if not point.enabled:
            raise BankError(TRADE_POINT_DISABLED)
        if not point.accepts_qr:
            raise BankError(TRADE_POINT_NO_QR)
        for device in self.devices.values():
            if device.active and device.organization_bin == org and device.device_id == name:
                if device.trade_point_id != point.id:
                    where = f"{name} is at trade point {device.trade_point_id}"
                    raise BankError(DEVICE_OTHER_TRADE_POINT, where)
                return device
        device = Device(self._new_token(), name, point.id, org)
        self.devices[device.token] = device
        return device

    def _new_token(self) -> str:
        if self.behaviour.device_token_style == "numeric":
            return str(secrets.randbelow(9 * 10**17) + 10**17)  # 18 digits: an Int64
        return str(uuid.uuid4())

    def device(self, org: str | None, token: Any, *, active: bool = True) -> Device:
        """The caller's device; `org` None when the request carries no BIN (GET calls)."""
        text = parse_text(token, "DeviceToken") or ""
        device = self.devices.get(text)
        if device is None or (org is not None and device.organization_bin != org):
            raise BankError(DEVICE_NOT_FOUND)
        if active and not device.active:
            raise BankError(DEVICE_INACTIVE)
        return device

    def delete_device(self, org: str, token: Any) -> None:
        self.device(org, token).active = False

    def _selling_device(self, org: str | None, token: Any) -> Device:
        device = self.device(org, token)
        point = self.trade_point(device.organization_bin, device.trade_point_id)
        if not point.enabled:
            raise BankError(TRADE_POINT_DISABLED)
        if not point.accepts_qr:
            raise BankError(TRADE_POINT_NO_QR)
        return device

    # --- payments ---------------------------------------------------------------------------

    def create_payment(
        self, org: str, token: Any, amount: Any, external_id: Any, now: float, *, link: bool = False
    ) -> Payment:
        device = self._selling_device(org, token)
        value = parse_amount(amount)
        b = self.behaviour
        if not b.payment_methods:
            raise BankError(NO_PAYMENT_METHODS)
        wait = b.link_activation_timeout if link else b.scan_timeout
        payment = Payment(
            id=self._new_id(),
            kind="link" if link else "qr",
            amount=value,
            external_id=parse_text(external_id, "ExternalId", required=False),
            device_token=device.token,
            trade_point_id=device.trade_point_id,
            organization_bin=device.organization_bin,
            created_at=now,
            scan_deadline=now + wait,
            confirm_timeout=b.confirm_timeout,
            methods=tuple(b.payment_methods),
            status=QR_TOKEN_CREATED,
            late_cancel=b.late_cancel,
        )
        self.payments[payment.id] = payment
        return payment

    def payment(self, payment_id: Any, now: float, code: int = PURCHASE_NOT_FOUND) -> Payment:
        payment = self.payments.get(parse_id(payment_id, "QrPaymentId"))
        if payment is None:
            raise BankError(code, f"QrPaymentId {payment_id}")
        payment.settle(now)
        return payment

    def details(self, org: str | None, token: Any, payment_id: Any, now: float) -> Payment:
        device = self.device(org, token)
        payment = self.payment(payment_id, now)
        if payment.organization_bin != device.organization_bin:
            raise BankError(PURCHASE_NOT_FOUND, f"QrPaymentId {payment_id}")
        return payment

    # --- the customer's side (the test host's /test/payment/*) ------------------------------

    def scan(self, payment_id: Any, now: float) -> Payment:
        payment = self.payment(payment_id, now)
        if payment.status not in (QR_TOKEN_CREATED, REMOTE_CREATED):
            raise BankError(WRONG_STATUS, f"cannot scan a payment in status {payment.status}")
        if now >= payment.scan_deadline:
            raise BankError(WRONG_STATUS, "the QR token has expired")
        payment.status = WAIT
        payment.scanned_at = now
        return payment

    def confirm(self, payment_id: Any, now: float, customer: str = TEST_CUSTOMER) -> Payment:
        payment = self._waiting(payment_id, now, "confirm")
        payment.status = PROCESSED
        payment.finished_at = now
        payment.payer = customer
        return payment

    def scan_error(self, payment_id: Any, now: float) -> Payment:
        payment = self.payment(payment_id, now)
        if payment.status not in (QR_TOKEN_CREATED, REMOTE_CREATED):
            raise BankError(WRONG_STATUS, f"cannot scan a payment in status {payment.status}")
        return self._fail(payment, now, "the scan failed")

    def confirm_error(self, payment_id: Any, now: float) -> Payment:
        return self._fail(self._waiting(payment_id, now, "confirm"), now, "confirmation failed")

    def _waiting(self, payment_id: Any, now: float, what: str) -> Payment:
        payment = self.payment(payment_id, now)
        if payment.status != WAIT:
            raise BankError(
                WRONG_STATUS, f"cannot {what} a payment in status {payment.status} (scan it first)"
            )
        return payment

    def _fail(self, payment: Payment, now: float, reason: str) -> Payment:
        payment.status = ERROR
        payment.finished_at = now
        payment.reason = reason
        return payment

    # --- refunds ----------------------------------------------------------------------------

    def create_return(self, org: str, token: Any, external_id: Any, now: float) -> ReturnQr:
        device = self.device(org, token)
        point = self.trade_point(device.organization_bin, device.trade_point_id)
        if not point.enabled:
            raise BankError(TRADE_POINT_DISABLED)
        qr = ReturnQr(
            id=self._new_id(),
            device_token=device.token,
            external_id=parse_text(external_id, "ExternalId", required=False),
            created_at=now,
            scan_deadline=now + self.behaviour.return_scan_timeout,
        )
        self.returns[qr.id] = qr
        return qr

    def return_qr(self, return_id: Any) -> ReturnQr:
        qr = self.returns.get(parse_id(return_id, "QrReturnId"))
        if qr is None:
            raise BankError(PURCHASE_NOT_FOUND, f"QrReturnId {return_id}")
        return qr

    def scan_return(self, return_id: Any, now: float, customer: str = TEST_CUSTOMER) -> ReturnQr:
        qr = self.return_qr(return_id)
        if qr.status != QR_TOKEN_CREATED:
            raise BankError(WRONG_STATUS, f"the return QR is already {qr.status}")
        if now >= qr.scan_deadline:
            raise BankError(WRONG_STATUS, "the return QR token has expired")
        qr.status = CUSTOMER_IDENTITY_OBTAINED
        qr.customer = customer
        return qr

    def _identified(self, return_id: Any) -> ReturnQr:
        qr = self.return_qr(return_id)
        if qr.status != CUSTOMER_IDENTITY_OBTAINED:
            raise BankError(WRONG_STATUS, "the customer has not scanned the return QR")
        return qr

    def return_operations(
        self, org: str, token: Any, return_id: Any, max_result: Any, now: float
    ) -> list[Payment]:
        """The identified customer's last purchases at this device's trade point, newest first."""
        device = self.device(org, token)
        qr = self._identified(return_id)
        limit = 10 if max_result is None else parse_id(max_result, "MaxResult")
        limit = max(1, min(10, limit))
        for payment in self.payments.values():
            payment.settle(now)
        done = [
            p
            for p in self.payments.values()
            if p.status == PROCESSED
            and p.payer == qr.customer
            and (p.organization_bin, p.trade_point_id)
            == (device.organization_bin, device.trade_point_id)
        ]
        done.sort(key=lambda p: (p.finished_at or 0, p.id), reverse=True)
        return done[:limit]

    def refund(
        self,
        org: str,
        token: Any,
        payment_id: Any,
        amount: Any,
        now: float,
        *,
        return_id: Any = None,
        needs_return: bool = False,
    ) -> Refund:
        """payment/return; scheme standard (`needs_return`) pays only an identified customer."""
        device = self.device(org, token)
        point = self.trade_point(device.organization_bin, device.trade_point_id)
        if not point.enabled:
            raise BankError(TRADE_POINT_DISABLED)
        qr = None
        if needs_return:
            if return_id is None:
                raise BankError(BAD_REQUEST, "QrReturnId is required")
            qr = self._identified(return_id)
            if qr.used:
                raise BankError(WRONG_STATUS, "this QrReturnId has already served a refund")
        payment = self.payment(payment_id, now, REFUND_PURCHASE_NOT_FOUND)
        if qr is not None and payment.payer != qr.customer:
            # Scheme standard refunds one of the identified customer's purchases only.
            raise BankError(REFUND_PURCHASE_NOT_FOUND, "not a purchase of this customer")
        if (payment.organization_bin, payment.trade_point_id) != (
            device.organization_bin,
            device.trade_point_id,
        ):
            raise BankError(REFUND_OTHER_TRADE_POINT)
        if payment.status != PROCESSED:
            raise BankError(WRONG_STATUS, f"the purchase is {payment.status}")
        value = parse_amount(amount)
        if value > payment.available:
            raise BankError(REFUND_TOO_LARGE, f"{value} requested, {payment.available} available")
        refund = Refund(self._new_id(), value, now, qr.id if qr else None)
        payment.refunds.append(refund)
        if qr is not None:
            qr.used = True
        return refund

    # --- remote invoices (scheme enhanced) --------------------------------------------------

    def client_name(self, token: Any, phone: Any, now: float) -> str:
        device = self.device(None, token)
        calls = self._client_info_calls.setdefault(device.token, deque())
        while calls and calls[0] <= now - 60:
            calls.popleft()
        if len(calls) >= CLIENT_INFO_LIMIT:
            raise BankError(
                SERVICE_UNAVAILABLE, f"more than {CLIENT_INFO_LIMIT} client-info calls a minute"
            )
        calls.append(now)
        if _phone_digits(phone) == UNKNOWN_PHONE:
            raise BankError(CLIENT_NOT_FOUND)
        return CLIENT_NAME

    def create_remote(
        self, org: str, token: Any, amount: Any, phone: Any, comment: Any, now: float
    ) -> Payment:
        device = self.device(org, token)
        point = self.trade_point(device.organization_bin, device.trade_point_id)
        if not point.enabled:
            raise BankError(TRADE_POINT_DISABLED)
        value = parse_amount(amount)
        digits = _phone_digits(phone)
        if digits == UNKNOWN_PHONE:
            raise BankError(CLIENT_NOT_FOUND)
        payment = Payment(
            id=self._new_id(),
            kind="remote",
            amount=value,
            external_id=None,
            device_token=device.token,
            trade_point_id=device.trade_point_id,
            organization_bin=device.organization_bin,
            created_at=now,
            scan_deadline=now + REMOTE_WINDOW,
            confirm_timeout=self.behaviour.confirm_timeout,
            methods=tuple(self.behaviour.payment_methods),
            status=REMOTE_CREATED,
            phone=digits,
            comment=parse_text(comment, "Comment", required=False),
        )
        self.payments[payment.id] = payment
        return payment

    def cancel_remote(self, org: str, token: Any, payment_id: Any, now: float) -> Payment:
        device = self.device(org, token)
        payment = self.payment(payment_id, now, REMOTE_NOT_FOUND)
        if payment.kind != "remote" or payment.organization_bin != device.organization_bin:
            raise BankError(REMOTE_NOT_FOUND, f"no remote invoice {payment_id}")
        if payment.status != REMOTE_CREATED:
            raise BankError(WRONG_STATUS, f"the invoice is {payment.status}")
        payment.status = REMOTE_CANCELED
        payment.finished_at = now
        payment.reason = "cancelled by the partner"
        return payment

    # --- persistence of devices (payments live in memory) -----------------------------------

    def devices_to_json(self) -> list[dict[str, Any]]:
        return [dataclasses.asdict(d) for d in self.devices.values()]

    def load_devices(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            device = Device(
                token=str(item["token"]),
                device_id=str(item["device_id"]),
                trade_point_id=int(item["trade_point_id"]),
                organization_bin=str(item["organization_bin"]),
                active=bool(item.get("active", True)),
            )
            self.devices[device.token] = device
