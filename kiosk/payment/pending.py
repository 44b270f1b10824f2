"""Which sales must be settled with the bank before the kiosk takes a new one.

Only the journal query, apart from the bank's status rules that settle them
(kiosk.payment.recovery, which re-exports these names): the kiosk chooses its first
screen with it (the amount screen, or out of service while sales are settled)
before the window is shown, and the status rules' imports can wait until then.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.journal import Journal, SaleRecord
from kiosk.payment.sale import Reason, SaleState

#: How far back abandoned sales are asked about again (a payment cannot outlive this).
LOOKBACK = timedelta(minutes=30)
ABANDONED = {
    SaleState.CANCELLED: None,
    SaleState.UNKNOWN: None,
    SaleState.FAILED: {Reason.SCAN_TIMEOUT, Reason.CONFIRM_TIMEOUT},
}


def candidates(journal: Journal, now: datetime) -> list[SaleRecord]:
    """Unfinished sales, unknown ones, and abandoned ones recent enough to have been paid late.

    An UNKNOWN sale is asked about whatever its age: only the bank can settle it.
    """
    found = {r.sale_id: r for r in journal.unfinished()}
    found.update((r.sale_id, r) for r in journal.unknown() if r.qr_payment_id is not None)
    since = now - LOOKBACK
    for record in journal.list(since=since):
        allowed = ABANDONED.get(record.state, ())
        if (
            record.state in ABANDONED
            and (allowed is None or record.reason in allowed)
            and (record.qr_payment_id is not None)
        ):
            found.setdefault(record.sale_id, record)
    return sorted(found.values(), key=lambda r: r.sale_id)
