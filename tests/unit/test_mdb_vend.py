"""One vend as a pure state machine: approve only when paid in time, deny on everything else."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kiosk.mdb.vend import Answer, Phase, Step, Vend, amount_for
from kiosk.payment.sale import SaleState

S = SaleState


def vend(now: float = 100.0, timeout: float = 60.0, dispense: float = 30.0) -> Vend:
    v = Vend(
        Decimal("3.50"), "7", Decimal("350"), now, vend_timeout=timeout, dispense_timeout=dispense
    )
    return v


def paying(now: float = 100.0) -> Vend:
    v = vend(now)
    v.sale_started(41)
    return v


def test_paid_in_time_is_approved_then_dispensed() -> None:
    v = paying()
    assert v.sale_changed(S.QR, False, 101) == Step()
    assert v.sale_changed(S.AWAITING, False, 110) == Step()
    step = v.sale_changed(S.PROCESSED, False, 120)
    assert step.answer is Answer.APPROVE and not step.refund
    assert v.phase is Phase.APPROVED
    assert v.dispense_deadline == 150
    assert v.dispensed() == Step(why="dispensed")
    assert v.phase is Phase.DISPENSED and v.phase.is_final
    # Nothing after the end changes it.
    assert v.on_tick(10_000) == Step()
    assert v.dispense_failed("VEND 3") == Step()


@pytest.mark.parametrize("state", [S.FAILED, S.CANCELLED, S.UNKNOWN])
def test_every_other_ending_is_denied(state: SaleState) -> None:
    v = paying()
    step = v.sale_changed(state, False, 120)
    assert step.answer is Answer.DENY
    assert not (step.refund or step.give_up_sale or step.paid_after_give_up)
    assert v.phase is Phase.DENIED
    # A payment that turns up later is never approved.
    assert v.sale_changed(S.PROCESSED, False, 121) == Step()


def test_paid_but_needing_the_operator_is_denied() -> None:
    v = paying()
    step = v.sale_changed(S.PROCESSED, True, 120)
    assert step.answer is Answer.DENY and not step.refund
    assert v.phase is Phase.DENIED


def test_the_deadline_denies_in_time_and_gives_the_sale_up() -> None:
    v = paying(now=100)
    assert v.on_tick(159.999) == Step()
    assert v.next_wakeup(159.0) == pytest.approx(1.0)
    assert v.seconds_left(130) == 30
    step = v.on_tick(160.0)
    assert step.answer is Answer.DENY and step.give_up_sale
    assert v.phase is Phase.DENIED and v.next_wakeup(160) is None and v.seconds_left(161) == 0
    # The customer pays a moment later: never approved.
    assert v.sale_changed(S.PROCESSED, False, 161) == Step()
    assert v.on_tick(1_000) == Step()


def test_paid_after_the_deadline_before_the_tick_is_denied_and_needs_a_refund() -> None:
    v = paying(now=100)
    step = v.sale_changed(S.PROCESSED, False, 160.1)
    assert step.answer is Answer.DENY and step.paid_after_give_up
    assert v.phase is Phase.DENIED


def test_a_deadline_before_the_sale_started_denies_without_a_sale_to_give_up() -> None:
    v = vend(now=100)
    step = v.on_tick(160)
    assert step.answer is Answer.DENY and not step.give_up_sale


def test_a_refused_sale_is_denied_once() -> None:
    v = vend()
    assert v.sale_refused("busy").answer is Answer.DENY
    assert v.sale_refused("busy") == Step()
    with pytest.raises(RuntimeError):
        v.sale_started(5)


def test_the_vmc_giving_up_sends_nothing_and_gives_the_sale_up() -> None:
    v = paying()
    step = v.vmc_gave_up("the machine cancelled")
    assert step.answer is None and step.give_up_sale
    assert v.phase is Phase.DENIED
    assert v.sale_changed(S.PROCESSED, False, 120) == Step()
    assert v.vmc_gave_up("again") == Step()


def test_the_vmc_leaving_after_the_approval_changes_nothing() -> None:
    v = paying()
    v.sale_changed(S.PROCESSED, False, 120)
    assert v.vmc_gave_up("link lost") == Step()
    assert v.phase is Phase.APPROVED


def test_a_failed_dispense_is_paid_not_dispensed() -> None:
    v = paying()
    v.sale_changed(S.PROCESSED, False, 120)
    step = v.dispense_failed("VEND 3")
    assert step.refund and step.answer is None
    assert v.phase is Phase.NOT_DISPENSED
    assert v.dispensed() == Step()  # a late success report does not undo the refund decision


def test_no_dispense_report_in_time_is_paid_not_dispensed() -> None:
    v = paying()
    v.sale_changed(S.PROCESSED, False, 120)
    assert v.next_wakeup(140) == pytest.approx(10)
    assert v.on_tick(149.9) == Step()
    step = v.on_tick(150)
    assert step.refund
    assert v.phase is Phase.NOT_DISPENSED
    assert v.on_tick(151) == Step()


def test_stray_dispense_reports_without_an_approval_are_ignored() -> None:
    v = paying()
    assert v.dispensed() == Step()
    assert v.dispense_failed("VEND 3") == Step()
    assert v.phase is Phase.PAYING


@pytest.mark.parametrize(
    ("price", "scale", "amount"),
    [
        ("350", "1", "350.00"),
        ("3.50", "100", "350.00"),
        ("1.5", "1", "1.50"),
    ],
)
def test_prices_become_amounts(price: str, scale: str, amount: str) -> None:
    assert amount_for(Decimal(price), Decimal(scale), Decimal(1), Decimal(500000)) == Decimal(
        amount
    )


@pytest.mark.parametrize(
    ("price", "scale", "problem"),
    [
        ("0", "1", "not more than 0"),
        ("1.005", "1", "more than two decimals"),
        ("0.5", "1", "outside the sale limits"),
        ("600000", "1", "outside the sale limits"),
        ("1", "0", "price_scale"),
    ],
)
def test_prices_that_cannot_be_sold_say_why(price: str, scale: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        amount_for(Decimal(price), Decimal(scale), Decimal(1), Decimal(500000))
