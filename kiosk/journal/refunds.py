"""Refunds in the journal: written before payment/return is sent and again when it answered.

A refund moves money, so the journal holds it the way it holds a sale: the row
is committed as `sending` before the call, then becomes `done` (with the bank's
ReturnOperationId), `failed` (the bank refused; nothing moved) or `unknown`
(no usable answer: it may have gone through). A payment with a `sending` or
`unknown` refund takes no new refund until the operator has looked at it and
said whether it went through (`checked`): the kiosk never repeats a refund on
its own, and the check and the new row are one transaction.

When the refund is of one of the kiosk's own sales, the sale's history gets
the same steps as events, and a done refund adds to its refunded amount and
settles its attention. The kiosk's own refunds (the MDB bridge's, of a paid vend
that did not drop: source `mdb`) are rows here like the operator's, and come at
most once per sale: `begin(first_of_sale=True)` refuses a sale that has any.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from kiosk.journal.records import amount_text, check_amount


class RefundState(StrEnum):
    SENDING = "sending"  # committed before the call; after a crash it reads as unknown
    DONE = "done"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @property
    def is_open(self) -> bool:
        """The outcome is not known: no new refund of the payment until an operator checks."""
        return self in (RefundState.SENDING, RefundState.UNKNOWN)


@dataclass(frozen=True)
class RefundRecord:
    refund_id: int
    requested_at: str
    finished_at: str | None
    qr_payment_id: int
    sale_id: int | None
    amount: Decimal
    available: Decimal | None  # AvailableReturnAmount read just before the call
    return_id: int | None
    scheme: str
    source: str
    state: RefundState
    return_operation_id: int | None
    error: str | None
    checked_note: str | None

    @classmethod
    def _from_row(cls, row: sqlite3.Row) -> RefundRecord:
        values = {name: row[name] for name in _NAMES}
        values.update(
            amount=Decimal(row["amount"]),
            available=Decimal(row["available"]) if row["available"] is not None else None,
            state=RefundState(row["state"]),
        )
        return cls(**values)


_NAMES = tuple(RefundRecord.__dataclass_fields__)
_FIELDS = ", ".join(_NAMES)
_OPEN = tuple(s.value for s in RefundState if s.is_open)


@dataclass(frozen=True)
class DayTotals:
    """Processed sales and done refunds since a moment (the service screen's "today")."""

    sales_count: int
    sales_sum: Decimal
    refunds_count: int
    refunds_sum: Decimal


class RefundPending(Exception):
    """The payment has a refund whose outcome is not known; an operator must check it first."""

    def __init__(self, record: RefundRecord) -> None:
        self.record = record
        super().__init__(
            f"refund {record.refund_id} of payment {record.qr_payment_id}"
            f" ({amount_text(record.amount)} ₸) is {record.state.value}: check it before another"
        )


class RefundRepeated(Exception):
    """The kiosk would refund on its own a sale that has had a refund before: never twice."""

    def __init__(self, record: RefundRecord) -> None:
        self.record = record
        super().__init__(
            f"sale {record.sale_id} already has refund {record.refund_id}"
            f" ({amount_text(record.amount)} ₸, {record.source}, {record.state.value}):"
            " the kiosk does not refund it again on its own"
        )


class _Store(Protocol):
    """The part of kiosk.journal.store.Store used here (not imported: no cycle)."""

    def _tx(self, write: bool = True) -> AbstractContextManager[sqlite3.Connection]: ...

    def _now(self) -> str: ...

    refund_done_hooks: list[Callable[[], None]]


class RefundBook:
    """The journal's refunds; get it as `journal.refunds`."""

    def __init__(self, store: _Store) -> None:
        self._store = store

    # --- writes ---

    def begin(
        self,
        qr_payment_id: int,
        amount: Decimal,
        *,
        scheme: str,
        source: str,
        sale_id: int | None = None,
        return_id: int | None = None,
        available: Decimal | None = None,
        first_of_sale: bool = False,
    ) -> int:
        """Commit the refund as `sending`; call it before payment/return. Returns its id.

        RefundPending if the payment already has a refund whose outcome is open;
        with `first_of_sale` (the kiosk refunding on its own), RefundRepeated if the
        sale has had any refund before, whatever its outcome.
        """
        check_amount(amount, "refund amount")
        if first_of_sale and sale_id is None:
            raise ValueError("a sale's first refund needs the sale")
        with self._store._tx() as conn:
            row = self._open_row(conn, qr_payment_id)
            if row is not None:
                raise RefundPending(RefundRecord._from_row(row))
            earlier = self._sale_row(conn, sale_id) if first_of_sale else None
            if earlier is not None:
                raise RefundRepeated(RefundRecord._from_row(earlier))
            now = self._store._now()
            cursor = conn.execute(
                "INSERT INTO refunds (requested_at, qr_payment_id, sale_id, amount, available,"
                " return_id, scheme, source, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    qr_payment_id,
                    sale_id,
                    amount_text(amount),
                    amount_text(available) if available is not None else None,
                    return_id,
                    scheme,
                    source,
                    RefundState.SENDING.value,
                ),
            )
            refund_id = cursor.lastrowid
            assert refund_id is not None
            detail = {"refund_id": refund_id, "amount": amount_text(amount), "source": source}
            self._sale_event(conn, sale_id, now, "refund_sending", detail)
        return refund_id

    def done(self, refund_id: int, return_operation_id: int | None, *, note: str = "") -> None:
        """The bank made the refund (ReturnOperationId; None when an operator confirmed it)."""
        with self._store._tx() as conn:
            record = self._finish(conn, refund_id, RefundState.DONE, None)
            conn.execute(
                "UPDATE refunds SET return_operation_id = ?, checked_note = ? WHERE refund_id = ?",
                (return_operation_id, note or None, refund_id),
            )
            self._add_to_sale(conn, record, return_operation_id)
        for hook in list(self._store.refund_done_hooks):  # after the commit: it is done
            hook()

    def failed(self, refund_id: int, error: str, *, note: str = "") -> None:
        """The bank refused (or an operator found it did not happen): no money moved."""
        with self._store._tx() as conn:
            self._finish(conn, refund_id, RefundState.FAILED, error)
            if note:
                conn.execute(
                    "UPDATE refunds SET checked_note = ? WHERE refund_id = ?", (note, refund_id)
                )

    def unknown(self, refund_id: int, error: str) -> None:
        """No usable answer: it may have gone through. It blocks new refunds of the payment."""
        with self._store._tx() as conn:
            self._finish(conn, refund_id, RefundState.UNKNOWN, error)

    def checked(self, refund_id: int, went_through: bool, note: str) -> None:
        """An operator looked at an open refund (e.g. AvailableReturnAmount) and decided."""
        record = self.get(refund_id)
        if record is None:
            raise LookupError(f"no refund {refund_id} in the journal")
        if not record.state.is_open:
            raise ValueError(f"refund {refund_id} is {record.state.value}, nothing to check")
        if went_through:
            self.done(refund_id, None, note=note)
        else:
            self.failed(refund_id, record.error or "did not go through", note=note)

    def _finish(
        self, conn: sqlite3.Connection, refund_id: int, state: RefundState, error: str | None
    ) -> RefundRecord:
        row = conn.execute(f"SELECT {_FIELDS} FROM refunds WHERE refund_id = ?", (refund_id,))
        found = row.fetchone()
        if found is None:
            raise LookupError(f"no refund {refund_id} in the journal")
        record = RefundRecord._from_row(found)
        if not record.state.is_open:
            raise ValueError(f"refund {refund_id} is already {record.state.value}")
        now = self._store._now()
        conn.execute(
            "UPDATE refunds SET state = ?, finished_at = ?, error = ? WHERE refund_id = ?",
            (state.value, now, error, refund_id),
        )
        detail: dict[str, Any] = {"refund_id": refund_id, "state": state.value}
        if error:
            detail["error"] = error
        self._sale_event(conn, record.sale_id, now, f"refund_{state.value}", detail)
        return record

    def _add_to_sale(
        self, conn: sqlite3.Connection, record: RefundRecord, operation: int | None
    ) -> None:
        if record.sale_id is None:
            return
        row = conn.execute(
            "SELECT refunded_amount, needs_refund, resolved_at FROM sales WHERE sale_id = ?",
            (record.sale_id,),
        ).fetchone()
        if row is None:
            return  # archived or never ours: the refunds table alone holds it
        now = self._store._now()
        total = Decimal(row["refunded_amount"]) + record.amount
        resolved = row["resolved_at"]
        if row["needs_refund"] and resolved is None:
            resolved = now
        conn.execute(
            "UPDATE sales SET refunded_amount = ?, resolved_at = ?, updated_at = ?"
            " WHERE sale_id = ?",
            (amount_text(total), resolved, now, record.sale_id),
        )
        detail = {
            "amount": amount_text(record.amount),
            "return_operation_id": operation,
            "refunded_total": amount_text(total),
            "refund_id": record.refund_id,
        }
        self._sale_event(conn, record.sale_id, now, "refund", detail)

    @staticmethod
    def _sale_event(
        conn: sqlite3.Connection, sale_id: int | None, at: str, kind: str, detail: dict[str, Any]
    ) -> None:
        if sale_id is None:
            return
        if conn.execute("SELECT 1 FROM sales WHERE sale_id = ?", (sale_id,)).fetchone() is None:
            return
        conn.execute(
            "INSERT INTO events (sale_id, at, kind, detail) VALUES (?, ?, ?, ?)",
            (sale_id, at, kind, json.dumps(detail, ensure_ascii=False, sort_keys=True)),
        )

    @staticmethod
    def _open_row(conn: sqlite3.Connection, qr_payment_id: int) -> sqlite3.Row | None:
        marks = ", ".join("?" * len(_OPEN))
        found: sqlite3.Row | None = conn.execute(
            f"SELECT {_FIELDS} FROM refunds WHERE qr_payment_id = ? AND state IN ({marks})"
            " ORDER BY refund_id LIMIT 1",
            (qr_payment_id, *_OPEN),
        ).fetchone()
        return found

    @staticmethod
    def _sale_row(conn: sqlite3.Connection, sale_id: int | None) -> sqlite3.Row | None:
        found: sqlite3.Row | None = conn.execute(
            f"SELECT {_FIELDS} FROM refunds WHERE sale_id = ? ORDER BY refund_id LIMIT 1",
            (sale_id,),
        ).fetchone()
        return found

    # --- reads ---

    def get(self, refund_id: int) -> RefundRecord | None:
        with self._store._tx(write=False) as conn:
            row = conn.execute(
                f"SELECT {_FIELDS} FROM refunds WHERE refund_id = ?", (refund_id,)
            ).fetchone()
        return RefundRecord._from_row(row) if row is not None else None

    def open_for(self, qr_payment_id: int) -> RefundRecord | None:
        """The payment's refund whose outcome is open, if any."""
        with self._store._tx(write=False) as conn:
            row = self._open_row(conn, qr_payment_id)
        return RefundRecord._from_row(row) if row is not None else None

    def all_open(self) -> list[RefundRecord]:
        """Every refund whose outcome is open, however old, oldest first: the operator checks."""
        marks = ", ".join("?" * len(_OPEN))
        with self._store._tx(write=False) as conn:
            rows = conn.execute(
                f"SELECT {_FIELDS} FROM refunds WHERE state IN ({marks}) ORDER BY refund_id",
                _OPEN,
            ).fetchall()
        return [RefundRecord._from_row(r) for r in rows]

    def of_sale(self, sale_id: int) -> list[RefundRecord]:
        """The sale's refunds, oldest first."""
        with self._store._tx(write=False) as conn:
            rows = conn.execute(
                f"SELECT {_FIELDS} FROM refunds WHERE sale_id = ? ORDER BY refund_id", (sale_id,)
            ).fetchall()
        return [RefundRecord._from_row(r) for r in rows]

    def recent(self, limit: int = 50) -> list[RefundRecord]:
        with self._store._tx(write=False) as conn:
            rows = conn.execute(
                f"SELECT {_FIELDS} FROM refunds ORDER BY refund_id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [RefundRecord._from_row(r) for r in rows]

    def totals(self, since: datetime) -> DayTotals:
        """Processed sales created and done refunds requested at or after `since`."""
        cutoff = since.astimezone(UTC).isoformat(timespec="milliseconds")
        with self._store._tx(write=False) as conn:
            sales = [
                Decimal(r[0])
                for r in conn.execute(
                    "SELECT amount FROM sales WHERE state = 'processed' AND created_at >= ?",
                    (cutoff,),
                )
            ]
            refunds = [
                Decimal(r[0])
                for r in conn.execute(
                    "SELECT amount FROM refunds WHERE state = 'done' AND requested_at >= ?",
                    (cutoff,),
                )
            ]
        return DayTotals(len(sales), sum(sales, Decimal(0)), len(refunds), sum(refunds, Decimal(0)))
