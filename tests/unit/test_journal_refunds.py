"""Refunds in the journal: written before and after the call, never two open at once, totals."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.journal import START, Clock, new_sale, raw, sale_in

from kiosk.journal import (
    FILE_NAME,
    MIGRATIONS,
    Journal,
    RefundPending,
    RefundRepeated,
    RefundState,
)
from kiosk.journal.archive import archive_sales
from kiosk.payment.sale import SaleState


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


def test_a_refund_done_is_told_after_it_is_committed_and_only_then(journal: Journal) -> None:
    """The receipt sender listens: a done refund owes a return receipt now."""
    seen: list[str | None] = []

    def hook() -> None:  # the refund is in the journal by the time it is told
        records = [journal.refunds.get(r) for r in (first, second, third)]
        seen.append(",".join(r.state.value for r in records if r is not None))

    first = journal.refunds.begin(7001, Decimal("10"), scheme="enhanced", source="service")
    second = journal.refunds.begin(7002, Decimal("10"), scheme="enhanced", source="service")
    third = journal.refunds.begin(7003, Decimal("10"), scheme="enhanced", source="service")
    journal.refund_done_hooks.append(hook)
    journal.refunds.failed(first, "-990000011")
    journal.refunds.unknown(second, "read timed out")
    assert seen == []  # nothing moved, or not known to have: no receipt owed
    journal.refunds.done(third, 900001)
    assert seen == ["failed,unknown,done"]
    journal.refunds.checked(second, went_through=True, note="available went down")
    assert seen == ["failed,unknown,done", "failed,done,done"]


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


def test_the_kiosk_refunds_a_sale_on_its_own_only_once(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        sale_id = sale_in(journal, SaleState.PROCESSED, payment_id=7001)
        with pytest.raises(ValueError, match="needs the sale"):
            journal.refunds.begin(
                7001, Decimal("5"), scheme="enhanced", source="mdb", first_of_sale=True
            )
        first = journal.refunds.begin(
            7001, Decimal("5"), scheme="enhanced", source="mdb", sale_id=sale_id, first_of_sale=True
        )
        journal.refunds.failed(first, "-999")  # nothing moved, and still: not again on its own
        with pytest.raises(RefundRepeated) as caught:
            journal.refunds.begin(
                7001,
                Decimal("5"),
                scheme="enhanced",
                source="mdb",
                sale_id=sale_id,
                first_of_sale=True,
            )
        assert caught.value.record.refund_id == first
        # The operator may refund it (the journal's other guard, an open refund, still holds).
        by_hand = journal.refunds.begin(
            7001, Decimal("5"), scheme="enhanced", source="service", sale_id=sale_id
        )
        journal.refunds.done(by_hand, 2)
        other = sale_in(journal, SaleState.PROCESSED, payment_id=7002)
        journal.refunds.done(
            journal.refunds.begin(
                7002, Decimal("1"), scheme="enhanced", source="service", sale_id=other
            ),
            1,
        )
    with Journal.open(tmp_path) as journal:  # a restart changes nothing
        for sale, payment in ((sale_id, 7001), (other, 7002)):
            with pytest.raises(RefundRepeated):
                journal.refunds.begin(
                    payment,
                    Decimal("1"),
                    scheme="enhanced",
                    source="mdb",
                    sale_id=sale,
                    first_of_sale=True,
                )
        assert [r.source for r in journal.refunds.of_sale(sale_id)] == ["mdb", "service"]


OLD_AT = "2026-01-05T10:00:00.000+00:00"


def old_sale(conn: sqlite3.Connection, payment_id: int, *, refunded: bool = False) -> int:
    """A paid vend whose product did not drop, as a version-4 kiosk wrote it (scheme enhanced)."""
    cursor = conn.execute(
        "INSERT INTO sales (created_at, updated_at, amount, source, scheme, device_id, state,"
        " reason, qr_payment_id, needs_refund, resolved_at, refunded_amount, product)"
        " VALUES (?, ?, '350', 'mdb', 'enhanced', 'K', 'processed', 'not_dispensed', ?, 1, ?, ?,"
        " '7')",
        (OLD_AT, OLD_AT, payment_id, OLD_AT if refunded else None, "350" if refunded else "0"),
    )
    sale_id = cursor.lastrowid
    assert sale_id is not None
    return sale_id


def old_event(
    conn: sqlite3.Connection, sale_id: int, kind: str, detail: dict[str, object], at: str = OLD_AT
) -> None:
    conn.execute(
        "INSERT INTO events (sale_id, at, kind, detail) VALUES (?, ?, ?, ?)",
        (sale_id, at, kind, json.dumps(detail, ensure_ascii=False, sort_keys=True)),
    )


def old_refund(conn: sqlite3.Connection, sale_id: int, operation: int, at: str = OLD_AT) -> None:
    """The old Journal.record_refund's event: the bank's answer to an automatic refund."""
    detail = {"amount": "350", "return_operation_id": operation, "refunded_total": "350"}
    old_event(conn, sale_id, "refund", detail, at)


def test_a_version_4_journals_automatic_refunds_become_refund_rows(tmp_path: Path) -> None:
    """A journal file as kiosks before migration 5 left it: automatic refunds only as events
    (`refund_requested`, then the refund, a failure note or nothing), one of them archived."""
    conn = sqlite3.connect(tmp_path / FILE_NAME, isolation_level=None)
    for step in MIGRATIONS[:4]:
        step(conn)
    conn.execute("PRAGMA user_version = 4")
    asked = {"amount": "350", "why": "the machine failed to dispense (VEND 3)"}
    archived = old_sale(conn, 9004, refunded=True)
    old_event(conn, archived, "refund_requested", asked)
    old_refund(conn, archived, 880004)
    archive_sales(conn, OLD_AT, 30, "2026-02-01T00:00:00.000+00:00")
    done = old_sale(conn, 9001, refunded=True)
    old_event(conn, done, "refund_requested", asked)
    old_refund(conn, done, 880001, "2026-01-05T10:00:02.000+00:00")
    failed = old_sale(conn, 9002)
    old_event(conn, failed, "refund_requested", asked)
    note = "MDB: the automatic refund failed (no connection to the bank); refund by hand"
    old_event(conn, failed, "note", {"text": note}, "2026-01-05T10:00:03.000+00:00")
    crashed = old_sale(conn, 9003)
    old_event(conn, crashed, "refund_requested", asked)
    # An operator's refund is already a row (its event has a refund_id): nothing added for it.
    by_hand = old_sale(conn, 9005, refunded=True)
    conn.execute(
        "INSERT INTO refunds (requested_at, finished_at, qr_payment_id, sale_id, amount,"
        " scheme, source, state, return_operation_id) VALUES (?, ?, 9005, ?, '350', 'enhanced',"
        " 'service', 'done', 880005)",
        (OLD_AT, OLD_AT, by_hand),
    )
    detail = {"amount": "350", "return_operation_id": 880005, "refunded_total": "350"}
    old_event(conn, by_hand, "refund", {**detail, "refund_id": 1})
    assert conn.execute("SELECT count(*) FROM sales_archive").fetchone()[0] == 1
    conn.close()

    with Journal.open(tmp_path) as journal:
        rows = {r.sale_id: r for r in journal.refunds.recent()}
        assert sorted(rows) == sorted([archived, done, failed, crashed, by_hand])
        assert rows[by_hand].source == "service"
        for sale_id in (archived, done, failed, crashed):
            row = rows[sale_id]
            assert (row.source, row.amount, row.scheme) == ("mdb", Decimal(350), "enhanced")
            assert row.requested_at == OLD_AT and row.return_id is None
        assert (rows[done].state, rows[done].return_operation_id) == (RefundState.DONE, 880001)
        assert rows[done].finished_at == "2026-01-05T10:00:02.000+00:00"
        assert (rows[archived].state, rows[archived].qr_payment_id) == (RefundState.DONE, 9004)
        # The bridge's failure note never told a refusal from a lost answer: the operator checks.
        assert (rows[failed].state, rows[failed].error) == (RefundState.UNKNOWN, note)
        assert rows[crashed].state is RefundState.UNKNOWN and rows[crashed].finished_at is None
        # Honoured: no second automatic refund of any of them; no refund at all of an open one.
        for sale_id in (archived, done):
            with pytest.raises(RefundRepeated):
                begin_automatic(journal, rows[sale_id].qr_payment_id, sale_id)
        for sale_id in (failed, crashed):
            with pytest.raises(RefundPending):
                begin_automatic(journal, rows[sale_id].qr_payment_id, sale_id)
            with pytest.raises(RefundPending):
                journal.refunds.begin(
                    rows[sale_id].qr_payment_id, Decimal(1), scheme="enhanced", source="service"
                )
        # The sales themselves read as before; the refunds tally is not counted twice.
        record = journal.get(done)
        assert record is not None and record.refunded_amount == Decimal(350)
    with raw(tmp_path) as other:
        assert other.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert other.execute("SELECT count(*) FROM refunds").fetchone()[0] == 5


def begin_automatic(journal: Journal, payment_id: int, sale_id: int) -> int:
    return journal.refunds.begin(
        payment_id,
        Decimal(350),
        scheme="enhanced",
        source="mdb",
        sale_id=sale_id,
        first_of_sale=True,
    )
