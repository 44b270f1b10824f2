"""The flow's deadlines in corner cases: ExpireDate, the grace (docs/kaspi/api.md §5.6, §10.7)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

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
    seconds_to_expiry,
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


def test_seconds_to_expiry_reads_only_offset_aware_dates() -> None:
    now = datetime(2025, 10, 22, 12, 0, 0, tzinfo=UTC)
    aware = parse_datetime("2025-10-22T17:01:00.717+05:00")
    assert seconds_to_expiry(aware, now) == pytest.approx(60.717)
    # The guide's example (docs/kaspi/api.md §10.7): seven fractional digits, no offset: no moment.
    assert seconds_to_expiry(parse_datetime("2025-10-22T12:01:00.1566667"), now) is None


def test_classify_in_the_confirmation_grace() -> None:
    """Past the confirmation deadline but within the grace: only Processed or Error end it."""
    assert classify(S.AWAITING, WAIT, True, past_end=False) == (S.AWAITING, None)
    assert classify(S.AWAITING, UNLISTED, True, past_end=False) == (S.AWAITING, None)
    assert classify(S.AWAITING, ERROR, True, past_end=False) == (S.FAILED, Reason.CONFIRM_TIMEOUT)
    assert classify(S.AWAITING, PROCESSED, True, past_end=False) == (S.PROCESSED, None)


def test_a_late_confirmation_in_the_grace_is_paid() -> None:
    flow = PaymentFlow(7, B, 0.0)
    send(flow, 10.0, WAIT)  # deadline 75, end 90
    send(flow, 75.0, WAIT)
    send(flow, 80.0, PROCESSED)
    assert outcome(flow) == (S.PROCESSED, None, False)


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
