"""The flow's deadlines in corner cases: ExpireDate, the grace (docs/kaspi/api.md §5.6, §10.7)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kiosk.kaspi.bankclock import expiry_within
from kiosk.kaspi.dates import parse_datetime
from kiosk.kaspi.models import BehaviorOptions
from kiosk.payment.flow import (
    ERROR,
    PROCESSED,
    QR_TOKEN_CREATED,
    WAIT,
    Change,
    PaymentFlow,
    classify,
)
from kiosk.payment.sale import Reason, SaleState

B = BehaviorOptions(poll_interval=5.0, scan_timeout=180.0, confirm_timeout=65.0)
UNLISTED = "RemotePaymentCreated"
S = SaleState


def send(flow: PaymentFlow, at: float, answer: str) -> list[Change]:
    """The controller sends a read at `at` (it must be due) and gets `answer` at once."""
    changes = flow.on_tick(at)
    flow.poll_sent(at)
    return changes + flow.on_status(answer, at)


def outcome(flow: PaymentFlow) -> tuple[SaleState, Reason | None, bool]:
    return flow.outcome, flow.reason, flow.watching


def cancelled_flow(at: float = 30.0) -> PaymentFlow:
    flow = PaymentFlow(7, B, 0.0)
    send(flow, 0.0, QR_TOKEN_CREATED)
    assert flow.cancel(at) is True
    return flow


def test_qr_leaves_at_an_earlier_expire_date() -> None:
    """An ExpireDate before creation + scan timeout ends the scan stage (docs/kaspi/api.md §5.6)."""
    flow = PaymentFlow(7, B, 100.0, expires_in=60.0)
    assert flow.scan_deadline == 160.0 and flow.seconds_left(100.0) == 60.0
    assert flow.next_wakeup(100.0) == 0.0  # the first read
    send(flow, 100.0, QR_TOKEN_CREATED)
    assert flow.on_tick(159.9) == [] and flow.qr_visible
    assert flow.on_tick(160.0) == [Change(S.QR, S.QR, None, None)] and not flow.qr_visible
    send(flow, 160.0, QR_TOKEN_CREATED)
    assert outcome(flow) == (S.FAILED, Reason.SCAN_TIMEOUT, False)
    # A later ExpireDate never extends the kiosk's own deadline; a past one ends it at once.
    assert PaymentFlow(7, B, 0.0, expires_in=500.0).scan_deadline == 180.0
    assert PaymentFlow(7, B, 0.0, expires_in=-3.0).scan_deadline == 0.0


def test_expire_date_is_read_against_the_banks_own_date() -> None:
    bank_date = datetime(2025, 10, 22, 12, 0, 0, tzinfo=UTC)
    aware = parse_datetime("2025-10-22T17:02:00.717+05:00")
    assert expiry_within(aware, bank_date, 180.0) == pytest.approx(120.717)
    # The guide's example (docs/kaspi/api.md §10.7): seven fractional digits, no offset: no moment.
    naive = parse_datetime("2025-10-22T12:01:00.1566667")
    assert expiry_within(naive, bank_date, 180.0) is None
    assert expiry_within(None, bank_date, 180.0) is None  # left out
    # Never extends; a date that would cut the stage by more than half is not believed.
    assert expiry_within(aware, bank_date, 100.0) is None
    assert expiry_within(parse_datetime("2025-10-22T17:00:30+5"), bank_date, 180.0) is None


def test_classify_in_the_confirmation_grace() -> None:
    """Past the confirmation deadline but within the grace: only Processed or Error end it."""
    assert classify(S.AWAITING, WAIT, True, past_end=False) == (S.AWAITING, None)
    assert classify(S.AWAITING, UNLISTED, True, past_end=False) == (S.AWAITING, None)
    assert classify(S.AWAITING, ERROR, True, past_end=False) == (S.FAILED, Reason.CONFIRM_TIMEOUT)
    assert classify(S.AWAITING, PROCESSED, True, past_end=False) == (S.PROCESSED, None)


def test_the_awaiting_screen_gives_way_at_the_deadline_and_the_watch_reads_on() -> None:
    flow = PaymentFlow(7, B, 0.0)
    send(flow, 10.0, WAIT)  # deadline 75, end 90
    send(flow, 71.0, WAIT)
    assert flow.next_wakeup(72.0) == pytest.approx(3.0)  # the screen's deadline, not a poll
    assert flow.on_tick(75.0) == [Change(S.AWAITING, S.UNKNOWN, Reason.CONFIRM_TIMEOUT, None)]
    assert flow.state is S.UNKNOWN and flow.watching and flow.seconds_left(75.0) == 0.0
    send(flow, 76.0, WAIT)
    # Confirmed late: paid, but the customer was told "not known yet": the operator looks.
    assert send(flow, 81.0, PROCESSED) == [
        Change(S.AWAITING, S.PROCESSED, Reason.CONFIRM_TIMEOUT, PROCESSED, shown=False)
    ]
    assert outcome(flow) == (S.PROCESSED, Reason.CONFIRM_TIMEOUT, False)
    assert flow.needs_refund and flow.needs_operator


def test_the_countdown_total_follows_a_stage_shortened_by_expire_date() -> None:
    flow = PaymentFlow(7, B, 100.0, expires_in=120.0)
    assert flow.stage_length == 120.0 and flow.seconds_left(100.0) == 120.0
    send(flow, 100.0, WAIT)
    assert flow.stage_length == 65.0


def test_cancel_then_scanned_and_the_bank_keeps_wait_is_not_known() -> None:
    flow = cancelled_flow()
    send(flow, 100.0, WAIT)  # deadline 165, end 180
    send(flow, 165.0, WAIT)
    assert flow.watching
    send(flow, 180.0, WAIT)
    assert (flow.state, flow.outcome, flow.reason, flow.watching) == (
        S.CANCELLED,
        S.UNKNOWN,
        Reason.CONFIRM_TIMEOUT,
        False,
    )
