"""The journal's tables, and the append-only migrations that bring an old file up to date."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from kiosk.journal.errors import JournalError

_SALE_COLUMNS = (
    "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, amount TEXT NOT NULL, external_id TEXT,"
    " source TEXT NOT NULL, scheme TEXT NOT NULL, device_id TEXT NOT NULL, state TEXT NOT NULL,"
    " reason TEXT, last_status TEXT, qr_payment_id INTEGER, expire_date TEXT,"
    " needs_refund INTEGER NOT NULL DEFAULT 0 CHECK (needs_refund IN (0, 1)),"
    " recovered INTEGER NOT NULL DEFAULT 0 CHECK (recovered IN (0, 1)),"
    " resolved_at TEXT, refunded_amount TEXT NOT NULL DEFAULT '0', note TEXT"
)

# States and sources are checked in Python, not by CHECK constraints: SQLite
# cannot alter a constraint, and a new state should not need a table rebuild.
_V1 = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value)",
    # AUTOINCREMENT: an archived sale's id is never handed out again.
    f"CREATE TABLE sales (sale_id INTEGER PRIMARY KEY AUTOINCREMENT, {_SALE_COLUMNS})",
    "CREATE INDEX sales_payment ON sales (qr_payment_id)",
    "CREATE INDEX sales_state ON sales (state)",
    "CREATE INDEX sales_created ON sales (created_at)",
    "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " sale_id INTEGER NOT NULL REFERENCES sales (sale_id),"
    " at TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL)",
    "CREATE INDEX events_sale ON events (sale_id)",
    f"CREATE TABLE sales_archive (sale_id INTEGER PRIMARY KEY, {_SALE_COLUMNS},"
    " archived_at TEXT NOT NULL)",
    "CREATE INDEX sales_archive_payment ON sales_archive (qr_payment_id)",
    "CREATE TABLE events_archive (id INTEGER PRIMARY KEY, sale_id INTEGER NOT NULL,"
    " at TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL)",
    "CREATE INDEX events_archive_sale ON events_archive (sale_id)",
)


def _migrate_v1(conn: sqlite3.Connection) -> None:
    for statement in _V1:
        conn.execute(statement)


def _migrate_v2(conn: sqlite3.Connection) -> None:
    """The kiosk's own deadlines, so recovery needs neither ExpireDate nor a fixed grace.

    scan_deadline: UTC ISO time of creation + QrCodeScanWaitTimeout (an ExpireDate
    without an offset names no moment); confirm_timeout: PaymentConfirmationTimeout
    in seconds. NULL in sales written before.
    """
    for table in ("sales", "sales_archive"):
        conn.execute(f"ALTER TABLE {table} ADD COLUMN scan_deadline TEXT")
        conn.execute(f"ALTER TABLE {table} ADD COLUMN confirm_timeout REAL")


def _migrate_product(conn: sqlite3.Connection) -> None:
    # The product a vending machine sold through this sale (MDB's item number); NULL otherwise.
    for table in ("sales", "sales_archive"):
        conn.execute(f"ALTER TABLE {table} ADD COLUMN product TEXT")


def _migrate_refunds(conn: sqlite3.Connection) -> None:
    """Refunds get a table of their own, written before and after each payment/return call.

    A refund is of a bank purchase, which need not be one of this kiosk's sales (a
    scheme-standard customer may bring a purchase paid at the cashier), so sale_id
    may be NULL; and no foreign key, since archiving moves sales to another table.
    state: sending (written before the call) -> done | failed | unknown.
    """
    conn.execute(
        "CREATE TABLE refunds (refund_id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " requested_at TEXT NOT NULL, finished_at TEXT, qr_payment_id INTEGER NOT NULL,"
        " sale_id INTEGER, amount TEXT NOT NULL, available TEXT, return_id INTEGER,"
        " scheme TEXT NOT NULL, source TEXT NOT NULL, state TEXT NOT NULL,"
        " return_operation_id INTEGER, error TEXT, checked_note TEXT)"
    )
    conn.execute("CREATE INDEX refunds_payment ON refunds (qr_payment_id)")
    conn.execute("CREATE INDEX refunds_requested ON refunds (requested_at)")


#: The note the MDB bridge wrote when an automatic refund raised (before migration 5).
_OLD_FAILURE_NOTE = "MDB: the automatic refund failed"


def _migrate_automatic_refunds(conn: sqlite3.Connection) -> None:
    """The MDB bridge's automatic refunds join the refunds table (source `mdb`).

    Before, an automatic refund was a `refund_requested` event on the sale, then
    either a `refund` event without a refund_id (the bank's ReturnOperationId) or a
    note "MDB: the automatic refund failed (...)", or nothing (the kiosk stopped
    between the two). Each becomes a refunds row, so service mode shows and guards
    it like any other and the kiosk never refunds that sale on its own again: done
    after a `refund` event; otherwise unknown, for the note never told a refusal
    from a lost answer, and nothing after it means the answer was never journalled.
    The events stay as they are: they are the sale's history.
    """
    asked = conn.execute(
        "SELECT id, sale_id, at, detail FROM events WHERE kind = 'refund_requested'"
        " UNION ALL SELECT id, sale_id, at, detail FROM events_archive"
        " WHERE kind = 'refund_requested' ORDER BY id"
    ).fetchall()
    for event_id, sale_id, requested_at, detail in asked:
        sale = conn.execute(
            "SELECT qr_payment_id, scheme FROM sales WHERE sale_id = ?"
            " UNION ALL SELECT qr_payment_id, scheme FROM sales_archive WHERE sale_id = ?",
            (sale_id, sale_id),
        ).fetchone()
        if sale is None or sale[0] is None:
            continue  # only a paid sale was refunded: without its payment there is no row
        state, finished_at, operation = "unknown", None, None
        error: str | None = "no answer journalled: the kiosk stopped while the refund was sent"
        later = conn.execute(
            "SELECT id, at, kind, detail FROM events WHERE sale_id = ? AND id > ?"
            " UNION ALL SELECT id, at, kind, detail FROM events_archive"
            " WHERE sale_id = ? AND id > ? ORDER BY id",
            (sale_id, event_id, sale_id, event_id),
        )
        for _, at, kind, text in later:
            after = json.loads(text)
            if kind == "refund" and "refund_id" not in after:  # the old Journal.record_refund
                state, finished_at, operation, error = (
                    "done",
                    at,
                    after["return_operation_id"],
                    None,
                )
                break
            if kind == "note" and str(after.get("text", "")).startswith(_OLD_FAILURE_NOTE):
                finished_at, error = at, after["text"]
                break
        conn.execute(
            "INSERT INTO refunds (requested_at, finished_at, qr_payment_id, sale_id, amount,"
            " scheme, source, state, return_operation_id, error)"
            " VALUES (?, ?, ?, ?, ?, ?, 'mdb', ?, ?, ?)",
            (
                requested_at,
                finished_at,
                sale[0],
                sale_id,
                json.loads(detail)["amount"],
                sale[1],
                state,
                operation,
                error,
            ),
        )


def _migrate_receipts(conn: sqlite3.Connection) -> None:
    """Fiscal receipts get a table (kiosk/journal/receipts.py), written before each Check call.

    kind: sale | return; a return names its refund. external_number is the receipt's
    ExternalCheckNumber, unique in the journal; the partial unique indexes let a sale
    have one sale receipt and a refund one return receipt, whatever runs twice.
    """
    conn.execute(
        "CREATE TABLE receipts (receipt_id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, kind TEXT NOT NULL,"
        " sale_id INTEGER NOT NULL, refund_id INTEGER, amount TEXT NOT NULL,"
        " external_number TEXT NOT NULL UNIQUE, state TEXT NOT NULL,"
        " attempts INTEGER NOT NULL DEFAULT 0, error TEXT, check_number TEXT, ticket_url TEXT,"
        " date_time TEXT, registration_number TEXT,"
        " offline INTEGER NOT NULL DEFAULT 0 CHECK (offline IN (0, 1)), answer TEXT,"
        " done_at TEXT)"
    )
    conn.execute("CREATE UNIQUE INDEX receipts_sale ON receipts (sale_id) WHERE kind = 'sale'")
    conn.execute(
        "CREATE UNIQUE INDEX receipts_refund ON receipts (refund_id) WHERE kind = 'return'"
    )
    conn.execute("CREATE INDEX receipts_state ON receipts (state)")
    conn.execute("CREATE INDEX receipts_of_sale ON receipts (sale_id)")


#: MIGRATIONS[n] takes a file from schema version n to n + 1 (PRAGMA user_version).
#: Append only; never edit a step that has shipped.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _migrate_v1,
    _migrate_v2,
    _migrate_product,
    _migrate_refunds,
    _migrate_automatic_refunds,
    _migrate_receipts,
]


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the file to the newest schema, all steps in one transaction."""
    known = len(MIGRATIONS)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == known:
        return  # the usual case: no write lock needed just to open
    _refuse_newer(version, known, path)
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the lock: another process may have migrated meanwhile.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        _refuse_newer(version, known, path)
        for step in range(version, known):
            MIGRATIONS[step](conn)
        conn.execute(f"PRAGMA user_version = {known}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _refuse_newer(version: int, known: int, path: Path) -> None:
    if version > known:
        raise JournalError(
            f"The journal {path} was written by a newer kiosk (schema version {version};"
            f" this kiosk knows up to {known}). Run that newer kiosk version.",
            path,
        )
