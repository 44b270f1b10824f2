"""Refunds in the journal: written before and after the call, never two open at once, totals."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.journal import START, Clock, new_sale, raw, sale_in

from kiosk.journal import FILE_NAME, MIGRATIONS, Journal, RefundPending, RefundState
from kiosk.sale import SaleState


def test_a_refund_is_sending_before_the_call_and_done_after(journal: Journal) -> None:
    sale_id = sale_in(journal, SaleState.PROCESSED, payment_id=7001)
    journal.set_state(sale_id, SaleState.PROCESSED, needs_refund=True)
    refund_id = journal.refunds.begin(
        7001,
        Decimal("40.00"),
        scheme="enhanced",
        source="service",
        sale_id=sale_id,
        available=Decimal("100.00"),
    )
    record = journal.refunds.get(refund_id)
    assert record is not None and record.state is RefundState.SENDING
    assert record.available == Decimal("100.00") and record.finished_at is None
    journal.refunds.done(refund_id, 900001)
    record = journal.refunds.get(refund_id)
    assert record is not None and record.state is RefundState.DONE
    assert record.return_operation_id == 900001 and record.finished_at is not None
    sale = journal.get(sale_id)
    assert sale is not None and sale.refunded_amount == Decimal("40.00")
    assert sale.resolved_at is not None and journal.unsettled() == []
    kinds = [e.kind for e in journal.events(sale_id)]
    assert kinds[-3:] == ["refund_sending", "refund_done", "refund"]


def test_an_open_refund_blocks_another_of_the_same_payment(journal: Journal) -> None:
    first = journal.refunds.begin(7001, Decimal("10"), scheme="enhanced", source="service")
    with pytest.raises(RefundPending) as caught:
        journal.refunds.begin(7001, Decimal("10"), scheme="enhanced", source="service")
    assert caught.value.record.refund_id == first
    journal.refunds.unknown(first, "read timed out")
    with pytest.raises(RefundPending):
        journal.refunds.begin(7001, Decimal("10"), scheme="enhanced", source="service")
    # another payment is not blocked
    journal.refunds.begin(7002, Decimal("10"), scheme="enhanced", source="service")
    # the operator checked: it did not go through; now a new refund may be sent
    journal.refunds.checked(first, went_through=False, note="available unchanged")
    record = journal.refunds.get(first)
    assert record is not None and record.state is RefundState.FAILED
    assert record.checked_note == "available unchanged"
    journal.refunds.begin(7001, Decimal("10"), scheme="enhanced", source="service")


def test_a_failed_refund_moves_nothing_and_blocks_nothing(journal: Journal) -> None:
    sale_id = sale_in(journal, SaleState.PROCESSED, payment_id=7001)
    refund_id = journal.refunds.begin(
        7001, Decimal("10"), scheme="standard", source="service", sale_id=sale_id, return_id=55
    )
    journal.refunds.failed(refund_id, "-990000011")
    sale = journal.get(sale_id)
    assert sale is not None and sale.refunded_amount == Decimal("0")
    assert journal.refunds.open_for(7001) is None
    with pytest.raises(ValueError, match="already failed"):
        journal.refunds.done(refund_id, 1)


def test_a_refund_of_a_purchase_the_kiosk_never_sold_is_kept(journal: Journal) -> None:
    refund_id = journal.refunds.begin(123456, Decimal("5.50"), scheme="standard", source="service")
    journal.refunds.done(refund_id, 777)
    [record] = journal.refunds.recent()
    assert record.sale_id is None and record.amount == Decimal("5.50")


def test_bad_amounts_are_refused_before_anything_is_written(journal: Journal) -> None:
    for bad in (Decimal("0"), Decimal("-1"), Decimal("NaN")):
        with pytest.raises(ValueError):
            journal.refunds.begin(7001, bad, scheme="enhanced", source="service")
    with pytest.raises(TypeError):
        journal.refunds.begin(7001, 1.5, scheme="enhanced", source="service")  # type: ignore[arg-type]
    assert journal.refunds.recent() == []


def test_totals_count_processed_sales_and_done_refunds_since_the_day_began(
    journal: Journal, clock: Clock
) -> None:
    sale_in(journal, SaleState.PROCESSED, payment_id=1)  # yesterday
    clock.advance(days=1)
    day = clock.now
    a = sale_in(journal, SaleState.PROCESSED, payment_id=2)
    new_sale(journal, "999.00")  # still creating: not counted
    sale_in(journal, SaleState.FAILED, payment_id=3)
    b = journal.begin_sale(
        Decimal("250.50"), external_id=None, source="host", scheme="standard", device_id="K"
    )
    journal.payment_created(b, 4, "x")
    journal.set_state(b, SaleState.PROCESSED)
    done = journal.refunds.begin(2, Decimal("30"), scheme="enhanced", source="service", sale_id=a)
    journal.refunds.done(done, 1)
    failed = journal.refunds.begin(4, Decimal("20"), scheme="enhanced", source="service")
    journal.refunds.failed(failed, "no")
    unknown = journal.refunds.begin(4, Decimal("7"), scheme="enhanced", source="service")
    journal.refunds.unknown(unknown, "timeout")
    totals = journal.refunds.totals(day - timedelta(minutes=1))
    assert (totals.sales_count, totals.sales_sum) == (2, Decimal("350.50"))
    assert (totals.refunds_count, totals.refunds_sum) == (1, Decimal("30"))
    assert journal.refunds.totals(START - timedelta(minutes=1)).sales_count == 3


def test_an_old_journal_gets_the_refunds_table(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / FILE_NAME, isolation_level=None)
    MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with Journal.open(tmp_path) as j:
        j.refunds.begin(1, Decimal("1"), scheme="enhanced", source="cli")
    with raw(tmp_path) as other:
        assert other.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_settle_records_the_operators_action(journal: Journal) -> None:
    sale_id = sale_in(journal, SaleState.PROCESSED)
    journal.set_state(sale_id, SaleState.PROCESSED, needs_refund=True)
    journal.settle(sale_id, "goods handed over", action="handed_over")
    event = journal.events(sale_id)[-1]
    assert event.kind == "resolved"
    assert event.detail == {"note": "goods handed over", "action": "handed_over"}
