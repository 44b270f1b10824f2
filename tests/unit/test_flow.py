"""The pure payment flow: every transition, every deadline edge, polling pace, faults, cancel."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from decimal import Decimal

import pytest

from kiosk.kaspi.errors import (
    ApiError,
    ConnectError,
    HttpError,
    ProtocolError,
    RequestTimeout,
    TlsError,
)
from kiosk.kaspi.models import BehaviorOptions
from kiosk.payment.flow import (
    CONFIRM_GRACE_POLLS,
    ERROR,
    PROCESSED,
    QR_TOKEN_CREATED,
    WAIT,
    Change,
    PaymentFlow,
    classify,
    run_flow,
)
from kiosk.payment.sale import Reason, SaleState

B = BehaviorOptions(poll_interval=5.0, scan_timeout=180.0, confirm_timeout=65.0)
UNLISTED = "RemotePaymentCreated"
FAIL = RequestTimeout("status read timed out")
Answer = str | Exception
S = SaleState


def send(
    flow: PaymentFlow, at: float, answer: Answer, answered_at: float | None = None
) -> list[Change]:
    """The controller sends a read at `at` (it must be due) and gets `answer` back."""
    changes = flow.on_tick(at)
    flow.poll_sent(at)
    done = at if answered_at is None else answered_at
    if isinstance(answer, Exception):
        return changes + flow.on_transport_error(answer, done)
    return changes + flow.on_status(answer, done)


def outcome(flow: PaymentFlow) -> tuple[SaleState, Reason | None, bool]:
    return flow.outcome, flow.reason, flow.watching


def screen(flow: PaymentFlow) -> tuple[SaleState, bool, bool]:
    return flow.state, flow.qr_visible, flow.watching


class FakeClock:
    """Time that moves only when the code under test sleeps or a read takes latency."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps = 0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0, "run_flow must never spin"
        self.sleeps += 1
        assert self.sleeps < 100_000
        self.now += seconds


class Bank:
    """A scripted bank: the status is a function of time; reads take `latency` and may fail."""

    def __init__(
        self,
        clock: FakeClock,
        scan_at: float | None = None,
        confirm_at: float | None = None,
        latency: float = 0.0,
        fail: tuple[float, float] | None = None,
    ) -> None:
        self.clock, self.scan_at, self.confirm_at = clock, scan_at, confirm_at
        self.latency, self.fail = latency, fail
        self.sent: list[float] = []

    def status(self, at: float) -> str:
        if self.confirm_at is not None and at >= self.confirm_at:
            return PROCESSED
        if self.scan_at is not None and at >= self.scan_at:
            return WAIT
        return QR_TOKEN_CREATED

    def read(self) -> str:
        at = self.clock()
        self.sent.append(at)
        self.clock.now += self.latency
        if self.fail is not None and self.fail[0] <= at < self.fail[1]:
            raise ConnectError("connection refused")
        return self.status(at)


def run(
    behavior: BehaviorOptions = B,
    **bank_args: float | tuple[float, float] | None,
) -> tuple[PaymentFlow, Bank, list[Change]]:
    clock = FakeClock()
    bank = Bank(clock, **bank_args)  # type: ignore[arg-type]
    changes: list[Change] = []
    flow = PaymentFlow(7, behavior, clock())
    run_flow(flow, bank.read, clock, clock.sleep, changes.append)
    return flow, bank, changes


def assert_pace(sent: list[float], interval: float) -> None:
    for earlier, later in itertools.pairwise(sent):
        assert later >= earlier + interval, (earlier, later)


# -- the mapping and the start ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "status", "past", "expected"),
    [
        (S.QR, QR_TOKEN_CREATED, False, (S.QR, None)),
        (S.QR, QR_TOKEN_CREATED, True, (S.FAILED, Reason.SCAN_TIMEOUT)),
        (S.QR, WAIT, False, (S.AWAITING, None)),
        (S.QR, WAIT, True, (S.AWAITING, None)),
        (S.QR, PROCESSED, True, (S.PROCESSED, None)),
        (S.QR, ERROR, False, (S.FAILED, Reason.DECLINED)),
        (S.QR, UNLISTED, False, (S.QR, None)),
        (S.QR, UNLISTED, True, (S.UNKNOWN, Reason.BANK_UNREACHABLE)),
        (S.AWAITING, WAIT, False, (S.AWAITING, None)),
        # A bank still saying Wait past the end has not cancelled: unknown (docs/kaspi/api.md §5.6).
        (S.AWAITING, WAIT, True, (S.UNKNOWN, Reason.CONFIRM_TIMEOUT)),
        (S.AWAITING, PROCESSED, False, (S.PROCESSED, None)),
        (S.AWAITING, ERROR, False, (S.FAILED, Reason.DECLINED)),
        (S.AWAITING, ERROR, True, (S.FAILED, Reason.CONFIRM_TIMEOUT)),  # the bank's cancel
        (S.AWAITING, QR_TOKEN_CREATED, False, (S.AWAITING, None)),
        (S.AWAITING, QR_TOKEN_CREATED, True, (S.UNKNOWN, Reason.BANK_UNREACHABLE)),
        (S.AWAITING, UNLISTED, True, (S.UNKNOWN, Reason.BANK_UNREACHABLE)),
    ],
)
def test_classify(stage: S, status: str, past: bool, expected: tuple[S, Reason | None]) -> None:
    assert classify(stage, status, past) == expected


def test_new_flow_shows_qr_and_polls_at_once() -> None:
    flow = PaymentFlow(7, B, 100.0)
    assert (flow.state, flow.reason, flow.qr_visible, flow.watching) == (S.QR, None, True, True)
    assert flow.scan_deadline == 280.0 and flow.confirm_deadline is None
    assert flow.poll_due(100.0)
    assert flow.next_wakeup(100.0) == 0.0
    assert flow.seconds_left(100.0) == 180.0 and flow.seconds_left(250.0) == 30.0
    assert flow.outcome is S.QR and not flow.needs_operator and not flow.needs_refund


# -- polling pace -----------------------------------------------------------------------------


def test_next_poll_counts_from_the_send_and_waits_for_the_answer() -> None:
    flow = PaymentFlow(7, B, 0.0)
    flow.poll_sent(0.0)
    assert not flow.poll_due(0.0) and not flow.poll_due(50.0)  # in flight: never overlap
    assert flow.next_wakeup(1.0) == 179.0  # only the QR removal needs a timer
    assert flow.on_status(QR_TOKEN_CREATED, 0.4) == []
    assert not flow.poll_due(4.999) and flow.poll_due(5.0)
    assert flow.next_wakeup(0.4) == pytest.approx(4.6) and not flow.poll_due(4.0)
    flow.poll_sent(5.0)
    flow.on_status(QR_TOKEN_CREATED, 12.0)  # answered late: the next read is due at once
    assert flow.poll_due(12.0) and flow.next_wakeup(12.0) == 0.0


def test_misuse_is_refused() -> None:
    flow = PaymentFlow(7, B, 0.0)
    with pytest.raises(RuntimeError):
        flow.on_status(WAIT, 0.0)  # no read in flight
    flow.poll_sent(0.0)
    with pytest.raises(RuntimeError):
        flow.poll_sent(0.0)  # overlap
    flow.on_transport_error(FAIL, 1.0)
    with pytest.raises(RuntimeError):
        flow.poll_sent(4.0)  # faster than the interval
    send(flow, 5.0, PROCESSED)
    with pytest.raises(RuntimeError):
        flow.poll_sent(100.0)  # after the final status
    assert flow.next_wakeup(100.0) is None and not flow.poll_due(100.0)


BEHAVIORS = [
    B,
    BehaviorOptions(7.0, 180.0, 65.0),  # 180/7 and 65/7 are not whole
    BehaviorOptions(0.75, 2.0, 1.3),
    BehaviorOptions(3.0, 10.0, 4.0),
    BehaviorOptions(2.5, 1.0, 0.5),  # timeouts shorter than the interval
]


@pytest.mark.parametrize("behavior", BEHAVIORS)
@pytest.mark.parametrize("latency_ratio", [0.0, 0.3, 2.5])
def test_never_scanned_ends_on_one_read_past_the_scan_deadline(
    behavior: BehaviorOptions, latency_ratio: float
) -> None:
    latency = behavior.poll_interval * latency_ratio
    flow, bank, changes = run(behavior, latency=latency)
    assert outcome(flow) == (S.FAILED, Reason.SCAN_TIMEOUT, False)
    assert_pace(bank.sent, behavior.poll_interval)
    assert [t >= flow.scan_deadline for t in bank.sent].count(True) == 1
    assert bank.sent[-1] >= flow.scan_deadline
    step = max(behavior.poll_interval, latency) + 1e-9  # no idling either
    assert all(b - a <= step for a, b in itertools.pairwise(bank.sent))
    assert changes == [
        Change(S.QR, S.QR, None, None),
        Change(S.QR, S.FAILED, Reason.SCAN_TIMEOUT, QR_TOKEN_CREATED),
    ]


@pytest.mark.parametrize("behavior", BEHAVIORS)
@pytest.mark.parametrize("latency_ratio", [0.0, 0.3, 2.5])
def test_scanned_never_confirmed_ends_on_one_read_past_the_confirm_deadline(
    behavior: BehaviorOptions, latency_ratio: float
) -> None:
    """A bank that keeps Wait for ever (it never cancels): read through the grace, then
    UNKNOWN / confirm_timeout — never FAILED while the bank says Wait (docs/kaspi/api.md §5.6)."""
    latency = behavior.poll_interval * latency_ratio
    flow, bank, changes = run(behavior, latency=latency, scan_at=behavior.scan_timeout / 3)
    assert outcome(flow) == (S.UNKNOWN, Reason.CONFIRM_TIMEOUT, False)
    assert_pace(bank.sent, behavior.poll_interval)
    first_wait = next(t for t in bank.sent if t >= behavior.scan_timeout / 3)
    assert flow.confirm_deadline == first_wait + latency + behavior.confirm_timeout
    assert flow.watch_end == flow.confirm_deadline + CONFIRM_GRACE_POLLS * behavior.poll_interval
    assert [t >= flow.watch_end for t in bank.sent].count(True) == 1
    assert [t >= flow.confirm_deadline for t in bank.sent].count(True) >= CONFIRM_GRACE_POLLS // 2
    # The screen gives way at the deadline; the watch's own end is the journal's, unseen.
    moves = [(c.new, c.shown) for c in changes if c.old is not c.new]
    assert moves == [(S.AWAITING, True), (S.UNKNOWN, True), (S.UNKNOWN, False)]


@pytest.mark.parametrize("behavior", BEHAVIORS)
@pytest.mark.parametrize("scanned", [True, False])
def test_paid_flow_stops_polling_at_processed(behavior: BehaviorOptions, scanned: bool) -> None:
    confirm_at = behavior.scan_timeout / 2
    scan_at = confirm_at / 2 if scanned else None
    flow, bank, changes = run(behavior, scan_at=scan_at, confirm_at=confirm_at)
    assert outcome(flow) == (S.PROCESSED, None, False) and not flow.needs_operator
    assert bank.sent[-1] >= confirm_at > bank.sent[-2]  # not one read after the final status
    assert_pace(bank.sent, behavior.poll_interval)
    assert changes[-1] == Change(changes[-1].old, S.PROCESSED, None, PROCESSED)


# -- the scan deadline ------------------------------------------------------------------------


def test_qr_leaves_the_screen_exactly_at_the_scan_deadline() -> None:
    flow = PaymentFlow(7, B, 0.0)
    send(flow, 175.0, QR_TOKEN_CREATED)
    assert flow.on_tick(179.999999) == [] and screen(flow) == (S.QR, True, True)
    assert flow.next_wakeup(179.0) == 1.0
    assert flow.on_tick(180.0) == [Change(S.QR, S.QR, None, None)]
    assert screen(flow) == (S.QR, False, True)
    assert flow.on_tick(181.0) == [] and flow.seconds_left(181.0) == 0.0
    assert flow.poll_due(180.0)  # the last read, one interval after the previous one


def test_last_read_waits_for_the_interval_after_the_deadline() -> None:
    flow = PaymentFlow(7, B, 0.0)
    send(flow, 178.0, QR_TOKEN_CREATED)
    flow.on_tick(180.0)
    assert not flow.poll_due(182.9) and flow.next_wakeup(180.0) == 3.0
    assert send(flow, 183.0, QR_TOKEN_CREATED)[-1].reason is Reason.SCAN_TIMEOUT


def test_read_sent_before_the_deadline_and_answered_after_it_proves_nothing() -> None:
    flow = PaymentFlow(7, B, 0.0)
    changes = send(flow, 179.0, QR_TOKEN_CREATED, answered_at=181.0)
    assert changes == [Change(S.QR, S.QR, None, None)]  # only the QR removal
    assert flow.watching and flow.poll_due(184.0) and not flow.poll_due(183.9)
    assert outcome(flow) == (S.QR, None, True)


NOT_YET = (S.QR, None, True)


@pytest.mark.parametrize("offset", [-1e-6, 0.0, 1e-6])
@pytest.mark.parametrize(
    ("answer", "before", "past"),
    [
        (QR_TOKEN_CREATED, NOT_YET, (S.FAILED, Reason.SCAN_TIMEOUT, False)),
        (WAIT, (S.AWAITING, None, True), (S.AWAITING, None, True)),
        (PROCESSED, (S.PROCESSED, None, False), (S.PROCESSED, None, False)),
        (ERROR, (S.FAILED, Reason.DECLINED, False), (S.FAILED, Reason.DECLINED, False)),
        # A failed read past the scan deadline proves nothing: a last-second scan may be
        # confirmed yet, so the watch goes on (test_a_last_second_scan_is_not_lost).
        (FAIL, NOT_YET, (S.QR, None, True)),
        (UNLISTED, NOT_YET, (S.QR, None, True)),
    ],
)
def test_scan_deadline_edge(
    offset: float,
    answer: Answer,
    before: tuple[S, Reason | None, bool],
    past: tuple[S, Reason | None, bool],
) -> None:
    flow = PaymentFlow(7, B, 0.0)
    send(flow, 0.0, QR_TOKEN_CREATED)
    at = 180.0 + offset
    send(flow, at, answer)
    assert outcome(flow) == (past if offset >= 0 else before)
    assert flow.qr_visible == (offset < 0 and flow.state is S.QR)
    if flow.state is S.AWAITING:
        assert flow.confirm_deadline == at + 65.0 and flow.seconds_left(at) == 65.0


# -- the confirm deadline ---------------------------------------------------------------------


def test_confirm_deadline_counts_from_the_first_wait_answer() -> None:
    flow = PaymentFlow(7, B, 0.0)
    changes = send(flow, 10.0, WAIT, answered_at=10.5)
    assert changes == [Change(S.QR, S.AWAITING, None, WAIT)]
    assert flow.confirm_deadline == 75.5 and not flow.qr_visible
    assert send(flow, 15.0, WAIT) == [] and flow.confirm_deadline == 75.5
    assert flow.seconds_left(70.5) == 5.0 and flow.seconds_left(80.0) == 0.0
    assert flow.cancel(20.0) is False and flow.state is S.AWAITING


@pytest.mark.parametrize("offset", [-1e-6, 0.0, 1e-6])
@pytest.mark.parametrize(
    ("answer", "at_end"),
    [
        (WAIT, (S.UNKNOWN, Reason.CONFIRM_TIMEOUT, False)),
        # The screen gave way at the deadline: paid then, the operator must look.
        (PROCESSED, (S.PROCESSED, Reason.CONFIRM_TIMEOUT, False)),
        (ERROR, (S.FAILED, Reason.CONFIRM_TIMEOUT, False)),
        (FAIL, (S.UNKNOWN, Reason.BANK_UNREACHABLE, False)),
        (QR_TOKEN_CREATED, (S.UNKNOWN, Reason.BANK_UNREACHABLE, False)),
        (UNLISTED, (S.UNKNOWN, Reason.BANK_UNREACHABLE, False)),
    ],
)
def test_confirm_deadline_edge(
    offset: float, answer: Answer, at_end: tuple[S, Reason | None, bool]
) -> None:
    """Deadline 75, end of the grace 90 (3 intervals): Error after the deadline is the bank's
    cancellation, anything else that proves nothing is read on until the end."""
    flow = PaymentFlow(7, B, 0.0)
    send(flow, 10.0, WAIT)
    assert (flow.confirm_deadline, flow.watch_end) == (75.0, 90.0)
    send(flow, 75.0 + offset, answer)
    if answer == PROCESSED:
        # Before the deadline the customer sees it paid; from it, the screen had given way.
        assert outcome(flow) == (at_end if offset >= 0 else (S.PROCESSED, None, False))
        return
    if answer == ERROR:
        late = offset >= 0
        assert outcome(flow) == (
            S.FAILED,
            Reason.CONFIRM_TIMEOUT if late else Reason.DECLINED,
            False,
        )
        return
    assert outcome(flow) == (S.AWAITING, None, True)  # within the grace: keep reading
    send(flow, 90.0 + offset, answer)
    if offset >= 0:
        assert outcome(flow) == at_end
    else:
        assert outcome(flow) == (S.AWAITING, None, True)


# -- faults -----------------------------------------------------------------------------------

FAULTS = [
    RequestTimeout("timed out"),
    ConnectError("refused"),
    HttpError("bad gateway", status=502),
    HttpError("not JSON", status=200),
    ApiError(-999, None),
    TlsError("certificate expired"),
    ApiError(-1601, "purchase not found"),
    ApiError(-12345, "new code"),
    ProtocolError("no Status"),
]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("scanned", [False, True])
def test_fault_streak_through_the_deadline_is_unknown(fault: Exception, scanned: bool) -> None:
    flow = PaymentFlow(7, B, 0.0)
    if scanned:
        send(flow, 0.0, WAIT)
    t = 5.0 if scanned else 0.0
    while flow.watching:
        assert send(flow, t, fault) == [] or t >= 180.0 or scanned
        assert flow.state in (S.QR, S.AWAITING, S.UNKNOWN)
        t += 5.0
    assert outcome(flow) == (S.UNKNOWN, Reason.BANK_UNREACHABLE, False)
    assert flow.last_error is fault and flow.failures == flow.polls_sent - scanned
    assert flow.needs_operator
    # Polled at the interval until the end: the confirmation deadline plus the grace,
    # counted from the scan, or from the scan deadline (a scan may have come unseen).
    grace = 65.0 + CONFIRM_GRACE_POLLS * 5.0
    assert t - 5.0 == (grace if scanned else 180.0 + grace)


@pytest.mark.parametrize("scan_at", [None, 60.0])
def test_faults_then_recovery_give_the_normal_outcome(scan_at: float | None) -> None:
    flow, bank, _ = run(fail=(2.0, 100.0), scan_at=scan_at)
    # This scripted bank never cancels the Wait: unknown, not "not paid".
    expected = (S.UNKNOWN, Reason.CONFIRM_TIMEOUT) if scan_at else (S.FAILED, Reason.SCAN_TIMEOUT)
    assert outcome(flow) == (*expected, False)
    assert flow.failures == 0 and flow.last_error is None
    assert_pace(bank.sent, B.poll_interval)
    if scan_at is not None:  # the Wait behind the faults was seen at 100 s
        assert flow.confirm_deadline == 165.0


def test_faults_then_paid() -> None:
    flow, bank, _ = run(fail=(0.0, 179.0), scan_at=30.0, confirm_at=60.0)
    assert outcome(flow) == (S.PROCESSED, None, False) and bank.sent[-1] == 180.0


def test_run_flow_lets_other_exceptions_through() -> None:
    clock = FakeClock()

    def broken() -> str:
        raise ValueError("a bug, not a bank fault")

    with pytest.raises(ValueError):
        run_flow(PaymentFlow(7, B, 0.0), broken, clock, clock.sleep, lambda c: None)


# -- cancel -----------------------------------------------------------------------------------


def cancelled_flow(at: float = 30.0) -> PaymentFlow:
    flow = PaymentFlow(7, B, 0.0)
    send(flow, 0.0, QR_TOKEN_CREATED)
    assert flow.cancel(at) is True
    assert (flow.state, flow.reason, flow.qr_visible, flow.watching) == (
        S.CANCELLED,
        Reason.CANCELLED,
        False,
        True,
    )
    assert flow.cancel(at) is False and flow.seconds_left(at) == 0.0
    return flow


def test_cancel_then_nothing_ends_the_watch_at_the_scan_deadline() -> None:
    flow = cancelled_flow()
    assert flow.on_tick(180.0) == []
    assert send(flow, 175.0, QR_TOKEN_CREATED) == [] and flow.watching
    changes = send(flow, 180.0, QR_TOKEN_CREATED)
    assert changes == [
        Change(S.CANCELLED, S.CANCELLED, Reason.CANCELLED, QR_TOKEN_CREATED, shown=False)
    ]
    assert (flow.state, flow.outcome, flow.watching) == (S.CANCELLED, S.CANCELLED, False)
    assert not flow.needs_refund and not flow.needs_operator and flow.next_wakeup(181.0) is None


@pytest.mark.parametrize("scan_first", [True, False])
def test_paid_after_cancel_is_never_lost(scan_first: bool) -> None:
    flow = cancelled_flow()
    if scan_first:
        assert send(flow, 150.0, WAIT) == [
            Change(S.CANCELLED, S.CANCELLED, Reason.CANCELLED, WAIT, shown=False)
        ]
        assert flow.confirm_deadline == 215.0 and flow.watching
        send(flow, 180.0, WAIT)  # past the scan deadline, but the confirm deadline rules now
        assert flow.watching and flow.next_wakeup(180.0) == 5.0
    changes = send(flow, 215.0 if scan_first else 180.0, PROCESSED)
    assert changes == [
        Change(S.CANCELLED, S.PROCESSED, Reason.PAID_AFTER_CANCEL, PROCESSED, shown=False)
    ]
    assert flow.state is S.CANCELLED and flow.outcome is S.PROCESSED
    assert flow.reason is Reason.PAID_AFTER_CANCEL and flow.needs_refund and not flow.watching
    assert flow.needs_operator


def test_cancel_then_scanned_then_declined_stays_cancelled() -> None:
    flow = cancelled_flow()
    send(flow, 100.0, WAIT)
    send(flow, 110.0, ERROR)
    assert (flow.state, flow.outcome, flow.reason, flow.watching) == (
        S.CANCELLED,
        S.CANCELLED,
        Reason.CANCELLED,
        False,
    )


def test_cancel_then_bank_unreachable_at_the_deadline_needs_the_operator() -> None:
    flow = cancelled_flow()
    assert send(flow, 180.0, FAIL) == []  # a scan at the last second may yet be confirmed
    assert send(flow, 260.0, FAIL) == [
        Change(S.CANCELLED, S.UNKNOWN, Reason.BANK_UNREACHABLE, None, shown=False)
    ]
    assert flow.state is S.CANCELLED and flow.outcome is S.UNKNOWN and flow.needs_operator


def test_cancel_is_allowed_after_the_qr_left_but_not_once_scanned_or_ended() -> None:
    flow = PaymentFlow(7, B, 0.0)
    send(flow, 178.0, QR_TOKEN_CREATED)
    assert flow.cancel(181.0) is True and flow.watching  # waiting for the last read
    assert send(flow, 183.0, QR_TOKEN_CREATED)[-1].shown is False
    assert flow.outcome is S.CANCELLED
    ended = PaymentFlow(7, B, 0.0)
    send(ended, 0.0, ERROR)
    assert ended.cancel(1.0) is False and ended.state is S.FAILED


def test_cancel_during_a_read_in_flight() -> None:
    flow = PaymentFlow(7, B, 0.0)
    flow.poll_sent(0.0)
    assert flow.cancel(0.5)
    assert flow.on_status(PROCESSED, 1.0)[-1].reason is Reason.PAID_AFTER_CANCEL


# -- the paid amount --------------------------------------------------------------------------


def paid_flow() -> PaymentFlow:
    flow = PaymentFlow(7, B, 0.0)
    send(flow, 0.0, PROCESSED)
    return flow


def test_amount_equal_keeps_processed() -> None:
    flow = paid_flow()
    assert flow.on_paid_amount(Decimal("1500.00"), Decimal("1500"), 1.0) == []
    assert flow.outcome is S.PROCESSED and flow.reason is None and not flow.needs_operator


@pytest.mark.parametrize("paid", ["1499.99", "1500.01", "0"])
def test_amount_mismatch_needs_the_operator(paid: str) -> None:
    flow = paid_flow()
    assert flow.on_paid_amount(Decimal(paid), Decimal("1500"), 1.0) == [
        Change(S.PROCESSED, S.PROCESSED, Reason.AMOUNT_MISMATCH, None)
    ]
    assert flow.state is S.PROCESSED and flow.reason is Reason.AMOUNT_MISMATCH
    assert flow.needs_operator and not flow.needs_refund
    assert flow.paid_amount == Decimal(paid)


def test_amount_check_keeps_paid_after_cancel_and_refuses_unpaid_flows() -> None:
    flow = cancelled_flow()
    send(flow, 100.0, PROCESSED)
    assert flow.on_paid_amount(Decimal("1"), Decimal("2"), 101.0) == []
    assert flow.reason is Reason.PAID_AFTER_CANCEL and flow.amount_mismatch
    with pytest.raises(ValueError):
        PaymentFlow(7, B, 0.0).on_paid_amount(Decimal("1"), Decimal("1"), 0.0)


def test_flow_imports_no_qt() -> None:
    code = "import sys, kiosk.payment.flow; sys.exit('PySide6' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# -- random controllers and banks: the invariants hold whatever happens -----------------------


def simulate(seed: int) -> None:
    rnd = random.Random(seed)
    interval = rnd.choice([0.5, 1.0, 5.0, 7.0]) * rnd.uniform(0.5, 1.5)
    b = BehaviorOptions(interval, interval * rnd.uniform(0.2, 12), interval * rnd.uniform(0.2, 12))
    answers: list[Answer] = [QR_TOKEN_CREATED, WAIT, PROCESSED, ERROR, UNLISTED]
    answers += [QR_TOKEN_CREATED] * 4 + [WAIT] * 3 + rnd.sample(FAULTS, 3)
    now = rnd.uniform(0, 1000)
    flow = PaymentFlow(1, b, now)
    start, accepted_cancel = now, False
    reads: list[tuple[float, float, Answer]] = []  # (sent, answered, answer)
    while flow.watching:
        assert len(reads) < 10_000
        if rnd.random() < 0.05:
            could = flow.state is S.QR
            assert flow.cancel(now) is could
            accepted_cancel |= could
        if flow.poll_due(now):
            if reads:
                assert now >= reads[-1][0] + interval and now >= reads[-1][1]
            flow.poll_sent(now)
            answered = now + rnd.choice([0.0, rnd.uniform(0, 2.5 * interval)])
            qr_timer = max(0.0, flow.scan_deadline - answered) if flow.qr_visible else None
            assert not flow.poll_due(answered) and flow.next_wakeup(answered) == qr_timer
            answer = rnd.choice(answers)
            reads.append((now, answered, answer))
            now = answered
            if isinstance(answer, Exception):
                flow.on_transport_error(answer, now)
            else:
                flow.on_status(answer, now)
        else:
            wait = flow.next_wakeup(now)
            assert wait is not None and wait > 0
            now += wait * rnd.choice([1.0, 1.0, rnd.uniform(0.05, 1), rnd.uniform(1, 1.5)])
            flow.on_tick(now)
        assert flow.qr_visible == (flow.state is S.QR and now < flow.scan_deadline)
        if accepted_cancel:
            assert flow.state is S.CANCELLED
        elif flow.screen_gave_up:  # the awaiting screen gave way; the watch reads on
            assert flow.state is S.UNKNOWN
        else:
            assert flow.state is flow.outcome
    statuses = [a for _, _, a in reads if isinstance(a, str)]
    last_sent, _, last = reads[-1]
    assert (PROCESSED in statuses) == (flow.outcome is S.PROCESSED) == (last == PROCESSED)
    told_otherwise = accepted_cancel or flow.screen_gave_up
    assert flow.needs_refund == (told_otherwise and flow.outcome is S.PROCESSED)
    scanned = flow.confirm_deadline is not None
    deadline = flow.confirm_deadline if flow.confirm_deadline is not None else flow.scan_deadline
    # The end of the watch: the confirmation deadline plus the grace once scanned; unscanned,
    # the scan deadline plus what a last-second scan's confirmation could take.
    end = flow.read_on_until
    if flow.outcome is S.FAILED or (accepted_cancel and flow.outcome is S.CANCELLED):
        # Only an Error, or a QR the bank still shows unscanned past its deadline, is "not paid".
        timed_out = not scanned and last == QR_TOKEN_CREATED and last_sent >= deadline
        assert last == ERROR or timed_out
        if flow.outcome is S.FAILED:
            late_error = scanned and last_sent >= deadline
            assert flow.reason is (
                Reason.SCAN_TIMEOUT
                if timed_out
                else Reason.CONFIRM_TIMEOUT
                if late_error
                else Reason.DECLINED
            )
    if flow.outcome is S.UNKNOWN:
        assert last_sent >= end and last not in (PROCESSED, ERROR)
        if last == WAIT:
            assert flow.reason is Reason.CONFIRM_TIMEOUT
    assert flow.outcome.is_final and not flow.qr_visible and flow.next_wakeup(now) is None
    slack = max(interval, 2.5 * interval) * 2
    grace = CONFIRM_GRACE_POLLS * interval
    # A scan seen at the very end of the read-on after the scan deadline starts its own.
    longest = b.scan_timeout + 2 * (b.confirm_timeout + grace)
    assert now - start <= longest + 2 * slack + 1e-6


@pytest.mark.parametrize("block", range(10))
def test_random_runs_keep_the_invariants(block: int) -> None:
    for seed in range(block * 100, block * 100 + 100):
        simulate(seed)
