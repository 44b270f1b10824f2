"""Journal test helpers: a hand-moved clock, sales brought to a state along a legal path, and
the one factory of a SaleRecord and of a RefundRecord (journal rows built without a journal)."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from kiosk.journal import FILE_NAME, Journal, RefundRecord, RefundState, SaleRecord
from kiosk.payment.sale import SaleState

S = SaleState
START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


#: A row a journal could hold: a keypad sale of 100 showing its QR. A test changes only
#: the fields it is about (`sale_record(state=S.PROCESSED, needs_refund=True)`).
SALE_RECORD = SaleRecord(
    sale_id=1,
    created_at="2025-10-22T12:00:00.000+00:00",
    updated_at="2025-10-22T12:00:00.000+00:00",
    amount=Decimal("100"),
    external_id=None,
    source="keypad",
    scheme="standard",
    device_id="KIOSK-001",
    state=SaleState.QR,
    reason=None,
    last_status=None,
    qr_payment_id=7001,
    expire_date=None,
    needs_refund=False,
    recovered=False,
    resolved_at=None,
    refunded_amount=Decimal("0"),
    note=None,
)


def sale_record(**changes: object) -> SaleRecord:
    """SALE_RECORD with `changes`: the one way tests build a SaleRecord by hand."""
    return dataclasses.replace(SALE_RECORD, **changes)  # type: ignore[arg-type]


#: A refund a journal could hold: 50 of sale 1's payment, done from service mode.
REFUND_RECORD = RefundRecord(
    refund_id=1,
    requested_at="2025-10-22T12:05:00+00:00",
    finished_at="2025-10-22T12:05:01+00:00",
    qr_payment_id=7001,
    sale_id=1,
    amount=Decimal("50"),
    available=Decimal("100"),
    return_id=None,
    scheme="standard",
    source="service",
    state=RefundState.DONE,
    return_operation_id=9001,
    error=None,
    checked_note=None,
)


def refund_record(**changes: object) -> RefundRecord:
    """REFUND_RECORD with `changes`, as `sale_record` is for sales."""
    return dataclasses.replace(REFUND_RECORD, **changes)  # type: ignore[arg-type]


class Clock:
    """Wall-clock time the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def new_sale(j: Journal, amount: str = "100.00", **kw: str | None) -> int:
    args: dict[str, str | None] = {
        "external_id": None,
        "source": "keypad",
        "scheme": "standard",
        "device_id": "KIOSK-001",
    }
    args.update(kw)
    return j.begin_sale(Decimal(amount), **args)  # type: ignore[arg-type]


def sale_in(j: Journal, state: SaleState, payment_id: int = 7001) -> int:
    """A sale brought to `state` along a legal path."""
    sale_id = new_sale(j)
    if state is S.CREATING:
        return sale_id
    j.payment_created(sale_id, payment_id, "2025-03-01T17:03:00.000+05:00")
    if state is S.QR:
        return sale_id
    j.set_state(sale_id, S.AWAITING)
    if state is not S.AWAITING:
        j.set_state(sale_id, state)
    return sale_id


def raw(tmp_path: Path) -> sqlite3.Connection:
    """A second, independent connection to the same file (as another process would open)."""
    return sqlite3.connect(tmp_path / FILE_NAME, isolation_level=None)
