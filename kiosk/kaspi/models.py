"""Typed answers of the Kaspi QR API.

Each model is built from the envelope's `Data` by `from_data`, which checks the
fields docs/kaspi/api.md lists for it (ProtocolError otherwise) and keeps every field it
does not know in `extra`: production answers carry fields the guide never
printed (`TransactionId`, `LoanTerm`, `ProductType` on the v02 status, docs/kaspi/api.md §11.2).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from kiosk.kaspi.dates import parse_datetime
from kiosk.kaspi.errors import ProtocolError

_log = logging.getLogger("kiosk.kaspi")

T = TypeVar("T")


class PaymentStatus(StrEnum):
    """docs/kaspi/api.md §5.5. Anything else the bank sends is kept as its text;
    kiosk.payment.flow.meaning_of is the one place that says what each text means."""

    QR_TOKEN_CREATED = "QrTokenCreated"
    WAIT = "Wait"
    PROCESSED = "Processed"
    ERROR = "Error"


class ReturnStatus(StrEnum):
    """docs/kaspi/api.md §6.8, plus `Error` which the life-cycle line names (§10.11)."""

    QR_TOKEN_CREATED = "QrTokenCreated"
    CUSTOMER_IDENTITY_OBTAINED = "CustomerIdentityObtained"
    ERROR = "Error"


class Fields:
    """Reads typed fields out of one `Data` object and remembers which were used."""

    def __init__(self, data: Any, what: str, request_id: str | None) -> None:
        if not isinstance(data, Mapping):
            raise ProtocolError(
                f"{what}: expected an object, got {type(data).__name__}", request_id=request_id
            )
        self._data = data
        self._what = what
        self._request_id = request_id
        self._used: set[str] = set()

    def _get(self, name: str, convert: Callable[[Any], T], required: bool) -> T | None:
        self._used.add(name)
        raw = self._data.get(name)
        if raw is None:
            if required:
                raise ProtocolError(f"{self._what}: {name} is missing", request_id=self._request_id)
            return None
        try:
            return convert(raw)
        except (TypeError, ValueError, InvalidOperation) as exc:
            raise ProtocolError(
                f"{self._what}: {name} is not valid ({exc})", request_id=self._request_id
            ) from None

    def text(self, name: str) -> str:
        value = self._get(name, _as_str, True)
        assert value is not None
        return value

    def integer(self, name: str) -> int:
        value = self._get(name, _as_int, True)
        assert value is not None
        return value

    def amount(self, name: str) -> Decimal:
        value = self._get(name, _as_amount, True)
        assert value is not None
        return value

    def date(self, name: str) -> datetime:
        value = self._get(name, parse_datetime, True)
        assert value is not None
        return value

    def optional_date(self, name: str) -> datetime | None:
        return self._get(name, parse_datetime, False)

    def advisory_date(self, name: str) -> datetime | None:
        """A date nothing depends on (ExpireDate): missing or unreadable, it is logged and None.

        An unexpected shape of a field the kiosk only uses to shorten a deadline must
        never fail the call that carried it.
        """
        self._used.add(name)
        raw = self._data.get(name) if isinstance(self._data, dict) else None
        if raw is None:
            return None
        try:
            return parse_datetime(raw)
        except ValueError as exc:
            _log.warning("%s: %s ignored (%s)", self._what, name, exc)
            return None

    def texts(self, name: str) -> tuple[str, ...]:
        value = self._get(name, _as_str_list, False)
        return value or ()

    def nested(self, name: str) -> Fields:
        self._used.add(name)
        return Fields(self._data.get(name), f"{self._what}.{name}", self._request_id)

    def extra(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if k not in self._used}


def _as_str(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise TypeError(f"expected text, got {type(raw).__name__}")
    return str(raw)  # DeviceToken is a GUID in most examples and an Int64 in some


def _as_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise TypeError("expected a whole number, got a boolean")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw)
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    raise TypeError(f"expected a whole number, got {raw!r}")


def _as_amount(raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise TypeError(f"expected an amount, got {raw!r}")
    value = Decimal(str(raw))
    if not value.is_finite():
        raise ValueError(f"expected an amount, got {raw!r}")
    return value


def _as_str_list(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise TypeError("expected a list of text")
    return tuple(raw)


@dataclass(frozen=True)
class TradePoint:
    id: int
    name: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_data(cls, data: Any, request_id: str | None = None) -> TradePoint:
        f = Fields(data, "trade point", request_id)
        return cls(id=f.integer("TradePointId"), name=f.text("TradePointName"), extra=f.extra())


@dataclass(frozen=True)
class BehaviorOptions:
    """How often to poll and how long each stage may last, in seconds, as the bank says."""

    poll_interval: float
    scan_timeout: float
    confirm_timeout: float


def _as_seconds(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise TypeError(f"expected seconds, got {raw!r}")
    value = float(raw)
    if not value > 0 or value != value or value == float("inf"):
        raise ValueError(f"expected a positive number of seconds, got {raw!r}")
    return value


def _seconds(f: Fields, name: str) -> float:
    value = f._get(name, _as_seconds, True)
    assert value is not None
    return value


#: The link's first-stage timeout: its field tables say LinkActivationWaitTimeout, the
#: guide's text QrCodeScanWaitTimeout (docs/kaspi/api.md §10.6). Either is accepted,
#: the tables' name first.
LINK_TIMEOUT_NAMES = ("LinkActivationWaitTimeout", "QrCodeScanWaitTimeout")


def _link_timeout(f: Fields) -> float:
    for name in LINK_TIMEOUT_NAMES:
        value = f._get(name, _as_seconds, False)
        if value is not None:
            return value
    return _seconds(f, LINK_TIMEOUT_NAMES[0])  # raises, naming the tables' field


@dataclass(frozen=True)
class QrPayment:
    """The answer of `/qr/create` (and, with its other field names, `/qr/create-link`)."""

    payment_id: int
    qr_token: str  # the QR image content; for a link, the link URL
    expire_date: datetime | None  # advisory: None when missing or unreadable
    payment_methods: tuple[str, ...]
    behavior: BehaviorOptions
    is_link: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    #: The answer's `Date` header (the bank's clock when it answered), when it had one.
    bank_date: datetime | None = field(default=None, compare=False)
    #: The kiosk's monotonic clock when the answer arrived: the stages are timed from it.
    received_at: float | None = field(default=None, compare=False)

    @classmethod
    def from_data(cls, data: Any, request_id: str | None = None) -> QrPayment:
        f = Fields(data, "qr/create", request_id)
        opts = f.nested("QrPaymentBehaviorOptions")
        return cls(
            payment_id=f.integer("QrPaymentId"),
            qr_token=f.text("QrToken"),
            expire_date=f.advisory_date("ExpireDate"),
            payment_methods=f.texts("PaymentMethods"),
            behavior=BehaviorOptions(
                poll_interval=_seconds(opts, "StatusPollingInterval"),
                scan_timeout=_seconds(opts, "QrCodeScanWaitTimeout"),
                confirm_timeout=_seconds(opts, "PaymentConfirmationTimeout"),
            ),
            extra=f.extra(),
        )

    @classmethod
    def from_link_data(cls, data: Any, request_id: str | None = None) -> QrPayment:
        f = Fields(data, "qr/create-link", request_id)
        opts = f.nested("PaymentBehaviorOptions")
        return cls(
            payment_id=f.integer("PaymentId"),
            qr_token=f.text("PaymentLink"),
            expire_date=f.advisory_date("ExpireDate"),
            payment_methods=f.texts("PaymentMethods"),
            behavior=BehaviorOptions(
                poll_interval=_seconds(opts, "StatusPollingInterval"),
                scan_timeout=_link_timeout(opts),
                confirm_timeout=_seconds(opts, "PaymentConfirmationTimeout"),
            ),
            is_link=True,
            extra=f.extra(),
        )


@dataclass(frozen=True)
class StatusReport:
    """`/payment/status`: the status text (possibly one docs/kaspi/api.md §5.5 does not list)."""

    status: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_data(cls, data: Any, request_id: str | None = None) -> StatusReport:
        f = Fields(data, "payment/status", request_id)
        return cls(status=f.text("Status"), extra=f.extra())


@dataclass(frozen=True)
class PaymentDetails:
    payment_id: int
    total_amount: Decimal
    available_return_amount: Decimal
    transaction_date: datetime | None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_data(cls, data: Any, request_id: str | None = None) -> PaymentDetails:
        f = Fields(data, "payment/details", request_id)
        return cls(
            payment_id=f.integer("QrPaymentId"),
            total_amount=f.amount("TotalAmount"),
            available_return_amount=f.amount("AvailableReturnAmount"),
            transaction_date=f.optional_date("TransactionDate"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class ReturnQr:
    """`/return/create` (scheme 2): the QR the customer scans to identify for a refund."""

    return_id: int
    qr_token: str
    expire_date: datetime | None
    poll_interval: float
    scan_timeout: float
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_data(cls, data: Any, request_id: str | None = None) -> ReturnQr:
        f = Fields(data, "return/create", request_id)
        opts = f.nested("QrReturnBehaviorOptions")
        return cls(
            return_id=f.integer("QrReturnId"),
            qr_token=f.text("QrToken"),
            expire_date=f.advisory_date("ExpireDate"),
            poll_interval=_seconds(opts, "QrCodeScanEventPollingInterval"),
            scan_timeout=_seconds(opts, "QrCodeScanWaitTimeout"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class ReturnOperation:
    """One of the customer's recent purchases, from `/return/operations`."""

    payment_id: int
    transaction_date: datetime | None
    amount: Decimal
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_data(cls, data: Any, request_id: str | None = None) -> ReturnOperation:
        f = Fields(data, "return/operations", request_id)
        return cls(
            payment_id=f.integer("QrPaymentId"),
            transaction_date=f.optional_date("TransactionDate"),
            amount=f.amount("Amount"),
            extra=f.extra(),
        )


def list_of(
    model: Callable[[Any, str | None], T], data: Any, what: str, request_id: str | None
) -> list[T]:
    if not isinstance(data, list):
        raise ProtocolError(f"{what}: Data is not a list", request_id=request_id)
    return [model(item, request_id) for item in data]
