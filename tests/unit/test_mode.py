"""The kiosk's mode: every transition, and that only IDLE sells."""

from __future__ import annotations

import pytest

from kiosk.payment.mode import (
    ADAPTER_AWAY,
    Idle,
    KioskMode,
    Mode,
    ModeError,
    OutOfServiceReason,
)
from kiosk.payment.sale import Busy, OutOfService


def test_starts_starting_and_refuses_sales_until_ready() -> None:
    changes: list[tuple[Mode, Mode, OutOfServiceReason | None]] = []
    mode = KioskMode(lambda old, new, cause: changes.append((old, new, cause)))
    assert mode.cause is OutOfServiceReason.STARTING
    assert mode.mode is Mode.STARTING and not mode.can_sell
    refused = mode.refusal()
    assert isinstance(refused, OutOfService) and "starting" in str(refused)
    with pytest.raises(OutOfService):
        mode.sale_started(1)
    mode.ready()
    assert mode.can_sell and mode.reason is None and mode.refusal() is None
    assert mode.cause is None
    assert changes == [(Mode.STARTING, Mode.IDLE, None)]


def test_a_sale_runs_alone_and_ends_back_in_idle() -> None:
    mode = KioskMode()
    mode.ready()
    mode.sale_started(7)
    assert mode.mode is Mode.SELLING and mode.sale_id == 7
    with pytest.raises(Busy) as busy:
        mode.sale_started(8)
    assert busy.value.sale_id == 7
    with pytest.raises(ModeError):
        mode.enter_service()  # never while a customer pays
    mode.sale_ended()
    assert mode.mode is Mode.IDLE and mode.sale_id is None
    with pytest.raises(ModeError):
        mode.sale_ended()


def test_out_of_service_says_why_and_ready_clears_it() -> None:
    mode = KioskMode()
    mode.ready()
    mode.out_of_service("the bank does not answer: timeout", OutOfServiceReason.BANK)
    refused = mode.refusal()
    assert isinstance(refused, OutOfService)
    assert str(refused) == "the kiosk is out of service: the bank does not answer: timeout"
    mode.ready()
    assert mode.can_sell and mode.reason is None


def test_service_mode_refuses_sales_as_busy_and_keeps_a_problem_for_later() -> None:
    mode = KioskMode()
    mode.ready()
    mode.enter_service()
    assert isinstance(mode.refusal(), Busy)
    mode.out_of_service("journal: disk full", OutOfServiceReason.JOURNAL)
    assert mode.mode is Mode.SERVICE and mode.reason == "journal: disk full"
    assert mode.cause is OutOfServiceReason.JOURNAL
    with pytest.raises(ModeError):
        mode.ready()
    mode.leave_service()
    assert mode.mode is Mode.STARTING and mode.reason == "journal: disk full"
    assert mode.cause is OutOfServiceReason.JOURNAL


def test_leaving_service_only_from_service() -> None:
    mode = KioskMode()
    with pytest.raises(ModeError):
        mode.leave_service()


def test_the_listener_hears_a_new_cause_while_out_of_service() -> None:
    """Out of service for one reason, then another: the metric must follow, not only the mode."""
    changes: list[tuple[Mode, Mode, OutOfServiceReason | None]] = []
    mode = KioskMode(lambda old, new, cause: changes.append((old, new, cause)))
    mode.out_of_service("checking 1 earlier payment(s) with the bank", OutOfServiceReason.RECOVERY)
    mode.out_of_service("the bank does not answer: timeout", OutOfServiceReason.BANK)
    mode.out_of_service("the bank does not answer: refused", OutOfServiceReason.BANK)
    mode.start()
    oos = Mode.OUT_OF_SERVICE
    assert changes == [
        (Mode.STARTING, oos, OutOfServiceReason.RECOVERY),
        (oos, oos, OutOfServiceReason.BANK),
        (oos, Mode.STARTING, OutOfServiceReason.STARTING),
    ]
    assert mode.cause is OutOfServiceReason.STARTING and mode.reason == "starting"


def test_a_hold_refuses_sales_keeps_ready_out_of_service_and_lets_a_running_sale_end() -> None:
    """The MDB adapter unplugged: the mode says why no sale starts, until it is released."""
    mode = KioskMode()
    mode.ready()
    mode.sale_started(3)
    mode.hold(ADAPTER_AWAY)
    assert mode.mode is Mode.SELLING  # the sale on the screen runs on
    mode.sale_ended()
    assert mode.mode is Mode.IDLE and not mode.can_sell  # the result screen counts down
    refused = mode.refusal()
    assert isinstance(refused, OutOfService) and ADAPTER_AWAY in str(refused)
    with pytest.raises(OutOfService):
        mode.sale_started(4)
    assert mode.ready() is False
    assert (mode.mode, mode.reason, mode.held) == (Mode.OUT_OF_SERVICE, ADAPTER_AWAY, ADAPTER_AWAY)
    mode.hold(ADAPTER_AWAY)  # held twice, released once: the hold is one condition
    assert mode.release(ADAPTER_AWAY) is True  # out of service for this hold only
    assert mode.held is None and mode.ready() is True and mode.can_sell


def test_releasing_a_hold_does_not_hide_another_reason() -> None:
    mode = KioskMode()
    mode.hold(ADAPTER_AWAY)
    mode.out_of_service("the bank does not answer", OutOfServiceReason.BANK)
    assert mode.release(ADAPTER_AWAY) is False  # still out of service, for the bank
    assert mode.release(ADAPTER_AWAY) is False  # not held any more
    assert mode.mode is Mode.OUT_OF_SERVICE and mode.reason == "the bank does not answer"


def test_idle_tells_the_start_page_from_a_result_and_both_sell() -> None:
    """What the page name stood for: the customer waiting at the start, or reading a result."""
    mode = KioskMode()
    assert mode.idle is None and not mode.waiting
    mode.ready()
    assert (mode.idle, mode.waiting, mode.interruptible) == (Idle.WAITING, True, True)
    mode.sale_started(1)
    assert (mode.idle, mode.waiting, mode.interruptible) == (None, False, False)
    mode.sale_ended()
    # The result counts down: the next sale (host, vending machine) may start already,
    # but a lost part waits until it is read.
    assert (mode.idle, mode.waiting, mode.interruptible) == (Idle.RESULT, False, False)
    assert mode.can_sell and mode.refusal() is None
    mode.sale_started(2)
    mode.sale_ended()
    mode.ready()  # the result gave way to the start page
    assert (mode.idle, mode.waiting, mode.interruptible) == (Idle.WAITING, True, True)


def test_a_result_shown_without_a_sale_ending_is_waited_for_like_one() -> None:
    """A vend's 'not given' page after its sale's result: an IDLE kiosk reads it to its end."""
    mode = KioskMode()
    mode.ready()
    mode.result_shown()
    assert (mode.idle, mode.waiting, mode.interruptible) == (Idle.RESULT, False, False)
    assert mode.refusal() is None
    mode.out_of_service("the bank does not answer", OutOfServiceReason.BANK)
    mode.result_shown()  # out of service stays out of service, and may be told more
    assert (mode.mode, mode.idle, mode.interruptible) == (Mode.OUT_OF_SERVICE, None, True)


def test_starting_and_out_of_service_may_be_interrupted_service_mode_may_not() -> None:
    mode = KioskMode()
    assert mode.interruptible and not mode.waiting  # starting: a lost bank shows at once
    mode.out_of_service("journal: disk full", OutOfServiceReason.JOURNAL)
    assert mode.interruptible and not mode.waiting
    mode.ready()
    mode.enter_service()
    assert (mode.idle, mode.waiting, mode.interruptible) == (None, False, False)
    assert isinstance(mode.refusal(), Busy)
    mode.leave_service()
    assert mode.interruptible and not mode.waiting


def test_a_hold_on_a_result_refuses_the_next_sale_and_the_start_page_stays_away() -> None:
    mode = KioskMode()
    mode.ready()
    mode.sale_started(5)
    mode.sale_ended()
    mode.hold(ADAPTER_AWAY)
    assert mode.idle is Idle.RESULT and isinstance(mode.refusal(), OutOfService)
    assert mode.ready() is False  # the result gave way: out of service, not the start page
    assert (mode.mode, mode.idle, mode.waiting) == (Mode.OUT_OF_SERVICE, None, False)
