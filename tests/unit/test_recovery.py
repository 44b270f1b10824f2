"""Recovery's deadlines and budget: the kiosk's own clock rules, the bank's answers settle."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kiosk.journal import SaleRecord
from kiosk.recovery import KEEP_ASKING, LATE_GRACE, Verdict, give_up_at, judge, scan_deadline
from kiosk.sale import Reason, SaleState

S = SaleState
CREATED = datetime(2025, 10, 22, 12, 0, tzinfo=UTC)
DEADLINE = CREATED + timedelta(seconds=180)  # creation + QrCodeScanWaitTimeout


def record(state: SaleState = S.QR, **changes: object) -> SaleRecord:
    base = SaleRecord(
        sale_id=1,
        created_at=CREATED.isoformat(timespec="milliseconds"),
        updated_at=CREATED.isoformat(timespec="milliseconds"),
        amount=Decimal("100"),
        external_id=None,
        source="host",
        scheme="standard",
        device_id="KIOSK-001",
        state=state,
        reason=None,
        last_status=None,
        qr_payment_id=7001,
        # The guide's own example shape, in Kazakhstan's time (UTC+5) as the bank means it:
        # read as UTC it would keep the QR "alive" five hours longer.
        expire_date="2025-10-22T17:03:00.1566667",
        needs_refund=False,
        recovered=False,
        resolved_at=None,
        refunded_amount=Decimal("0"),
        note=None,
        scan_deadline=DEADLINE.isoformat(timespec="milliseconds"),
        confirm_timeout=65.0,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_naive_expire_date_never_extends_the_kiosks_deadline() -> None:
    """Issue 8, item 1: the guide's naive ExpireDate was read as UTC (5 hours too late)."""
    assert scan_deadline(record()) == DEADLINE
    after = DEADLINE + timedelta(seconds=1)
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
    """Issue 8, item 3: the bank decides a Wait PaymentConfirmationTimeout after the scan."""
    assert give_up_at(record()) == DEADLINE + timedelta(seconds=65) + LATE_GRACE
    short = record(confirm_timeout=4.0)
    assert give_up_at(short) == DEADLINE + timedelta(seconds=4) + LATE_GRACE
