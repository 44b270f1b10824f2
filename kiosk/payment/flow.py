"""One Kaspi QR payment as a pure state machine: statuses, deadlines and polls, with time passed in.

No Qt, no I/O, no clock of its own. The controller feeds it the monotonic time
with every call and asks back what to do (`poll_due`, `next_wakeup`) and what to
show (`state`, `qr_visible`, `seconds_left`). `meaning_of` is the one place
where the bank's status texts are read; `classify` (here) and
kiosk.payment.recovery.judge turn its answer into kiosk states.

Rules (the bank's life cycle, docs/kaspi/api.md §5.4, read as §5.6 says):

- Polls: the first is due at creation, each next one `poll_interval` after the
  previous one was SENT, and never while one is in flight. So polls never
  overlap and never come faster than the interval, whatever the latency.
- A stage (QR: waiting for the scan; AWAITING: waiting for the confirmation)
  ends by timeout only on a status read SENT at or after its end that still
  shows the stage's own status. A read sent earlier proves nothing about the
  deadline, so a Wait or Processed that came in at the last moment is never
  lost. The QR leaves the screen at the scan deadline itself, before that read.
- The scan stage ends at its deadline: QrTokenCreated then is FAILED/SCAN_TIMEOUT.
  The confirmation stage does not end at the kiosk's deadline: the bank cancels
  a stale Wait itself and may be late with it, so the flow reads on for
  CONFIRM_GRACE_POLLS intervals. An Error read past the deadline is
  FAILED/CONFIRM_TIMEOUT, a Processed is PROCESSED, and a bank still saying
  Wait at the end of the grace leaves the sale UNKNOWN/CONFIRM_TIMEOUT — never
  "not paid" while the bank says the customer may still confirm; the idle
  re-check (kiosk.payment.recovery) keeps asking about it.
- Every failed read (transient or not: timeouts, 5xx, TLS, -1601, unknown API
  errors, garbage) is the same to the flow: the outcome is not known yet, so it
  keeps polling at the interval. Only a status ends a stage: a customer may scan
  in the QR's last second, so failed reads past the scan deadline go on until
  that scan's confirmation could have ended (`read_on_until`: the scan deadline
  plus the confirmation timeout and its grace), as the guide asks to read "until
  a final status". A failed read after that ends the sale UNKNOWN
  (BANK_UNREACHABLE); so does a status the guide does not know seen then. The
  flow never reports FAILED or PROCESSED without a status saying so. Repeating
  a TLS failure once per interval until then is bounded and is not the blind
  retry the client avoids.
- The kiosk's own deadlines end what the customer sees, never the watch: the
  awaiting screen gives way at the confirmation deadline, the expired QR's
  "checking" screen CONFIRM_GRACE_POLLS intervals after the scan deadline if no
  status came (`screen_gave_up`: the screen shows UNKNOWN, "not known yet").
  Either waits for an answer in flight. The watch reads on; a payment that
  arrives then is PROCESSED with `needs_refund` (the customer was not told).
- Cancel is allowed only before the scan. The screen shows CANCELLED at once,
  but the flow keeps watching until the stage deadlines pass, and a payment
  that still arrives becomes PROCESSED / PAID_AFTER_CANCEL with `needs_refund`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from kiosk.kaspi.errors import KaspiError
from kiosk.kaspi.models import BehaviorOptions, PaymentStatus
from kiosk.payment.sale import Reason, SaleState

QR_TOKEN_CREATED = PaymentStatus.QR_TOKEN_CREATED.value
WAIT = PaymentStatus.WAIT.value
PROCESSED = PaymentStatus.PROCESSED.value
ERROR = PaymentStatus.ERROR.value

# The status that a stage waits to see change; seen past the stage's end it proves the
# timeout: the QR is dead (FAILED); a Wait the bank has not cancelled is not known (UNKNOWN).
_TIMEOUT = {
    SaleState.QR: (SaleState.FAILED, Reason.SCAN_TIMEOUT),
    SaleState.AWAITING: (SaleState.UNKNOWN, Reason.CONFIRM_TIMEOUT),
}
#: Reads past the confirmation deadline before a bank that still says Wait leaves the sale
#: UNKNOWN: the bank cancels a stale Wait itself, and may be late with it.
CONFIRM_GRACE_POLLS = 3


class Meaning(StrEnum):
    """What one payment/status read says about the money, whatever the stage."""

    NOT_SCANNED = "not_scanned"  # QrTokenCreated: the QR waits for a scan
    SCANNED = "scanned"  # Wait: scanned, the customer has not confirmed yet
    PAID = "paid"  # Processed (final)
    DECLINED = "declined"  # Error: cancelled by the customer or failed (final)
    UNLISTED = "unlisted"  # a text docs/kaspi/api.md §5.5 does not list: proves nothing


_MEANINGS = {
    QR_TOKEN_CREATED: Meaning.NOT_SCANNED,
    WAIT: Meaning.SCANNED,
    PROCESSED: Meaning.PAID,
    ERROR: Meaning.DECLINED,
}


def meaning_of(status: str) -> Meaning:
    """The one mapping of the bank's status texts (docs/kaspi/api.md §5.5); exact, case and all."""
    return _MEANINGS.get(status, Meaning.UNLISTED)


_STAGE_MEANING = {SaleState.QR: Meaning.NOT_SCANNED, SaleState.AWAITING: Meaning.SCANNED}


@dataclass(frozen=True)
class Change:
    """Something that happened, for the UI, the journal and the log.

    `old`/`new` are the sale's outcome (`PaymentFlow.outcome`). `old == new` means
    nothing ended or moved on but something is worth logging: the QR was removed
    at the scan deadline, or the customer scanned after cancelling. `shown` is
    False once the customer has cancelled: the screen has gone back to the start
    and must not follow, but the journal must record it.
    """

    old: SaleState
    new: SaleState
    reason: Reason | None
    status: str | None  # the status text that caused it; None for a deadline or a failed read
    shown: bool = True


def classify(
    stage: SaleState, status: str, past_deadline: bool, past_end: bool | None = None
) -> tuple[SaleState, Reason | None]:
    """What one status read means in a stage (QR or AWAITING); the stage itself if nothing yet.

    `past_deadline`: the read was sent at or after the stage's deadline; `past_end`:
    at or after the end of its watch (the deadline, plus the grace for a confirmation;
    by default the deadline itself).
    """
    if past_end is None:
        past_end = past_deadline
    meaning = meaning_of(status)
    if meaning is Meaning.PAID:
        return SaleState.PROCESSED, None
    if meaning is Meaning.DECLINED:
        if stage is SaleState.AWAITING and past_deadline:
            return SaleState.FAILED, Reason.CONFIRM_TIMEOUT  # the bank's own cancellation
        return SaleState.FAILED, Reason.DECLINED
    if meaning is Meaning.SCANNED and stage is SaleState.QR:
        return SaleState.AWAITING, None
    if not past_end:
        return stage, None  # QrTokenCreated, Wait again, or a text §5.5 does not list
    if meaning is _STAGE_MEANING[stage]:
        return _TIMEOUT[stage]
    # Past the end with a status that neither ends nor proves the timeout (an unknown
    # text, or QrTokenCreated after a Wait): not paid as far as we know, but not known
    # to be unpaid either.
    return SaleState.UNKNOWN, Reason.BANK_UNREACHABLE


class PaymentFlow:
    """The life of one payment from its qr/create answer until its outcome is known.

    `now`: the monotonic moment the qr/create answer arrived. `expires_in`: the
    token's life by its ExpireDate, bank-relative (kiosk.kaspi.bankclock.expiry_within);
    the QR leaves the screen at the earlier of it and `now + scan_timeout`, since a
    scan after ExpireDate fails at the bank. No wall clock is read here.
    """

    def __init__(
        self,
        payment_id: int,
        behavior: BehaviorOptions,
        now: float,
        *,
        expires_in: float | None = None,
    ) -> None:
        self.payment_id = payment_id
        self.behavior = behavior
        self.created_at = now
        self.state = SaleState.QR  # what the screen shows
        self.outcome = SaleState.QR  # what really happened; differs from state only after cancel
        self.reason: Reason | None = None
        self.qr_visible = True
        self.watching = True
        self.cancelled = False
        #: The screen left the awaiting page at the confirmation deadline ("not known yet");
        #: the watch reads on through the grace, and a payment then needs the operator.
        self.screen_gave_up = False
        self._gave_way_for = Reason.CONFIRM_TIMEOUT
        self.needs_refund = False
        self.last_status: str | None = None
        self.last_error: Exception | None = None
        self.failures = 0  # failed reads in a row, for a "connection problem" hint
        self.polls_sent = 0
        self.paid_amount: Decimal | None = None
        self.amount_mismatch = False
        scan_wait = behavior.scan_timeout
        if expires_in is not None:
            scan_wait = max(0.0, min(scan_wait, expires_in))
        self.scan_deadline = now + scan_wait
        self.confirm_deadline: float | None = None
        self._stage = SaleState.QR  # the stage being watched, whatever the screen shows
        self._sent_at: float | None = None
        self._in_flight = False

    # -- queries -------------------------------------------------------------

    @property
    def stage(self) -> SaleState:
        """QR or AWAITING while watching (even after cancel); the outcome once done."""
        return self._stage if self.watching else self.outcome

    @property
    def deadline(self) -> float:
        """The deadline of the stage being watched."""
        if self._stage is SaleState.AWAITING and self.confirm_deadline is not None:
            return self.confirm_deadline
        return self.scan_deadline

    @property
    def watch_end(self) -> float:
        """When the stage being watched ends: its deadline, plus the grace for a confirmation."""
        if self._stage is SaleState.AWAITING and self.confirm_deadline is not None:
            return self.confirm_deadline + CONFIRM_GRACE_POLLS * self.behavior.poll_interval
        return self.scan_deadline

    @property
    def read_on_until(self) -> float:
        """When failed reads (or statuses the guide does not list) end the watch UNKNOWN.

        In the QR stage a scan may have come at the last second, unseen: its confirmation
        may run for the whole confirmation timeout after the scan deadline.
        """
        grace = CONFIRM_GRACE_POLLS * self.behavior.poll_interval
        if self._stage is SaleState.QR:
            return self.scan_deadline + self.behavior.confirm_timeout + grace
        return self.watch_end

    @property
    def in_flight(self) -> bool:
        return self._in_flight

    @property
    def needs_operator(self) -> bool:
        """The operator must look: the outcome is unknown, or money moved not as agreed."""
        return (
            self.outcome is SaleState.UNKNOWN
            or self.needs_refund
            or (self.outcome is SaleState.PROCESSED and self.amount_mismatch)
        )

    @property
    def stage_length(self) -> float:
        """The full length of the stage on screen, for the countdown's total (the QR stage
        is shorter than the scan timeout when ExpireDate shortened it)."""
        if self.state is SaleState.AWAITING:
            return self.behavior.confirm_timeout
        return self.scan_deadline - self.created_at

    def poll_due(self, now: float) -> bool:
        """A status read should be sent now."""
        return self.watching and not self._in_flight and now >= self._next_poll_at()

    def next_wakeup(self, now: float) -> float | None:
        """Seconds until on_tick / poll_due must be asked again.

        None when no timer is needed: the flow is done, or it waits only for the
        answer in flight (the answer's call re-arms the timer).
        """
        times = []
        if self.qr_visible:
            times.append(self.scan_deadline)
        if not self._in_flight:  # the screen's own deadlines wait for an answer due now
            if self.state is SaleState.AWAITING and self.confirm_deadline is not None:
                times.append(self.confirm_deadline)
            if self.state is SaleState.QR and not self.qr_visible:
                times.append(self.scan_give_way)
        if self.watching and not self._in_flight:
            times.append(self._next_poll_at())
        if not times:
            return None
        return max(0.0, min(times) - now)

    def seconds_left(self, now: float) -> float:
        """Countdown to the deadline of the stage on screen; 0 once the screen shows an outcome."""
        if self.state is SaleState.QR:
            return max(0.0, self.scan_deadline - now)
        if self.state is SaleState.AWAITING and self.confirm_deadline is not None:
            return max(0.0, self.confirm_deadline - now)
        return 0.0

    def _next_poll_at(self) -> float:
        if self._sent_at is None:
            return self.created_at
        return self._sent_at + self.behavior.poll_interval

    # -- events --------------------------------------------------------------

    def on_tick(self, now: float) -> list[Change]:
        """Apply what time alone decides: the QR leaves the screen at the scan deadline, and
        the awaiting screen gives way at the confirmation deadline (the watch goes on)."""
        if self.qr_visible and now >= self.scan_deadline:
            self.qr_visible = False
            return [Change(self.outcome, self.outcome, None, None, shown=not self.cancelled)]
        return self._screen_deadline(now)

    def _screen_deadline(self, now: float) -> list[Change]:
        if self._in_flight:
            return []  # its answer, due any moment, may end the sale as it really ended
        if (
            self.state is SaleState.AWAITING
            and self.confirm_deadline is not None
            and now >= self.confirm_deadline
        ):
            # What the customer sees ends; what the bank does is still read (the grace).
            return self._give_way(Reason.CONFIRM_TIMEOUT)
        if self.state is SaleState.QR and not self.qr_visible and now >= self.scan_give_way:
            # No status since the QR left: the customer is told it is not known yet.
            return self._give_way(Reason.BANK_UNREACHABLE)
        return []

    @property
    def scan_give_way(self) -> float:
        """When the expired QR's "checking" screen gives way if no status has come."""
        return self.scan_deadline + CONFIRM_GRACE_POLLS * self.behavior.poll_interval

    def _give_way(self, reason: Reason) -> list[Change]:
        old = self.state
        self.screen_gave_up = True
        self._gave_way_for = reason
        self.state = SaleState.UNKNOWN
        return [Change(old, SaleState.UNKNOWN, reason, None)]

    def poll_sent(self, now: float) -> None:
        """The controller has just sent a status read."""
        if not self.poll_due(now):
            raise RuntimeError(
                f"payment {self.payment_id}: status read sent when none was due "
                f"(in flight: {self._in_flight}, watching: {self.watching})"
            )
        self._sent_at = now
        self._in_flight = True
        self.polls_sent += 1

    def on_status(self, status: str, now: float) -> list[Change]:
        """The answer to the read in flight: the payment's status text."""
        changes = self._answer(now, screen=False)
        end = self.read_on_until if meaning_of(status) is Meaning.UNLISTED else self.watch_end
        past_deadline, past_end = self._read_past(self.deadline), self._read_past(end)
        self.last_status = status
        self.last_error = None
        self.failures = 0
        new, reason = classify(self._stage, status, past_deadline, past_end)
        if new is SaleState.AWAITING and self._stage is SaleState.QR:
            self._stage = SaleState.AWAITING
            self.confirm_deadline = now + self.behavior.confirm_timeout
            self.qr_visible = False
            if self.cancelled:  # scanned after the cancel: worth a line in the journal
                changes.append(Change(self.outcome, self.outcome, self.reason, status, False))
            elif self.screen_gave_up:  # scanned at the last second: the journal follows
                self.outcome = SaleState.AWAITING
                changes.append(Change(SaleState.QR, SaleState.AWAITING, None, status, False))
            else:
                self.state = self.outcome = SaleState.AWAITING
                changes.append(Change(SaleState.QR, SaleState.AWAITING, None, status))
        elif new.is_final:
            changes.extend(self._end(new, reason, status))
        if self.watching:
            changes.extend(self._screen_deadline(now))
        return changes

    def on_transport_error(self, error: Exception, now: float) -> list[Change]:
        """The read in flight failed (any KaspiError: transient or not, see the module doc)."""
        changes = self._answer(now)
        self.last_error = error
        self.failures += 1
        if self._read_past(self.read_on_until):
            changes.extend(self._end(SaleState.UNKNOWN, Reason.BANK_UNREACHABLE, None))
        return changes

    def cancel(self, now: float) -> bool:
        """The customer gives up before scanning. False if it is too late (scanned or ended)."""
        self.on_tick(now)
        if self.state is not SaleState.QR:
            return False
        self.cancelled = True
        self.state = self.outcome = SaleState.CANCELLED
        self.reason = Reason.CANCELLED
        self.qr_visible = False
        return True

    def on_paid_amount(self, total_amount: Decimal, expected: Decimal, now: float) -> list[Change]:
        """Check the paid TotalAmount (payment/details) against the sale's amount.

        Called only on a PROCESSED outcome (ValueError otherwise: a controller bug).
        A mismatch keeps PROCESSED (the money did move) but needs the operator.
        """
        if self.outcome is not SaleState.PROCESSED:
            raise ValueError(f"payment {self.payment_id} is {self.outcome.value}, not processed")
        self.paid_amount = total_amount
        self.amount_mismatch = total_amount != expected
        if not self.amount_mismatch or self.reason is not None:
            # A PAID_AFTER_CANCEL stays the reason: it already needs the operator.
            return []
        self.reason = Reason.AMOUNT_MISMATCH
        return [
            Change(SaleState.PROCESSED, SaleState.PROCESSED, self.reason, None, not self.cancelled)
        ]

    # -- internals -----------------------------------------------------------

    def _answer(self, now: float, *, screen: bool = True) -> list[Change]:
        """`screen` False: the screen's deadlines wait until the answer has been read."""
        if not self._in_flight:
            raise RuntimeError(f"payment {self.payment_id}: an answer came with no read in flight")
        self._in_flight = False
        if self.qr_visible and now >= self.scan_deadline:
            return self.on_tick(now)
        return self._screen_deadline(now) if screen else []

    def _read_past(self, moment: float) -> bool:
        assert self._sent_at is not None
        return self._sent_at >= moment

    def _end(self, new: SaleState, reason: Reason | None, status: str | None) -> list[Change]:
        old = self.outcome
        self.watching = False
        self.qr_visible = False
        if self.screen_gave_up:
            # The customer was told "not known yet": a payment now needs the operator.
            if new is SaleState.PROCESSED:
                reason = self._gave_way_for
                self.needs_refund = True
            self.outcome, self.reason = new, reason
            return [Change(old, new, reason, status, shown=False)]
        if self.cancelled:
            if new is SaleState.PROCESSED:
                new, reason = SaleState.PROCESSED, Reason.PAID_AFTER_CANCEL
                self.needs_refund = True
            elif new is SaleState.FAILED:
                # Declined or timed out after the cancel: nothing was paid, the
                # cancel stands; the note says what ended the watch.
                return [Change(old, old, self.reason, status, shown=False)]
            self.outcome, self.reason = new, reason
            return [Change(old, new, reason, status, shown=False)]
        self.state = self.outcome = new
        self.reason = reason
        return [Change(old, new, reason, status)]


def run_flow(
    flow: PaymentFlow,
    read_status: Callable[[], str],
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    on_change: Callable[[Change], None],
) -> PaymentFlow:
    """Drive `flow` synchronously until it stops watching (the terminal and the tests).

    A KaspiError from `read_status` is a failed read; anything else propagates.
    """
    while flow.watching:
        now = clock()
        for change in flow.on_tick(now):
            on_change(change)
        if flow.poll_due(now):
            flow.poll_sent(now)
            try:
                status = read_status()
            except KaspiError as exc:
                changes = flow.on_transport_error(exc, clock())
            else:
                changes = flow.on_status(status, clock())
            for change in changes:
                on_change(change)
            continue
        wait = flow.next_wakeup(now)
        if wait is None:  # cannot happen without a read in flight; never spin
            break
        sleep(wait)
    return flow
