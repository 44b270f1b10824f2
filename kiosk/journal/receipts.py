"""Fiscal receipts in the journal: the row and its ExternalCheckNumber before the register
is called, its answer after.

Every paid sale owes one sale receipt and every done refund of such a sale one
return receipt (kind `sale` / `return`). A receipt row is written `pending`
with its own ExternalCheckNumber (a random UUID: unique for the journal's life
and across `kiosk journal accept`, whose new journal starts no counter over it)
and committed before the first `Check`; every retry sends that same number, so
the register makes it once whatever was lost. Unique indexes hold one sale
receipt per sale and one return receipt per refund. `done` keeps the answer (a
return must name its sale's receipt); `failed` is a refusal that repeating
cannot change, until the operator retries it.

Receipts are owed only from the moment fiscal receipts were first turned on
(`owe_from_now`): a journal's older sales are not sent to a new register.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from kiosk.journal.records import amount_text


class ReceiptState(StrEnum):
    PENDING = "pending"  # committed before the Check call; sent again until answered
    DONE = "done"
    FAILED = "failed"  # refused for good; the operator may retry


class ReceiptKind(StrEnum):
    SALE = "sale"
    RETURN = "return"


@dataclass(frozen=True)
class ReceiptRecord:
    receipt_id: int
    created_at: str
    updated_at: str
    kind: ReceiptKind
    sale_id: int
    refund_id: int | None
    amount: Decimal
    external_number: str
    state: ReceiptState
    attempts: int
    error: str | None
    check_number: str | None
    ticket_url: str | None
    date_time: str | None
    registration_number: str | None
    offline: bool
    answer: str | None
    done_at: str | None

    @classmethod
    def _from_row(cls, row: sqlite3.Row) -> ReceiptRecord:
        return cls(
            receipt_id=row["receipt_id"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            kind=ReceiptKind(row["kind"]),
            sale_id=row["sale_id"],
            refund_id=row["refund_id"],
            amount=Decimal(row["amount"]),
            external_number=row["external_number"],
            state=ReceiptState(row["state"]),
            attempts=row["attempts"],
            error=row["error"],
            check_number=row["check_number"],
            ticket_url=row["ticket_url"],
            date_time=row["date_time"],
            registration_number=row["registration_number"],
            offline=bool(row["offline"]),
            answer=row["answer"],
            done_at=row["done_at"],
        )

    def to_json(self) -> dict[str, object]:
        return {
            "receipt_id": self.receipt_id,
            "kind": self.kind.value,
            "sale_id": self.sale_id,
            "refund_id": self.refund_id,
            "amount": amount_text(self.amount),
            "external_number": self.external_number,
            "state": self.state.value,
            "attempts": self.attempts,
            "error": self.error,
            "number": self.check_number,
            "url": self.ticket_url,
            "created_at": self.created_at,
            "done_at": self.done_at,
        }


@dataclass(frozen=True)
class Answer:
    """What the register answered for a receipt (kiosk.fiscal.models.Receipt, flattened)."""

    check_number: str
    date_time: str
    registration_number: str | None
    ticket_url: str | None
    offline: bool
    answer: str  # the answer's Data as JSON text


_COLUMNS = (
    "receipt_id, created_at, updated_at, kind, sale_id, refund_id, amount, external_number,"
    " state, attempts, error, check_number, ticket_url, date_time, registration_number,"
    " offline, answer, done_at"
)
_FROM_SALE = "fiscal_from_sale"
_FROM_REFUND = "fiscal_from_refund"


class _Store(Protocol):
    """The part of kiosk.journal.store.Store used here (not imported: no cycle)."""

    def _tx(self, write: bool = True) -> AbstractContextManager[sqlite3.Connection]: ...

    def _now(self) -> str: ...


class ReceiptBook:
    """The journal's fiscal receipts; get it as `journal.receipts`."""

    def __init__(self, store: _Store) -> None:
        self._store = store

    # --- writes ---

    def owe_from_now(self) -> None:
        """Sales and refunds from now on owe receipts; the first call decides, later ones keep."""
        with self._store._tx() as conn:
            for key, table in ((_FROM_SALE, "sales"), (_FROM_REFUND, "refunds")):
                row = conn.execute(
                    "SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)
                ).fetchone()
                conn.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                    (key, int(row[0]) if row is not None else 0),
                )

    def open_owed(self) -> list[int]:
        """Write a pending row for every receipt owed and not yet written; their ids.

        A sale receipt for each paid sale; a return receipt for each done refund of a
        sale whose own receipt is done (the return names it; while the sale's receipt
        is pending the return waits, and a failed one leaves it to the operator).
        """
        made: list[int] = []
        with self._store._tx() as conn:
            from_sale = self._mark(conn, _FROM_SALE)
            from_refund = self._mark(conn, _FROM_REFUND)
            if from_sale is None or from_refund is None:
                return made  # receipts were never turned on for this journal
            now = self._store._now()
            sales = conn.execute(
                "SELECT s.sale_id, s.amount FROM sales s WHERE s.state = 'processed'"
                " AND s.sale_id > ? AND NOT EXISTS (SELECT 1 FROM receipts r"
                " WHERE r.sale_id = s.sale_id AND r.kind = 'sale') ORDER BY s.sale_id",
                (from_sale,),
            ).fetchall()
            for sale_id, amount in sales:
                made.append(self._insert(conn, now, ReceiptKind.SALE, sale_id, None, amount))
            refunds = conn.execute(
                "SELECT f.refund_id, f.sale_id, f.amount FROM refunds f"
                " JOIN receipts r ON r.sale_id = f.sale_id AND r.kind = 'sale'"
                " AND r.state = 'done' WHERE f.state = 'done' AND f.refund_id > ?"
                " AND NOT EXISTS (SELECT 1 FROM receipts x WHERE x.refund_id = f.refund_id"
                " AND x.kind = 'return') ORDER BY f.refund_id",
                (from_refund,),
            ).fetchall()
            for refund_id, sale_id, amount in refunds:
                made.append(self._insert(conn, now, ReceiptKind.RETURN, sale_id, refund_id, amount))
        return made

    def attempt(self, receipt_id: int) -> None:
        """Count a send, committed before it leaves (the journal shows how often it went)."""
        with self._store._tx() as conn:
            conn.execute(
                "UPDATE receipts SET attempts = attempts + 1, updated_at = ? WHERE receipt_id = ?",
                (self._store._now(), receipt_id),
            )

    def done(self, receipt_id: int, answer: Answer) -> None:
        with self._store._tx() as conn:
            record = self._get(conn, receipt_id)
            if record.state is ReceiptState.DONE:
                return  # a second sender's answer to the same number: the same receipt
            now = self._store._now()
            conn.execute(
                "UPDATE receipts SET state = 'done', error = NULL, check_number = ?,"
                " ticket_url = ?, date_time = ?, registration_number = ?, offline = ?,"
                " answer = ?, done_at = ?, updated_at = ? WHERE receipt_id = ?",
                (
                    answer.check_number,
                    answer.ticket_url,
                    answer.date_time,
                    answer.registration_number,
                    int(answer.offline),
                    answer.answer,
                    now,
                    now,
                    receipt_id,
                ),
            )
            self._event(conn, record, now, "receipt_done", {"number": answer.check_number})

    def failed(self, receipt_id: int, error: str) -> None:
        """Refused for good: no receipt was made; the operator sees the register's text."""
        self._set(receipt_id, ReceiptState.FAILED, error, "receipt_failed")

    def still_pending(self, receipt_id: int, error: str) -> None:
        """Not answered or not yet possible: sent again later with the same number."""
        self._set(receipt_id, ReceiptState.PENDING, error, None)

    def retry(self, receipt_id: int) -> None:
        """The operator sends a failed receipt again (same ExternalCheckNumber)."""
        with self._store._tx() as conn:
            record = self._get(conn, receipt_id)
            if record.state is not ReceiptState.FAILED:
                raise ValueError(f"receipt {receipt_id} is {record.state.value}, not failed")
        self._set(receipt_id, ReceiptState.PENDING, record.error or "", "receipt_retry")

    def _set(self, receipt_id: int, state: ReceiptState, error: str, kind: str | None) -> None:
        with self._store._tx() as conn:
            record = self._get(conn, receipt_id)
            if record.state is ReceiptState.DONE:
                raise ValueError(f"receipt {receipt_id} is done")
            now = self._store._now()
            conn.execute(
                "UPDATE receipts SET state = ?, error = ?, updated_at = ? WHERE receipt_id = ?",
                (state.value, error, now, receipt_id),
            )
            if kind is not None:
                self._event(conn, record, now, kind, {"error": error})

    def zreport_done(self, day: str) -> None:
        """The daily Z-report of `day` (ISO date) was made: once a day, across restarts."""
        with self._store._tx() as conn:
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('fiscal_zreport_day', ?)", (day,))

    # --- reads ---

    def owed_by(self, sale_id: int) -> bool:
        """Whether this sale owes a receipt if paid: made after receipts were turned on."""
        with self._store._tx(write=False) as conn:
            mark = self._mark(conn, _FROM_SALE)
        return mark is not None and sale_id > mark

    def last_zreport_day(self) -> str | None:
        with self._store._tx(write=False) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'fiscal_zreport_day'").fetchone()
        return str(row[0]) if row is not None else None

    def get(self, receipt_id: int) -> ReceiptRecord | None:
        with self._store._tx(write=False) as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM receipts WHERE receipt_id = ?", (receipt_id,)
            ).fetchone()
        return ReceiptRecord._from_row(row) if row is not None else None

    def of_sale(self, sale_id: int) -> list[ReceiptRecord]:
        """The sale's receipts, its sale receipt first, then its returns."""
        return self._select("sale_id = ? ORDER BY receipt_id", (sale_id,))

    def sale_receipt(self, sale_id: int) -> ReceiptRecord | None:
        found = self._select("sale_id = ? AND kind = 'sale'", (sale_id,))
        return found[0] if found else None

    def of_sales(self, sale_ids: list[int]) -> dict[int, ReceiptRecord]:
        """Each listed sale's sale receipt (for the journal's listings)."""
        found: dict[int, ReceiptRecord] = {}
        for start in range(0, len(sale_ids), 500):
            chunk = sale_ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for record in self._select(f"kind = 'sale' AND sale_id IN ({marks})", tuple(chunk)):
                found[record.sale_id] = record
        return found

    def pending(self) -> list[ReceiptRecord]:
        """Receipts still to send, oldest first: sale receipts before the returns naming them."""
        return self._select("state = 'pending' ORDER BY receipt_id", ())

    def needing_operator(self) -> list[ReceiptRecord]:
        """Pending and failed receipts, oldest first (service mode's list)."""
        return self._select("state IN ('pending', 'failed') ORDER BY receipt_id", ())

    def recent(self, limit: int = 100) -> list[ReceiptRecord]:
        return self._select("1 ORDER BY receipt_id DESC LIMIT ?", (limit,))

    def counts(self) -> dict[str, int]:
        """Receipts by state (every state listed, 0 when none)."""
        counted = dict.fromkeys((s.value for s in ReceiptState), 0)
        with self._store._tx(write=False) as conn:
            for state, count in conn.execute("SELECT state, COUNT(*) FROM receipts GROUP BY state"):
                counted[state] = count
        return counted

    # --- helpers ---

    def _select(self, where: str, params: tuple[object, ...]) -> list[ReceiptRecord]:
        with self._store._tx(write=False) as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM receipts WHERE {where}", params)
            return [ReceiptRecord._from_row(r) for r in rows.fetchall()]

    @staticmethod
    def _mark(conn: sqlite3.Connection, key: str) -> int | None:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return int(row[0]) if row is not None else None

    @staticmethod
    def _get(conn: sqlite3.Connection, receipt_id: int) -> ReceiptRecord:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM receipts WHERE receipt_id = ?", (receipt_id,)
        ).fetchone()
        if row is None:
            raise LookupError(f"no receipt {receipt_id} in the journal")
        return ReceiptRecord._from_row(row)

    def _insert(
        self,
        conn: sqlite3.Connection,
        now: str,
        kind: ReceiptKind,
        sale_id: int,
        refund_id: int | None,
        amount: str,
    ) -> int:
        external = str(uuid.uuid4())
        cursor = conn.execute(
            "INSERT INTO receipts (created_at, updated_at, kind, sale_id, refund_id, amount,"
            " external_number, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')",
            (now, now, kind.value, sale_id, refund_id, amount, external),
        )
        receipt_id = cursor.lastrowid
        assert receipt_id is not None
        detail: dict[str, object] = {
            "receipt_id": receipt_id,
            "kind": kind.value,
            "external_number": external,
        }
        self._sale_event(conn, sale_id, now, "receipt_pending", detail)
        return receipt_id

    def _event(
        self,
        conn: sqlite3.Connection,
        record: ReceiptRecord,
        at: str,
        kind: str,
        detail: dict[str, object],
    ) -> None:
        full = {"receipt_id": record.receipt_id, "kind": record.kind.value, **detail}
        self._sale_event(conn, record.sale_id, at, kind, full)

    @staticmethod
    def _sale_event(
        conn: sqlite3.Connection, sale_id: int, at: str, kind: str, detail: dict[str, object]
    ) -> None:
        if conn.execute("SELECT 1 FROM sales WHERE sale_id = ?", (sale_id,)).fetchone() is None:
            return  # archived: the receipts table alone holds it
        conn.execute(
            "INSERT INTO events (sale_id, at, kind, detail) VALUES (?, ?, ?, ?)",
            (sale_id, at, kind, json.dumps(detail, ensure_ascii=False, sort_keys=True)),
        )
