"""Fiscal receipts in the journal: owed by paid sales and done refunds, one each, kept unique."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.journal import raw, sale_in

from kiosk.journal import Answer, Journal, ReceiptKind, ReceiptState
from kiosk.payment.sale import SaleState

S = SaleState


def answer(number: str = "7000007919") -> Answer:
    return Answer(number, "03.12.2026 14:00:00", "600400000001", "http://ofd/c?i=1", False, "{}")


def test_nothing_is_owed_before_receipts_are_turned_on(journal: Journal) -> None:
    sale_in(journal, S.PROCESSED)
    assert journal.receipts.open_owed() == []
    old = sale_in(journal, S.PROCESSED)
    journal.receipts.owe_from_now()
    assert journal.receipts.open_owed() == []  # the old sales are not sent to a new register
    assert not journal.receipts.owed_by(old)
    assert journal.receipts.owed_by(old + 1)


def test_each_paid_sale_owes_one_sale_receipt(journal: Journal) -> None:
    journal.receipts.owe_from_now()
    paid = sale_in(journal, S.PROCESSED, payment_id=1)
    for state in (S.FAILED, S.CANCELLED, S.UNKNOWN, S.AWAITING):
        sale_in(journal, state, payment_id=2)
    (receipt_id,) = journal.receipts.open_owed()
    assert journal.receipts.open_owed() == []  # never a second row for the sale
    journal.receipts.owe_from_now()  # a later start keeps the first moment
    assert journal.receipts.open_owed() == []
    record = journal.receipts.get(receipt_id)
    assert record is not None and record.sale_id == paid and record.kind is ReceiptKind.SALE
    assert record.state is ReceiptState.PENDING and record.amount == Decimal("100.00")
    assert len(record.external_number) <= 50
    kinds = [e.kind for e in journal.events(paid)]
    assert kinds[-1] == "receipt_pending"


def test_the_database_refuses_a_second_sale_receipt(journal: Journal, tmp_path: Path) -> None:
    journal.receipts.owe_from_now()
    sale_id = sale_in(journal, S.PROCESSED)
    journal.receipts.open_owed()
    other = raw(tmp_path)
    with pytest.raises(sqlite3.IntegrityError):
        other.execute(
            "INSERT INTO receipts (created_at, updated_at, kind, sale_id, amount,"
            " external_number, state) VALUES ('', '', 'sale', ?, '1', 'x', 'pending')",
            (sale_id,),
        )


def test_external_numbers_are_unique_across_journals(tmp_path: Path) -> None:
    numbers = set()
    for name in ("a", "b"):
        with Journal.open(tmp_path / name, guard=False) as j:
            j.receipts.owe_from_now()
            sale_in(j, S.PROCESSED)
            (receipt_id,) = j.receipts.open_owed()
            record = j.receipts.get(receipt_id)
            assert record is not None
            numbers.add(record.external_number)
    assert len(numbers) == 2  # both journals' first receipt: sale 1, receipt 1


def test_answer_kept_and_failure_retried_by_the_operator(journal: Journal) -> None:
    journal.receipts.owe_from_now()
    sale_in(journal, S.PROCESSED)
    (receipt_id,) = journal.receipts.open_owed()
    journal.receipts.attempt(receipt_id)
    journal.receipts.still_pending(receipt_id, "no answer")
    journal.receipts.failed(receipt_id, "9: Налог рассчитан неверно")
    assert journal.receipts.pending() == []
    assert [r.receipt_id for r in journal.receipts.needing_operator()] == [receipt_id]
    journal.receipts.retry(receipt_id)
    journal.receipts.attempt(receipt_id)
    journal.receipts.done(receipt_id, answer())
    record = journal.receipts.get(receipt_id)
    assert record is not None and record.state is ReceiptState.DONE and record.attempts == 2
    assert record.check_number == "7000007919" and record.error is None
    assert journal.receipts.counts() == {"pending": 0, "done": 1, "failed": 0}
    with pytest.raises(ValueError):
        journal.receipts.failed(receipt_id, "late")


def test_a_done_refund_owes_a_return_once_the_sale_receipt_is_done(journal: Journal) -> None:
    journal.receipts.owe_from_now()
    sale_id = sale_in(journal, S.PROCESSED, payment_id=7001)
    (sale_receipt,) = journal.receipts.open_owed()
    refund_id = journal.refunds.begin(
        7001, Decimal("40.00"), scheme="enhanced", source="service", sale_id=sale_id
    )
    journal.refunds.done(refund_id, 900001)
    assert journal.receipts.open_owed() == []  # the return must name a receipt not yet made
    journal.receipts.done(sale_receipt, answer())
    (return_receipt,) = journal.receipts.open_owed()
    assert journal.receipts.open_owed() == []
    record = journal.receipts.get(return_receipt)
    assert record is not None and record.kind is ReceiptKind.RETURN
    assert record.refund_id == refund_id and record.amount == Decimal("40.00")
    other = journal.refunds.begin(
        7001, Decimal("10.00"), scheme="enhanced", source="service", sale_id=sale_id
    )
    journal.refunds.failed(other, "refused")
    assert journal.receipts.open_owed() == []  # a refused refund moved no money
