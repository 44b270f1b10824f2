"""Recovery's deadlines and budget: the kiosk's own clock rules, the bank's answers settle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpers.journal import START, sale_in, sale_record

from kiosk.journal import Journal, SaleRecord
from kiosk.kaspi.errors import ApiError, ConnectError
from kiosk.payment.recovery import (
    DEAD_MARGIN,
    KEEP_ASKING,
    LATE_GRACE,
    Verdict,
    candidates,
    give_up_at,
    judge,
    recover,
    scan_deadline,
)
from kiosk.payment.sale import Reason, SaleState

S = SaleState
CREATED = datetime(2025, 10, 22, 12, 0, tzinfo=UTC)
DEADLINE = CREATED + timedelta(seconds=180)  # creation + QrCodeScanWaitTimeout


def record(state: SaleState = S.QR, **changes: object) -> SaleRecord:
    values: dict[str, object] = {
        "created_at": CREATED.isoformat(timespec="milliseconds"),
        "updated_at": CREATED.isoformat(timespec="milliseconds"),
        "source": "host",
        "state": state,
        # The guide's own example shape (docs/kaspi/api.md §10.7), in Kazakhstan's time (UTC+5):
        # read as UTC it would keep the QR "alive" five hours longer.
        "expire_date": "2025-10-22T17:03:00.1566667",
        "scan_deadline": DEADLINE.isoformat(timespec="milliseconds"),
        "confirm_timeout": 65.0,
    }
    return sale_record(**{**values, **changes})


def test_a_naive_expire_date_never_extends_the_kiosks_deadline() -> None:
    """The guide's naive ExpireDate (docs/kaspi/api.md §10.7) was read as UTC (5 hours too late)."""
    assert scan_deadline(record()) == DEADLINE
    after = DEADLINE + DEAD_MARGIN + timedelta(seconds=1)
    assert judge(record(), "QrTokenCreated", after) == Verdict(True, S.FAILED, Reason.SCAN_TIMEOUT)
    assert judge(record(), "QrTokenCreated", DEADLINE - timedelta(seconds=1)) == KEEP_ASKING


def test_an_earlier_offset_aware_expire_date_shortens_the_deadline() -> None:
    earlier = record(expire_date="2025-10-22T17:02:00.000+05:00")  # 12:02 UTC
    assert scan_deadline(earlier) == CREATED + timedelta(minutes=2)
    later = record(expire_date="2025-10-22T17:10:00.000+05:00")
    assert scan_deadline(later) == DEADLINE


def test_a_sale_from_before_the_deadlines_were_journalled() -> None:
    """Schema 1 sales have no scan_deadline: an aware ExpireDate, else creation + 5 min."""
    old = record(scan_deadline=None, confirm_timeout=None)
    assert scan_deadline(old) == CREATED + timedelta(minutes=5)
    aware = record(scan_deadline=None, expire_date="2025-10-22T17:01:00+05:00")
    assert scan_deadline(aware) == CREATED + timedelta(minutes=1)


def test_give_up_follows_the_journalled_confirmation_timeout() -> None:
    """The bank decides a Wait PaymentConfirmationTimeout after a scan (docs/kaspi/api.md §5.4)."""
    assert give_up_at(record()) == DEADLINE + timedelta(seconds=65) + LATE_GRACE
    short = record(confirm_timeout=4.0)
    assert give_up_at(short) == DEADLINE + timedelta(seconds=4) + LATE_GRACE


# --- start-up recovery with a budget -----------------------------------------------------------


class Time:
    """Wall-clock time that moves only when recovery sleeps."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self.slept = 0.0

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.slept += seconds
        self.now += timedelta(seconds=seconds)


def journal_with(tmp_path: Path, clock: Time, *states: SaleState) -> tuple[Journal, list[int]]:
    journal = Journal.open(tmp_path, clock=clock)
    ids = []
    for n, state in enumerate(states):
        sale_id = sale_in(journal, state, payment_id=100 + n)
        ids.append(sale_id)
    return journal, ids


def test_a_forgotten_never_scanned_payment_is_final_not_paid(tmp_path: Path) -> None:
    """-1601 for a QR nobody scanned, past its deadline: failed at once, no more reads; a
    scanned one stays open until the bank's give-up time."""
    clock = Time(START + timedelta(minutes=4))  # the QR died at 12:03
    journal, (qr, awaiting) = journal_with(tmp_path, clock, S.QR, S.AWAITING)
    reads: list[int] = []

    def forgotten(payment_id: int) -> str:
        reads.append(payment_id)
        raise ApiError(-1601, "Покупка не найдена")

    recover(journal, forgotten, interval=1, now=clock, sleep=clock.sleep, budget=5)
    first = journal.get(qr)
    assert first is not None and (first.state, first.reason) == (S.FAILED, Reason.SCAN_TIMEOUT)
    assert "no longer knows" in (first.note or "")
    assert reads.count(100) == 1  # settled by the first answer
    second = journal.get(awaiting)
    assert second is not None and second.state is S.UNKNOWN  # scanned: the bank must say more
    assert clock.slept <= 5


def test_recovery_stops_at_its_budget_and_leaves_unknown_for_the_idle_recheck(
    tmp_path: Path,
) -> None:
    clock = Time(START)
    journal, (failing, waiting) = journal_with(tmp_path, clock, S.QR, S.AWAITING)

    def read(payment_id: int) -> str:
        if payment_id == 100:
            raise ConnectError("refused")
        return "Wait"

    outcomes = recover(journal, read, interval=1, now=clock, sleep=clock.sleep, budget=5)
    assert clock.slept == 5  # never longer than the budget
    a, b = journal.get(failing), journal.get(waiting)
    assert a is not None and (a.state, a.reason, a.recovered) == (
        S.UNKNOWN,
        Reason.BANK_UNREACHABLE,
        True,
    )
    assert b is not None and (b.state, b.reason) == (S.UNKNOWN, Reason.INTERRUPTED)
    assert {o.sale_id for o in outcomes} == {failing, waiting}
    # The idle re-check keeps asking about unknown sales, however old they are.
    clock.now += timedelta(days=3)
    assert {r.sale_id for r in candidates(journal, clock())} == {failing, waiting}
    recover(journal, lambda _pid: "Processed", now=clock, sleep=clock.sleep, max_passes=1)
    paid = journal.get(waiting)
    assert paid is not None and (paid.state, paid.reason, paid.needs_refund) == (
        S.PROCESSED,
        Reason.INTERRUPTED,
        True,
    )


def test_a_late_cancellation_of_an_unknown_wait_is_confirm_timeout() -> None:
    """The kiosk left a Wait unknown (docs/kaspi/api.md §5.6); the bank's later Error is its own
    cancellation (failed / confirm_timeout), a later Processed is paid (needs the operator)."""
    unknown = record(S.UNKNOWN, reason=Reason.CONFIRM_TIMEOUT, last_status="Wait")
    later = DEADLINE + timedelta(minutes=10)
    assert judge(unknown, "Error", later) == Verdict(True, S.FAILED, Reason.CONFIRM_TIMEOUT)
    assert judge(unknown, "Processed", later) == Verdict(
        True, S.PROCESSED, Reason.CONFIRM_TIMEOUT, needs_refund=True
    )


def test_sales_killed_before_qr_create_answered_are_settled_failed(tmp_path: Path) -> None:
    """No payment id means the QR never reached the screen: failed, with the reason, and an
    orphan an older kiosk left unknown is settled too; the bank is never asked."""
    clock = Time(START)
    with Journal.open(tmp_path, clock=clock) as journal:
        creating = sale_in(journal, S.CREATING)
        old_orphan = sale_in(journal, S.CREATING)
        journal.set_state(old_orphan, S.UNKNOWN, Reason.INTERRUPTED)

        def never(_pid: int) -> str:
            raise AssertionError("nothing to ask the bank")

        recover(journal, never, now=clock, sleep=clock.sleep, budget=5)
        for sale_id in (creating, old_orphan):
            settled = journal.get(sale_id)
            assert settled is not None
            assert (settled.state, settled.reason) == (S.FAILED, Reason.INTERRUPTED)
            assert "no QR was shown" in (settled.note or "")
        assert journal.unknown() == []


def test_a_scanned_payment_the_bank_keeps_forgetting_is_settled_by_the_guides_rule(
    tmp_path: Path,
) -> None:
    """-1601 is an answer, not an unreachable bank; asked until the bank would have
    cancelled the purchase, then settled as its cancellation, with a note for staff."""
    clock = Time(START + timedelta(minutes=4))  # past the QR's deadline (12:03)
    journal, (scanned,) = journal_with(tmp_path, clock, S.AWAITING)
    journal.record_status(scanned, "Wait")  # as the kiosk records it before the screen moves

    def forgotten(_payment_id: int) -> str:
        raise ApiError(-1601, "Покупка не найдена")

    recover(journal, forgotten, interval=1, now=clock, sleep=clock.sleep, budget=2)
    first = journal.get(scanned)
    assert first is not None and (first.state, first.reason) == (S.UNKNOWN, Reason.INTERRUPTED)
    clock.now += timedelta(minutes=10)  # past the bank's give-up time
    recover(journal, forgotten, now=clock, sleep=clock.sleep, max_passes=1)
    settled = journal.get(scanned)
    assert settled is not None
    assert (settled.state, settled.reason) == (S.FAILED, Reason.CONFIRM_TIMEOUT)
    assert "guide's rule" in (settled.note or "")
