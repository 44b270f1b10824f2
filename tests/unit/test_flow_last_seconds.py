"""The QR's last seconds: a scan nobody saw may still be confirmed, so only a status ends it."""

from __future__ import annotations

from kiosk.kaspi.errors import ConnectError
from kiosk.kaspi.models import BehaviorOptions
from kiosk.payment.flow import PROCESSED, QR_TOKEN_CREATED, WAIT, Change, PaymentFlow
from kiosk.payment.sale import Reason, SaleState

B = BehaviorOptions(poll_interval=5.0, scan_timeout=180.0, confirm_timeout=65.0)
UNLISTED = "RemotePaymentCreated"
S = SaleState


def send(flow: PaymentFlow, at: float, answer: str) -> list[Change]:
    changes = flow.on_tick(at)
    flow.poll_sent(at)
    return changes + flow.on_status(answer, at)


def fail(flow: PaymentFlow, at: float) -> list[Change]:
    changes = flow.on_tick(at)
    flow.poll_sent(at)
    return changes + flow.on_transport_error(ConnectError("reset"), at)


def outcome(flow: PaymentFlow) -> tuple[SaleState, Reason | None, bool]:
    return flow.outcome, flow.reason, flow.watching


def test_a_last_second_scan_is_not_lost() -> None:
    """Scanned in the QR's last second, the first read after the deadline failed: the
    customer confirms on the phone, and the sale ends paid, never failed or unknown."""
    flow = PaymentFlow(7, B, 0.0)
    send(flow, 175.0, QR_TOKEN_CREATED)
    assert fail(flow, 180.0) == [Change(S.QR, S.QR, None, None)]  # only the QR's removal
    assert flow.watching and flow.state is S.QR and not flow.qr_visible
    assert send(flow, 185.0, WAIT)[-1] == Change(S.QR, S.AWAITING, None, WAIT)
    send(flow, 190.0, PROCESSED)
    assert outcome(flow) == (S.PROCESSED, None, False)


def test_a_last_second_scan_confirmed_after_the_screen_gave_way_is_paid_for_staff() -> None:
    flow = PaymentFlow(7, B, 0.0)
    send(flow, 175.0, QR_TOKEN_CREATED)
    for at in (180.0, 185.0, 190.0):
        fail(flow, at)
    assert flow.on_tick(195.0) == [Change(S.QR, S.UNKNOWN, Reason.BANK_UNREACHABLE, None)]
    assert send(flow, 195.0, WAIT) == [Change(S.QR, S.AWAITING, None, WAIT, shown=False)]
    send(flow, 200.0, PROCESSED)
    assert outcome(flow) == (S.PROCESSED, Reason.BANK_UNREACHABLE, False)
    assert flow.needs_refund and flow.state is S.UNKNOWN


def test_failed_reads_end_unknown_only_after_a_last_second_scan_could_be_confirmed() -> None:
    flow = PaymentFlow(7, B, 0.0)
    send(flow, 175.0, QR_TOKEN_CREATED)
    at, changes = 180.0, []
    while flow.watching:
        changes += fail(flow, at)
        at += 5.0
    assert outcome(flow) == (S.UNKNOWN, Reason.BANK_UNREACHABLE, False)
    assert at - 5.0 == 180.0 + 65.0 + 15.0  # the scan deadline, the confirmation, its grace
    # The screen gave way three intervals after the QR left; the journal's end came later.
    assert Change(S.QR, S.UNKNOWN, Reason.BANK_UNREACHABLE, None) in changes
    assert changes[-1] == Change(S.QR, S.UNKNOWN, Reason.BANK_UNREACHABLE, None, shown=False)


def test_unlisted_status_keeps_polling_in_its_stage() -> None:
    flow = PaymentFlow(7, B, 0.0)
    assert send(flow, 0.0, UNLISTED) == [] and outcome(flow) == (S.QR, None, True)
    send(flow, 5.0, WAIT)
    assert send(flow, 10.0, UNLISTED) == [] and send(flow, 15.0, QR_TOKEN_CREATED) == []
    assert outcome(flow) == (S.AWAITING, None, True) and flow.last_status == QR_TOKEN_CREATED
