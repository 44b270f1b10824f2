"""The refund's pure steps and its wait for the customer, with a scripted bank and clock."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import pytest

from kiosk.kaspi.client import KaspiClient
from kiosk.kaspi.errors import ConnectError, TlsError
from kiosk.kaspi.models import ReturnOperation, ReturnQr
from kiosk.refund.steps import (
    RefundRefused,
    ReturnVerdict,
    check_refundable,
    choose_payment,
    return_verdict,
    wait_for_customer,
)

V = ReturnVerdict
QR = ReturnQr(77, "token", datetime(2025, 10, 22, 17, 13), poll_interval=5, scan_timeout=20)


@pytest.mark.parametrize(
    ("status", "past", "verdict"),
    [
        ("QrTokenCreated", False, V.WAITING),
        ("QrTokenCreated", True, V.EXPIRED),
        ("CustomerIdentityObtained", True, V.IDENTIFIED),
        ("Error", False, V.FAILED),
        (None, False, V.WAITING),
        (None, True, V.UNREADABLE),
        ("Unheard", False, V.WAITING),
    ],
)
def test_return_verdict(status: str | None, past: bool, verdict: ReturnVerdict) -> None:
    assert return_verdict(status, past) is verdict


def op(payment_id: int) -> ReturnOperation:
    return ReturnOperation(payment_id, None, Decimal("10"))


def test_only_a_purchase_of_the_identified_customer_is_refunded() -> None:
    """The refund is of one of the listed purchases (docs/kaspi/api.md §10.10)."""
    assert choose_payment([op(1), op(2)], 2).payment_id == 2
    with pytest.raises(RefundRefused, match=r"payment 3 is not among .* \(1, 2\)"):
        choose_payment([op(1), op(2)], 3)
    with pytest.raises(RefundRefused, match="none"):
        choose_payment([], 3)


def test_never_more_than_available() -> None:
    check_refundable(1, Decimal("10"), Decimal("10"))
    with pytest.raises(RefundRefused, match="only 10"):
        check_refundable(1, Decimal("10.01"), Decimal("10"))
    with pytest.raises(RefundRefused):
        check_refundable(1, Decimal("0"), Decimal("10"))


class Scripted:
    """return/status answers as a function of the time the read is sent."""

    def __init__(
        self, clock: list[float], scan_at: float | None, fail: frozenset[float] = frozenset()
    ) -> None:
        self.clock, self.scan_at, self.fail = clock, scan_at, fail
        self.sent: list[float] = []

    def return_status(self, return_id: int) -> str:
        at = self.clock[0]
        self.sent.append(at)
        if at in self.fail:
            raise ConnectError("refused")
        if self.scan_at is not None and at >= self.scan_at:
            return "CustomerIdentityObtained"
        return "QrTokenCreated"


def run(bank: Scripted, clock: list[float]) -> ReturnVerdict:
    def sleep(seconds: float) -> None:
        assert seconds >= 0
        clock[0] += seconds

    client = cast(KaspiClient, bank)
    return wait_for_customer(client, QR, clock=lambda: clock[0], sleep=sleep)


def test_a_scan_in_the_last_interval_is_seen_by_a_read_at_the_deadline() -> None:
    """Reads at 0, 5, 10, 15, then at the deadline (20) itself (docs/kaspi/api.md §6.4)."""
    clock = [0.0]
    bank = Scripted(clock, scan_at=19.0)
    assert run(bank, clock) is V.IDENTIFIED
    assert bank.sent == [0.0, 5.0, 10.0, 15.0, 20.0]


def test_not_scanned_by_the_deadline_is_expired_after_one_read_at_it() -> None:
    clock = [0.0]
    bank = Scripted(clock, scan_at=None)
    assert run(bank, clock) is V.EXPIRED
    assert bank.sent[-1] == 20.0 and bank.sent.count(20.0) == 1


def test_failed_reads_are_retried_and_a_failure_at_the_deadline_is_unreadable() -> None:
    clock = [0.0]
    assert run(Scripted(clock, scan_at=7.0, fail=frozenset({5.0})), clock) is V.IDENTIFIED
    clock = [0.0]
    assert run(Scripted(clock, scan_at=None, fail=frozenset({20.0})), clock) is V.UNREADABLE


def test_a_non_transient_failure_propagates() -> None:
    class Broken:
        def return_status(self, return_id: int) -> Any:
            raise TlsError("certificate expired")

    with pytest.raises(TlsError):
        wait_for_customer(cast(KaspiClient, Broken()), QR, clock=lambda: 0.0, sleep=lambda s: None)
