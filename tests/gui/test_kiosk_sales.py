"""The real kiosk window against the sandbox: a customer's sales, end to end, on the Qt loop."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from helpers.kiosk import FAST, current_payment, kiosk_config, press_pay, type_amount, wait_for_taps

from kiosk.payment.flow import PaymentFlow
from kiosk.payment.sale import Reason, SaleState
from kiosk.sandbox import Sandbox


def test_keypad_sale_to_success_and_back(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox))
    type_amount(qtbot, shell, 350)
    press_pay(qtbot, shell)
    payment_id = current_payment(qtbot, shell)
    sale_id = shell.controller.current.sale_id
    assert shell.window.screen_name == "qr"
    fast_sandbox.scan(payment_id)
    qtbot.waitUntil(lambda: shell.window.screen_name == "awaiting", timeout=2500)
    assert not shell.window.qr_screen.has_qr()
    fast_sandbox.confirm(payment_id)
    qtbot.waitUntil(lambda: shell.window.screen_name == "success", timeout=2500)
    record = shell.journal.get(sale_id)
    assert record.state is SaleState.PROCESSED and record.amount == Decimal(350)
    assert record.qr_payment_id == payment_id and not record.needs_refund
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=3000)
    assert shell.window.amount_screen.amount() == 0


def test_scan_timeout_removes_the_qr_at_the_deadline(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every status answer takes 2.5 s: reads go at 0 s and 2.5 s, answered at 2.5 s and 5 s,
    # and the scan deadline (4 s) falls while the second is in flight. The QR must leave
    # then, on the kiosk's own timer, not with the next answer. Judged by the order of what
    # the kiosk did, not by a clock: a stall of the loaded machine cannot fake an order.
    events: list[str] = []
    on_tick, poll_sent, on_status = (
        PaymentFlow.on_tick,
        PaymentFlow.poll_sent,
        PaymentFlow.on_status,
    )

    def ticking(flow: PaymentFlow, now: float) -> Any:
        visible = flow.qr_visible
        changes = on_tick(flow, now)
        if visible and not flow.qr_visible:
            events.append("removed")
        return changes

    def sending(flow: PaymentFlow, now: float) -> None:
        poll_sent(flow, now)
        events.append("sent after the deadline" if now >= flow.scan_deadline else "sent")

    def answering(flow: PaymentFlow, status: str, now: float) -> Any:
        events.append("answered")
        return on_status(flow, status, now)

    monkeypatch.setattr(PaymentFlow, "on_tick", ticking)
    monkeypatch.setattr(PaymentFlow, "poll_sent", sending)
    monkeypatch.setattr(PaymentFlow, "on_status", answering)
    shell = start_kiosk(kiosk_config(fast_sandbox))
    fast_sandbox.inject_fault("slow", count=0, path_contains="/payment/status", delay=2.5)
    type_amount(qtbot, shell, 90)
    press_pay(qtbot, shell)
    current_payment(qtbot, shell)
    sale = shell.controller.current
    qtbot.waitUntil(lambda: not shell.window.qr_screen.has_qr(), timeout=8000)
    assert events[: events.index("removed") + 1] == ["sent", "answered", "sent", "removed"]
    fast_sandbox.clear_faults()
    qtbot.waitUntil(lambda: shell.window.screen_name == "error", timeout=8000)
    record = shell.journal.get(sale.sale_id)
    assert record.state is SaleState.FAILED and record.reason is Reason.SCAN_TIMEOUT


def _to_qr(qtbot: Any, shell: Any, amount: int = 120) -> int:
    type_amount(qtbot, shell, amount)
    press_pay(qtbot, shell)
    return current_payment(qtbot, shell)


def test_scan_error_is_a_declined_sale(qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox))
    payment_id = _to_qr(qtbot, shell)
    sale_id = shell.controller.current.sale_id
    fast_sandbox.scan_error(payment_id)
    qtbot.waitUntil(lambda: shell.window.screen_name == "error", timeout=2500)
    record = shell.journal.get(sale_id)
    assert record.state is SaleState.FAILED and record.reason is Reason.DECLINED


def test_confirm_error_after_the_scan(qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox))
    payment_id = _to_qr(qtbot, shell)
    sale_id = shell.controller.current.sale_id
    fast_sandbox.scan(payment_id)
    qtbot.waitUntil(lambda: shell.window.screen_name == "awaiting", timeout=2500)
    fast_sandbox.confirm_error(payment_id)
    qtbot.waitUntil(lambda: shell.window.screen_name == "error", timeout=2500)
    assert shell.journal.get(sale_id).reason is Reason.DECLINED


def test_confirmation_timeout(
    qtbot: Any, sandbox_factory: Callable[..., Sandbox], start_kiosk: Any
) -> None:
    fast_sandbox = sandbox_factory(**{**FAST, "confirm_timeout": 2})  # waited out whole
    shell = start_kiosk(kiosk_config(fast_sandbox))
    payment_id = _to_qr(qtbot, shell)
    sale = shell.controller.current
    fast_sandbox.scan(payment_id)
    qtbot.waitUntil(lambda: shell.window.screen_name == "awaiting", timeout=2500)
    qtbot.waitUntil(lambda: shell.window.screen_name == "error", timeout=7000)
    # The screen gives way at the kiosk's deadline; the bank's cancellation of the stale Wait
    # is read after it and settles the journal: "not paid", never paid or unknown.
    qtbot.waitUntil(lambda: shell.journal.get(sale.sale_id).state.is_final, timeout=5000)
    record = shell.journal.get(sale.sale_id)
    assert record.state is SaleState.FAILED
    assert record.reason in (Reason.CONFIRM_TIMEOUT, Reason.DECLINED)


def test_cancel_before_the_scan_returns_to_the_start(
    qtbot: Any, sandbox_factory: Callable[..., Sandbox], start_kiosk: Any
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    fast_sandbox = sandbox_factory(**{**FAST, "scan_timeout": 2.5})  # waited out whole
    shell = start_kiosk(kiosk_config(fast_sandbox))
    payment_id = _to_qr(qtbot, shell)
    sale_id = shell.controller.current.sale_id
    cancel = shell.window.qr_screen.findChild(QPushButton, "cancel_button")
    wait_for_taps(qtbot, shell)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=1000)
    assert not shell.window.qr_screen.has_qr()
    assert shell.journal.get(sale_id).state is SaleState.CANCELLED
    assert shell.controller.watching == [sale_id]  # still watched until the scan deadline
    # Nothing happens: the watch ends after the deadline and the sale stays cancelled.
    qtbot.waitUntil(lambda: shell.controller.watching == [], timeout=7000)
    record = shell.journal.get(sale_id)
    assert record.state is SaleState.CANCELLED and not record.needs_refund
    assert fast_sandbox.payment(payment_id)["status"] == "QrTokenCreated"


def test_paid_after_cancel_is_recorded_for_a_refund(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox))
    payment_id = _to_qr(qtbot, shell)
    sale_id = shell.controller.current.sale_id
    assert shell.controller.cancel()
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=1000)
    fast_sandbox.scan(payment_id)
    fast_sandbox.confirm(payment_id)
    qtbot.waitUntil(lambda: shell.journal.get(sale_id).state is SaleState.PROCESSED, timeout=4000)
    record = shell.journal.get(sale_id)
    assert record.needs_refund and record.reason is Reason.PAID_AFTER_CANCEL
    assert [r.sale_id for r in shell.journal.unsettled()] == [sale_id]
    assert shell.window.screen_name == "amount"  # the customer who walked away is not shown it


def test_countdown_follows_the_bank_timeouts(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox))
    seen: list[tuple[float, float]] = []
    shell.controller.countdown.connect(lambda left, total: seen.append((left, total)))
    _to_qr(qtbot, shell)
    qtbot.waitUntil(lambda: len(seen) >= 4, timeout=3000)
    assert all(total == 4 for _left, total in seen)  # QrCodeScanWaitTimeout from qr/create
    lefts = [left for left, _ in seen]
    assert lefts == sorted(lefts, reverse=True) and 0 < lefts[-1] < 4
