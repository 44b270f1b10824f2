"""The bank's status texts are read in one place (flow.meaning_of), by the flow and by recovery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers.journal import sale_record

from kiosk.journal import SaleRecord
from kiosk.kaspi.models import PaymentStatus
from kiosk.payment.flow import Meaning, classify, meaning_of
from kiosk.payment.recovery import DEAD_MARGIN, KEEP_ASKING, Verdict, judge
from kiosk.payment.sale import Reason, SaleState

S = SaleState
CREATED = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
EXPIRES = CREATED + timedelta(minutes=5)


@pytest.mark.parametrize(
    ("status", "meaning"),
    [
        ("QrTokenCreated", Meaning.NOT_SCANNED),
        ("Wait", Meaning.SCANNED),
        ("Processed", Meaning.PAID),
        ("Error", Meaning.DECLINED),
        # Not the texts of docs/kaspi/api.md §5.5 (exact match only): none is paid or declined.
        ("processed", Meaning.UNLISTED),
        ("PROCESSED", Meaning.UNLISTED),
        (" Processed", Meaning.UNLISTED),
        ("", Meaning.UNLISTED),
        ("RemotePaymentCreated", Meaning.UNLISTED),
    ],
)
def test_meaning_of(status: str, meaning: Meaning) -> None:
    assert meaning_of(status) is meaning


def test_every_status_the_client_knows_has_a_meaning() -> None:
    assert {meaning_of(s.value) for s in PaymentStatus} == set(Meaning) - {Meaning.UNLISTED}


def record(state: SaleState, reason: Reason | None = None) -> SaleRecord:
    return sale_record(
        created_at=CREATED.isoformat(),
        updated_at=CREATED.isoformat(),
        state=state,
        reason=reason,
        expire_date=EXPIRES.isoformat(),
    )


@pytest.mark.parametrize(
    ("status", "flow_says", "recovery_says"),
    [
        ("Processed", (S.PROCESSED, None), Verdict(True, S.PROCESSED, Reason.INTERRUPTED, True)),
        ("Error", (S.FAILED, Reason.DECLINED), Verdict(True, S.FAILED, Reason.DECLINED)),
        ("Wait", (S.AWAITING, None), KEEP_ASKING),
        ("processed", (S.AWAITING, None), KEEP_ASKING),
    ],
)
def test_the_flow_and_recovery_read_a_status_alike(
    status: str, flow_says: tuple[SaleState, Reason | None], recovery_says: Verdict
) -> None:
    """An awaiting sale, read before any deadline: paid, declined or not yet, in both."""
    assert classify(S.AWAITING, status, past_deadline=False) == flow_says
    assert judge(record(S.AWAITING), status, CREATED + timedelta(minutes=1)) == recovery_says


def test_recovery_ends_a_not_scanned_qr_only_after_it_expired() -> None:
    before, after = EXPIRES - timedelta(seconds=1), EXPIRES + DEAD_MARGIN + timedelta(seconds=1)
    assert judge(record(S.QR), "QrTokenCreated", before) == KEEP_ASKING
    assert judge(record(S.QR), "QrTokenCreated", after) == Verdict(
        True, S.FAILED, Reason.SCAN_TIMEOUT
    )
    # An unlisted text past the expiry proves nothing: keep asking until the give-up time.
    assert judge(record(S.QR), "Unheard", after) == KEEP_ASKING
    assert judge(record(S.QR), None, after + timedelta(minutes=10)) == Verdict(
        True, S.UNKNOWN, Reason.BANK_UNREACHABLE
    )


def test_a_late_payment_on_a_cancelled_sale_is_paid_after_cancel() -> None:
    assert judge(record(S.CANCELLED, Reason.CANCELLED), "Processed", CREATED) == Verdict(
        True, S.PROCESSED, Reason.PAID_AFTER_CANCEL, needs_refund=True
    )
