"""Moving old final sales, with their events, into the archive tables (one transaction)."""

from __future__ import annotations

import json
import sqlite3

from kiosk.journal.records import FIELDS

# The same condition in every statement: inside one write transaction it picks the same
# sales each time. UNKNOWN sales and paid sales still needing the operator stay.
CHOSEN = (
    "sale_id IN (SELECT sale_id FROM sales WHERE state IN ('processed', 'failed',"
    " 'cancelled') AND updated_at < ? AND NOT (needs_refund = 1 AND resolved_at IS NULL))"
)


def archive_sales(conn: sqlite3.Connection, at: str, days: int, cutoff: str) -> int:
    """Archive the sales last changed before `cutoff`; how many moved. Call inside a write
    transaction."""
    conn.execute(
        "INSERT INTO events (sale_id, at, kind, detail)"
        f" SELECT sale_id, ?, 'archived', ? FROM sales WHERE {CHOSEN}",
        (at, json.dumps({"older_than_days": days}), cutoff),
    )
    moved = conn.execute(
        f"INSERT INTO sales_archive ({FIELDS}, archived_at)"
        f" SELECT {FIELDS}, ? FROM sales WHERE {CHOSEN}",
        (at, cutoff),
    ).rowcount
    conn.execute(
        "INSERT INTO events_archive (id, sale_id, at, kind, detail)"
        f" SELECT id, sale_id, at, kind, detail FROM events WHERE {CHOSEN}",
        (cutoff,),
    )
    conn.execute(f"DELETE FROM events WHERE {CHOSEN}", (cutoff,))
    conn.execute(f"DELETE FROM sales WHERE {CHOSEN}", (cutoff,))
    return moved
