"""Journal test helpers: a hand-moved clock and sales brought to a state along a legal path."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from kiosk.journal import FILE_NAME, Journal
from kiosk.payment.sale import SaleState

S = SaleState
START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


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
