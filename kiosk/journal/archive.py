"""The archive tables: moving old final sales into them, and listing across both."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

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


def list_query(cutoff: str, limit: int | None, include_archived: bool) -> tuple[str, list[Any]]:
    """SELECT of the sales created at or after `cutoff`, newest first (archived ones too)."""
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    parts = [f"SELECT {FIELDS}, 0 AS archived FROM sales WHERE created_at >= ?"]
    params: list[Any] = [cutoff]
    if include_archived:
        parts.append(f"SELECT {FIELDS}, 1 FROM sales_archive WHERE created_at >= ?")
        params.append(cutoff)
    sql = " UNION ALL ".join(parts) + " ORDER BY sale_id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return sql, params
