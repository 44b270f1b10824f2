"""The sale counters, read from the journal itself at scrape time.

Why from the journal and not counted in memory: a kiosk restarts (updates,
power cuts), and a counter kept in memory would start again from 0 each time;
read from the journal the counters tell the whole story and always agree with
it — a sale recorded is a sale counted, with no second bookkeeping to drift.

Why from the journal's events and not from the sales' current states: a
counter must never go down, and a sale's state can change after it ended (a
cancelled or unknown sale turns out paid). Counting how many times a sale
*entered* a final state is monotonic: such a late payment adds one to
`processed` and takes nothing from `cancelled`. The events are append-only and
archiving moves them to `events_archive` with their ids, so both are read.

Cheap at every scrape: the first read aggregates every event once; after that
only events with a higher id than the last one read are aggregated (a range on
the primary key). The two gauges (sales needing attention, unknown sales) need
a look at every sale, so they are read again only when the journal has a new
event: the journal writes one with every change to a sale, so no new event
means no change, and a scrape between sales costs a connection and one lookup.
Reads use a read-only connection of their own, so a scrape
never waits for, nor holds up, a sale's write (WAL lets a reader and a writer
work at once).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.payment.sale import SaleState

FINAL_STATES = tuple(s.value for s in SaleState if s.is_final)
NO_REASON = "none"

_MARKS = ", ".join("?" * len(FINAL_STATES))
# tiyn: whole numbers, so a sum of many amounts is exact (amounts are decimal text).
_TIYN = "CAST(round(100 * CAST({} AS REAL)) AS INTEGER)"
_SALE_AMOUNT = (
    "coalesce((SELECT amount FROM sales s WHERE s.sale_id = e.sale_id),"
    " (SELECT amount FROM sales_archive a WHERE a.sale_id = e.sale_id))"
)
_NEW_EVENTS = (
    "SELECT id, sale_id, kind, detail FROM events"
    " WHERE id > ? AND id <= ? AND kind IN ('state', 'refund')"
    " UNION ALL SELECT id, sale_id, kind, detail FROM events_archive"
    " WHERE id > ? AND id <= ? AND kind IN ('state', 'refund')"
)
_ENDED = (
    f"SELECT json_extract(detail, '$.to'), coalesce(json_extract(detail, '$.reason'), ?),"
    f" count(*), sum({_TIYN.format(_SALE_AMOUNT)})"
    f" FROM ({_NEW_EVENTS}) e WHERE kind = 'state'"
    f" AND json_extract(detail, '$.to') IN ({_MARKS})"
    " AND json_extract(detail, '$.from') IS NOT json_extract(detail, '$.to')"
    " GROUP BY 1, 2"
)
_REFUND_AMOUNT = _TIYN.format("json_extract(detail, '$.amount')")
_REFUNDED = (
    f"SELECT count(*), coalesce(sum({_REFUND_AMOUNT}), 0)"
    f" FROM ({_NEW_EVENTS}) e WHERE kind = 'refund'"
)
_LAST_EVENT = (
    "SELECT max(coalesce((SELECT max(id) FROM events), 0),"
    " coalesce((SELECT max(id) FROM events_archive), 0))"
)


@dataclass
class SaleCounts:
    """What the journal says, as the metrics show it."""

    #: (state, reason) -> how many sales entered that final state with that reason.
    ended: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: state -> the amounts of those sales, in tiyn.
    ended_tiyn: Counter[str] = field(default_factory=Counter)
    refunds: int = 0
    refunded_tiyn: int = 0
    #: Paid sales the customer got nothing for, not yet resolved (a gauge: it goes down).
    needing_attention: int = 0
    #: Sales whose outcome is unknown now (a gauge: recovery settles them).
    unknown: int = 0


class JournalCounts:
    """Counts from one journal file, caught up at each `read()`; safe from several threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._counts = SaleCounts()
        self._last_id = 0  # the highest event id already counted
        self._file_id: tuple[int, int] | None = None
        #: The counts of the last read that succeeded (still true: counters only grow).
        self.last: SaleCounts | None = None

    def read(self) -> SaleCounts:
        """The counts now; raises sqlite3.Error or OSError when the journal cannot be read."""
        with self._lock:
            stat = os.stat(self.path)
            file_id = (stat.st_dev, stat.st_ino)
            conn = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None
            )
            try:
                conn.execute("BEGIN")  # one snapshot for every query below
                last = int(conn.execute(_LAST_EVENT).fetchone()[0])
                if file_id != self._file_id or last < self._last_id:
                    # Another file (an operator moved a damaged journal aside): count afresh.
                    self._counts, self._last_id, self._file_id = SaleCounts(), 0, file_id
                counts = self._counts
                if self.last is None or last != self._last_id:
                    # The gauges first: the counters are moved on last, once all has answered.
                    counts.needing_attention = conn.execute(
                        "SELECT count(*) FROM sales WHERE needs_refund = 1 AND resolved_at IS NULL"
                    ).fetchone()[0]
                    counts.unknown = conn.execute(
                        "SELECT count(*) FROM sales WHERE state = ?", (SaleState.UNKNOWN.value,)
                    ).fetchone()[0]
                    self._catch_up(conn, last)
                conn.execute("COMMIT")
            finally:
                conn.close()
            self.last = SaleCounts(
                Counter(counts.ended),
                Counter(counts.ended_tiyn),
                counts.refunds,
                counts.refunded_tiyn,
                counts.needing_attention,
                counts.unknown,
            )
            return self.last

    def _catch_up(self, conn: sqlite3.Connection, last: int) -> None:
        window = (self._last_id, last, self._last_id, last)
        rows = conn.execute(_ENDED, (NO_REASON, *window, *FINAL_STATES)).fetchall()
        refunds, refunded_tiyn = conn.execute(_REFUNDED, window).fetchone()
        # Applied only once every query has answered: a failed read counts nothing twice.
        counts = self._counts
        for state, reason, n, tiyn in rows:
            counts.ended[(state, reason)] += n
            counts.ended_tiyn[state] += tiyn or 0
        counts.refunds += refunds
        counts.refunded_tiyn += refunded_tiyn
        self._last_id = last
