"""Sale counters read from a real journal file: they match it, survive restarts, never go down."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.journal import FILE_NAME, Journal
from kiosk.metrics.journal_counts import JournalCounts, SaleCounts
from kiosk.payment.sale import Reason, SaleState

S = SaleState


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal.open(tmp_path) as j:
        yield j


def sale(j: Journal, amount: str, state: SaleState, reason: Reason | None = None) -> int:
    """A sale taken through qr/create to `state`, as the kiosk writes it."""
    sale_id = j.begin_sale(
        Decimal(amount), external_id=None, source="keypad", scheme="standard", device_id="K-1"
    )
    if state is S.FAILED and reason is Reason.CREATE_FAILED:
        j.set_state(sale_id, state, reason)
        return sale_id
    j.payment_created(sale_id, 500_000_000 + sale_id, "2026-01-01T00:00:00+05:00")
    j.set_state(sale_id, S.AWAITING)
    j.set_state(sale_id, state, reason)
    return sale_id


def ended(counts: SaleCounts) -> dict[tuple[str, str], int]:
    return dict(counts.ended)


def test_counts_and_amounts_match_the_journal(journal: Journal) -> None:
    sale(journal, "350.50", S.PROCESSED)
    sale(journal, "0.10", S.PROCESSED)
    sale(journal, "100", S.CANCELLED, Reason.CANCELLED)
    sale(journal, "70", S.FAILED, Reason.DECLINED)
    sale(journal, "20", S.FAILED, Reason.CREATE_FAILED)
    sale(journal, "5", S.UNKNOWN, Reason.BANK_UNREACHABLE)
    journal.begin_sale(  # unfinished: not counted
        Decimal(9), external_id=None, source="host", scheme="standard", device_id="K-1"
    )
    counts = JournalCounts(journal.path).read()
    assert ended(counts) == {
        ("processed", "none"): 2,
        ("cancelled", "cancelled"): 1,
        ("failed", "declined"): 1,
        ("failed", "create_failed"): 1,
        ("unknown", "bank_unreachable"): 1,
    }
    assert counts.ended_tiyn == {
        "processed": 35060,
        "cancelled": 10000,
        "failed": 9000,
        "unknown": 500,
    }
    assert counts.unknown == 1 and counts.needing_attention == 0


def test_a_late_payment_adds_to_processed_and_takes_nothing_away(journal: Journal) -> None:
    reader = JournalCounts(journal.path)
    sale_id = sale(journal, "100", S.CANCELLED, Reason.CANCELLED)
    before = reader.read()
    journal.set_state(sale_id, S.PROCESSED, Reason.PAID_AFTER_CANCEL, needs_refund=True)
    after = reader.read()
    assert ended(before) == {("cancelled", "cancelled"): 1}
    assert ended(after) == {("cancelled", "cancelled"): 1, ("processed", "paid_after_cancel"): 1}
    assert after.needing_attention == 1
    journal.settle(sale_id, "goods handed over")
    assert reader.read().needing_attention == 0
    # A restart (a new reader) tells the same story from the journal alone.
    assert ended(JournalCounts(journal.path).read()) == ended(after)


def test_a_change_of_reason_within_a_state_is_not_another_sale(journal: Journal) -> None:
    sale_id = sale(journal, "100", S.PROCESSED)
    journal.set_state(sale_id, S.PROCESSED, Reason.AMOUNT_MISMATCH, needs_refund=True)
    assert ended(JournalCounts(journal.path).read()) == {("processed", "none"): 1}


def test_each_read_adds_only_what_is_new(journal: Journal) -> None:
    reader = JournalCounts(journal.path)
    sale(journal, "10", S.PROCESSED)
    assert reader.read().ended[("processed", "none")] == 1
    assert reader.read().ended[("processed", "none")] == 1  # nothing new: nothing added
    sale(journal, "15", S.PROCESSED)
    counts = reader.read()
    assert counts.ended[("processed", "none")] == 2 and counts.ended_tiyn["processed"] == 2500


def test_refunds_are_counted(journal: Journal) -> None:
    sale_id = sale(journal, "100", S.PROCESSED)
    for amount, operation in (("40.25", 900001), ("10", 900002)):
        refund_id = journal.refunds.begin(
            7001, Decimal(amount), scheme="enhanced", source="service", sale_id=sale_id
        )
        journal.refunds.done(refund_id, operation)
    counts = JournalCounts(journal.path).read()
    assert (counts.refunds, counts.refunded_tiyn) == (2, 5025)


def test_archiving_changes_no_count(journal: Journal) -> None:
    reader = JournalCounts(journal.path)
    for amount in ("10", "20", "30"):
        sale(journal, amount, S.PROCESSED)
    before = reader.read()
    later = datetime.now(UTC) + timedelta(days=40)
    assert journal.archive_older_than(30, now=later) == 3
    assert reader.read() == before
    assert JournalCounts(journal.path).read() == before  # and after a restart, from the archive
    sale(journal, "5", S.PROCESSED)
    assert reader.read().ended[("processed", "none")] == 4


def test_a_journal_moved_aside_is_counted_afresh(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    with Journal.open(first) as j:
        for _ in range(3):
            sale(j, "10", S.PROCESSED)
    with Journal.open(second) as j:
        sale(j, "99", S.CANCELLED, Reason.CANCELLED)
    live = tmp_path / "live"
    live.mkdir()
    shutil.copy(first / FILE_NAME, live / FILE_NAME)
    reader = JournalCounts(live / FILE_NAME)
    assert ended(reader.read()) == {("processed", "none"): 3}
    os.replace(second / FILE_NAME, live / FILE_NAME)  # the operator's fresh journal
    assert ended(reader.read()) == {("cancelled", "cancelled"): 1}


def test_an_unreadable_journal_raises_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "none" / FILE_NAME
    with pytest.raises(OSError):
        JournalCounts(missing).read()
    assert not missing.parent.exists()
    garbage = tmp_path / FILE_NAME
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(sqlite3.DatabaseError):
        JournalCounts(garbage).read()


def test_a_read_neither_waits_for_nor_blocks_a_sale_being_written(journal: Journal) -> None:
    sale(journal, "10", S.PROCESSED)
    writer = sqlite3.connect(journal.path, isolation_level=None, timeout=0)
    try:
        writer.execute("BEGIN IMMEDIATE")  # a sale's write transaction, open
        writer.execute("UPDATE sales SET note = 'x'")
        assert ended(JournalCounts(journal.path).read()) == {("processed", "none"): 1}
        writer.execute("COMMIT")  # and the reader left no lock behind
    finally:
        writer.close()
