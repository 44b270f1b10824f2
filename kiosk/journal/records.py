"""A sale as the journal holds it, and the rules of which state may follow which.

Which state may follow which (staying in the same state is always allowed: it
updates the reason or the flags; `x*`: only with a qr_payment_id, since only a
created payment can be scanned or paid):

    from \\ to   creating  qr   awaiting  processed  failed  cancelled  unknown
    creating      =       x*    x*        x*        x        x         x
    qr            .       =     x*        x*        x        x         x
    awaiting      .       .     =         x*        x        x         x
    processed     .       .     .         =         .        .         .
    failed        .       .     .         x*        =        .         .
    cancelled     .       .     .         x*        .        =         .
    unknown       .       .     .         x*        x        x         =

A paid sale stays paid. A sale the kiosk gave up on may still turn out paid
(a late payment): the caller sets needs_refund so the operator refunds it or
hands the goods over. That includes FAILED with any reason, not only the
timeouts: the bank's Processed is the truth, and refusing to record money the
customer paid is the one thing the journal must never do.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from kiosk.payment.sale import Reason, SaleState

SOURCES = ("keypad", "host", "cli", "mdb")

_S = SaleState
_TRANSITIONS: dict[SaleState, frozenset[SaleState]] = {
    _S.CREATING: frozenset(set(_S) - {_S.CREATING}),
    _S.QR: frozenset({_S.AWAITING, _S.PROCESSED, _S.FAILED, _S.CANCELLED, _S.UNKNOWN}),
    _S.AWAITING: frozenset({_S.PROCESSED, _S.FAILED, _S.CANCELLED, _S.UNKNOWN}),
    _S.PROCESSED: frozenset(),
    _S.FAILED: frozenset({_S.PROCESSED}),
    _S.CANCELLED: frozenset({_S.PROCESSED}),
    _S.UNKNOWN: frozenset({_S.PROCESSED, _S.FAILED, _S.CANCELLED}),
}
NEED_PAYMENT = frozenset({_S.QR, _S.AWAITING, _S.PROCESSED})
OPEN_STATES = tuple(s.value for s in SaleState if not s.is_final)


def can_move(old: SaleState, new: SaleState) -> bool:
    """Whether the table in the module docstring lets a sale go from `old` to `new`."""
    return old is new or new in _TRANSITIONS[old]


@dataclass(frozen=True)
class SaleRecord:
    """One sale as the journal holds it."""

    sale_id: int
    created_at: str
    updated_at: str
    amount: Decimal
    external_id: str | None
    source: str
    scheme: str
    device_id: str
    state: SaleState
    reason: Reason | None
    last_status: str | None
    qr_payment_id: int | None
    expire_date: str | None
    needs_refund: bool
    recovered: bool
    resolved_at: str | None
    refunded_amount: Decimal
    note: str | None
    scan_deadline: str | None = None  # UTC ISO: creation + QrCodeScanWaitTimeout
    confirm_timeout: float | None = None  # PaymentConfirmationTimeout, seconds
    product: str | None = None  # the vending machine's product (source "mdb")
    archived: bool = False

    @property
    def unsettled(self) -> bool:
        return self.needs_refund and self.resolved_at is None

    def to_json(self) -> dict[str, Any]:
        """JSON-safe: amounts are decimal strings ("100.50"), never floats; times UTC ISO."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out.update(
            amount=amount_text(self.amount),
            refunded_amount=amount_text(self.refunded_amount),
            state=self.state.value,
            reason=self.reason.value if self.reason else None,
        )
        return out

    @classmethod
    def _from_row(cls, row: sqlite3.Row, archived: bool = False) -> SaleRecord:
        values = {name: row[name] for name in NAMES}
        values.update(
            amount=Decimal(row["amount"]),
            refunded_amount=Decimal(row["refunded_amount"]),
            state=SaleState(row["state"]),
            reason=Reason(row["reason"]) if row["reason"] else None,
            needs_refund=bool(row["needs_refund"]),
            recovered=bool(row["recovered"]),
        )
        return cls(**values, archived=archived)


NAMES = tuple(f.name for f in fields(SaleRecord) if f.name != "archived")
FIELDS = ", ".join(NAMES)


def amount_text(value: Decimal) -> str:
    # "f": never exponent notation ("1E+2"), which a spreadsheet or an operator misreads.
    return format(value, "f")


def check_amount(value: object, what: str) -> None:
    if not isinstance(value, Decimal):
        kind = type(value).__name__
        raise TypeError(f"{what} must be a Decimal, not {kind} (floats are inexact)")
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{what} must be more than 0, not {value}")


@dataclass(frozen=True)
class EventRecord:
    """One entry of a sale's history: what happened (`kind`) and its details."""

    id: int
    sale_id: int
    at: str  # UTC ISO 8601
    # created, payment, status, state, note, refund_sending / _done / _failed / _unknown, refund,
    # resolved, recovered, archived; refund_requested in journals of kiosks before migration 5
    kind: str
    detail: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
