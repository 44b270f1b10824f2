"""At start, find out from the bank how every interrupted or abandoned sale really ended.

Two kinds of sales are asked about before the kiosk takes a new one:

- unfinished ones (creating, qr, awaiting): the kiosk stopped mid-sale;
- recently abandoned ones (cancelled, timed out, unknown) whose payment could
  still have been paid after the kiosk gave up on it.

Rules (`judge`): a `creating` sale has no payment id, so it cannot be asked
about; its QR was never shown (the payment id is journalled before the QR goes
on screen), so nobody can have scanned it: it becomes FAILED/INTERRUPTED. A
sale with a payment id is final only when the bank says so: Processed, Error,
a QrTokenCreated read when the bank's own clock is past the token's deadline
(it can no longer be scanned), or the bank's "purchase not found" (-1601) then.
Every time here is the bank's (kiosk.kaspi.bankclock): the deadlines are
journalled in it, and "now" is the bank clock's reading, so a kiosk whose clock
is off or moved while it was down never decides a payment's fate by itself.
A Wait is followed until the bank decides (it cancels an unconfirmed Wait by
itself). Money that arrived after the kiosk gave up on the sale — it was
cancelled, timed out, or the kiosk crashed — is recorded as PROCESSED with
needs_refund: the customer was never shown "paid", so the operator hands the
goods over or refunds. If the bank cannot be asked
before the give-up time, an unfinished sale ends UNKNOWN, never FAILED. A
scanned payment the bank keeps calling unknown (-1601) after the give-up time
is settled by the guide's rule — an unconfirmed purchase is cancelled by the
bank — as FAILED/CONFIRM_TIMEOUT, with a note for the operator.

Plain Python with injected clocks: runs on a worker thread in the kiosk, in
`kiosk recover` and in tests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kiosk.journal import Journal, SaleRecord
from kiosk.kaspi.bankclock import BANK_CLOCK
from kiosk.kaspi.dates import parse_datetime
from kiosk.kaspi.errors import PURCHASE_NOT_FOUND, ApiError, KaspiError
from kiosk.payment.flow import Meaning, meaning_of

# Which sales are asked about (kept importable from here; the query lives apart so the
# first screen can be chosen without importing the status rules below).
from kiosk.payment.pending import candidates as candidates
from kiosk.payment.sale import Reason, SaleState

log = logging.getLogger(__name__)

#: How long the bank may be late with its own cancellation of a stale Wait.
LATE_GRACE = timedelta(seconds=30)
#: A QrTokenCreated (or -1601) read this long after the token's deadline, by the bank's
#: clock, proves it dead: the skew learnt from the bank's whole-second `Date` is good to
#: half a second.
DEAD_MARGIN = timedelta(seconds=1)
#: Sales journalled before the kiosk recorded its own deadlines (schema 1): the old guesses.
OLD_SCAN_WINDOW = timedelta(minutes=5)
DECISION_GRACE = timedelta(minutes=5)


@dataclass(frozen=True)
class Verdict:
    """What the journal should say now; `done` False means: ask the bank again later."""

    done: bool
    state: SaleState | None = None  # None with done: leave the record as it is
    reason: Reason | None = None
    needs_refund: bool = False


KEEP_ASKING = Verdict(False)
LEAVE = Verdict(True)


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parse_datetime(text)
    except ValueError:
        return None


def scan_deadline(record: SaleRecord) -> datetime:
    """The last moment the QR could be scanned.

    The kiosk's own deadline (creation + QrCodeScanWaitTimeout, journalled in UTC),
    shortened by an offset-aware ExpireDate. An ExpireDate without an offset (the
    guide's own example, docs/kaspi/api.md §10.7) names no moment and never extends a deadline.
    """
    times = [t for t in (_parse(record.scan_deadline),) if t is not None]
    expire = _parse(record.expire_date)
    if expire is not None and expire.utcoffset() is not None:
        times.append(expire)
    if not times:  # written before the kiosk journalled its deadline, and no aware date
        created = _parse(record.created_at) or BANK_CLOCK.kiosk_now()
        return BANK_CLOCK.to_bank(created) + OLD_SCAN_WINDOW
    return min(times)


def give_up_at(record: SaleRecord) -> datetime:
    """After this moment the bank has decided (or should have): stop waiting for it.

    A Wait is cancelled by the bank PaymentConfirmationTimeout after the scan, and the
    scan is no later than the scan deadline; LATE_GRACE allows for a bank that is late.
    """
    if record.confirm_timeout is not None:
        return scan_deadline(record) + timedelta(seconds=record.confirm_timeout) + LATE_GRACE
    return scan_deadline(record) + DECISION_GRACE


def never_scanned(record: SaleRecord) -> bool:
    """The journal never saw the payment scanned (no Wait, no awaiting)."""
    seen = meaning_of(record.last_status) if record.last_status is not None else None
    return record.state is not SaleState.AWAITING and seen in (None, Meaning.NOT_SCANNED)


def judge(
    record: SaleRecord, status: str | None, now: datetime, *, forgotten: bool = False
) -> Verdict:
    """The verdict on `record` after a status read (`status` None: the read failed).

    `now`: the bank's time (kiosk.kaspi.bankclock). `forgotten`: the bank answered
    "purchase not found" (-1601). For a payment never scanned that is final once the
    token's deadline has passed: nobody can pay a QR the bank no longer knows. A
    scanned one stays open until the bank's give-up time, then the guide's rule
    settles it (an unconfirmed purchase is cancelled by the bank).
    """
    unfinished = not record.state.is_final
    dead = now > scan_deadline(record) + DEAD_MARGIN
    if forgotten:
        if not dead:
            return KEEP_ASKING  # a bank that is slow to register its own new purchase
        if never_scanned(record):
            if unfinished or record.state is SaleState.UNKNOWN:
                return Verdict(True, SaleState.FAILED, Reason.SCAN_TIMEOUT)
            return LEAVE
        if now < give_up_at(record):
            return KEEP_ASKING
        if unfinished or record.state is SaleState.UNKNOWN:
            return Verdict(True, SaleState.FAILED, Reason.CONFIRM_TIMEOUT)
        return LEAVE
    meaning = meaning_of(status) if status is not None else None
    if meaning is Meaning.PAID:
        # Paid, but the customer was not told so at the kiosk: the operator hands the
        # goods over or refunds. The reason says how the kiosk lost track of it.
        if unfinished:
            reason = Reason.INTERRUPTED
        elif record.state is SaleState.UNKNOWN and record.reason is not None:
            reason = record.reason
        else:
            reason = Reason.PAID_AFTER_CANCEL
        return Verdict(True, SaleState.PROCESSED, reason, needs_refund=True)
    if meaning is Meaning.DECLINED:
        if record.state is SaleState.UNKNOWN and record.reason is Reason.CONFIRM_TIMEOUT:
            # The bank cancelled the Wait after the kiosk's deadline (docs/kaspi/api.md §5.6).
            return Verdict(True, SaleState.FAILED, Reason.CONFIRM_TIMEOUT)
        if unfinished or record.state is SaleState.UNKNOWN:
            return Verdict(True, SaleState.FAILED, Reason.DECLINED)
        return LEAVE
    if meaning is Meaning.NOT_SCANNED and dead:
        # Provably dead: the token can no longer be scanned.
        if unfinished or record.state is SaleState.UNKNOWN:
            return Verdict(True, SaleState.FAILED, Reason.SCAN_TIMEOUT)
        return LEAVE
    if now < give_up_at(record):
        return KEEP_ASKING
    if unfinished:
        return Verdict(True, SaleState.UNKNOWN, Reason.BANK_UNREACHABLE)
    return LEAVE


@dataclass
class Outcome:
    sale_id: int
    before: SaleState
    after: SaleState
    reason: Reason | None
    needs_refund: bool


def recover(
    journal: Journal,
    read_status: Callable[[int], str],
    *,
    interval: float = 5.0,
    now: Callable[[], datetime] = BANK_CLOCK.now,
    sleep: Callable[[float], None],
    on_change: Callable[[int], None] = lambda _sale_id: None,
    max_passes: int | None = None,
    budget: float | None = None,
    select: Callable[[SaleRecord], bool] = lambda _record: True,
) -> list[Outcome]:
    """Ask the bank about every candidate until each has a verdict; returns what changed.

    `max_passes` bounds the reads per sale (the idle re-check makes one pass).
    `budget` bounds the time in seconds (start-up): what is still unsettled then is
    handed to the idle re-check — an unfinished sale becomes UNKNOWN, so the kiosk
    opens for sales instead of waiting for a bank that cannot tell yet. `select`
    narrows the candidates (the idle re-check leaves the sales the kiosk itself follows).
    """
    outcomes: list[Outcome] = []
    # The budget counts the waits between passes, not the bank's clock: that clock's
    # reading moves when the first answer tells the skew.
    waited = 0.0
    pending = [r for r in candidates(journal, BANK_CLOCK.kiosk_now()) if select(r)]
    for record in list(pending):
        if record.state is SaleState.CREATING or (
            record.state is SaleState.UNKNOWN
            and record.reason is Reason.INTERRUPTED
            and record.qr_payment_id is None
        ):
            # No payment id: the QR was never on screen (the id is journalled before it is
            # shown), so no customer can have scanned it and nothing can have been paid.
            journal.set_state(record.sale_id, SaleState.FAILED, Reason.INTERRUPTED, recovered=True)
            journal.add_note(
                record.sale_id,
                "the kiosk stopped before qr/create answered: no QR was shown, nothing was paid",
            )
            outcomes.append(
                Outcome(record.sale_id, record.state, SaleState.FAILED, Reason.INTERRUPTED, False)
            )
            on_change(record.sale_id)
            pending.remove(record)
    if pending:
        log.info("recovery: asking the bank about %d sale(s)", len(pending))
    answered: set[int] = set()  # sales whose last read got a status
    passes = 0
    while pending and (max_passes is None or passes < max_passes):
        passes += 1
        for record in list(pending):
            verdict = _ask(journal, record, read_status, now, answered)
            if not verdict.done:
                continue
            pending.remove(record)
            _apply(journal, record, verdict, outcomes, on_change)
        if not pending or (max_passes is not None and passes >= max_passes):
            break
        left = None if budget is None else budget - waited
        if left is not None and left <= 0:
            break
        pause = interval if left is None else min(interval, left)
        sleep(pause)
        waited += pause
    if budget is not None:
        for record in pending:
            if record.state.is_final:
                continue  # an abandoned sale stays as it is; the idle re-check asks again
            reason = Reason.INTERRUPTED if record.sale_id in answered else Reason.BANK_UNREACHABLE
            log.warning(
                "recovery: sale %s not settled within %g s: unknown, left to the idle re-check",
                record.sale_id,
                budget,
            )
            _apply(journal, record, Verdict(True, SaleState.UNKNOWN, reason), outcomes, on_change)
    return outcomes


def _ask(
    journal: Journal,
    record: SaleRecord,
    read_status: Callable[[int], str],
    now: Callable[[], datetime],
    answered: set[int],
) -> Verdict:
    assert record.qr_payment_id is not None
    forgotten = False
    try:
        status: str | None = read_status(record.qr_payment_id)
    except KaspiError as exc:
        log.warning("recovery: sale %s payment %s: %s", record.sale_id, record.qr_payment_id, exc)
        status = None
        forgotten = isinstance(exc, ApiError) and exc.code in PURCHASE_NOT_FOUND
    if status is None and not forgotten:
        answered.discard(record.sale_id)
    elif status is None:
        answered.add(record.sale_id)  # -1601 is an answer: the bank was reached
    else:
        answered.add(record.sale_id)
        if status != record.last_status:
            journal.record_status(record.sale_id, status)
    # The bank's time after the read: its answer has just told the bank clock the skew.
    verdict = judge(record, status, now(), forgotten=forgotten)
    if forgotten and verdict.state is SaleState.FAILED:
        if verdict.reason is Reason.CONFIRM_TIMEOUT:
            journal.add_note(
                record.sale_id,
                "the bank no longer knows this scanned purchase past its confirmation time: "
                "settled as cancelled by the bank (the guide's rule); check it in Kaspi Pay",
            )
        else:
            journal.add_note(
                record.sale_id, "the bank no longer knows this purchase (never scanned)"
            )
    return verdict


def _apply(
    journal: Journal,
    record: SaleRecord,
    verdict: Verdict,
    outcomes: list[Outcome],
    on_change: Callable[[int], None],
) -> None:
    if verdict.state is None or (verdict.state is record.state and verdict.reason is record.reason):
        return
    journal.set_state(
        record.sale_id,
        verdict.state,
        verdict.reason,
        needs_refund=verdict.needs_refund or None,
        recovered=True,
    )
    # Both clocks in the reason, so a wrong kiosk clock can be seen afterwards.
    log.warning(
        "recovery: sale %s %s -> %s (%s)%s %s",
        record.sale_id,
        record.state.value,
        verdict.state.value,
        verdict.reason.value if verdict.reason else record.last_status,
        " NEEDS REFUND OR HAND-OVER" if verdict.needs_refund else "",
        _both_clocks(record),
    )
    outcomes.append(
        Outcome(record.sale_id, record.state, verdict.state, verdict.reason, verdict.needs_refund)
    )
    on_change(record.sale_id)


def _both_clocks(record: SaleRecord) -> str:
    deadline = scan_deadline(record).astimezone(UTC).isoformat(timespec="seconds")
    kiosk = BANK_CLOCK.kiosk_now().isoformat(timespec="seconds")
    bank = BANK_CLOCK.now().isoformat(timespec="seconds")
    return f"(deadline {deadline} bank time; now kiosk {kiosk}, bank {bank})"
