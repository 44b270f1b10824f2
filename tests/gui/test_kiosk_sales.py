"""The real kiosk window against the sandbox: a customer's sales, end to end, on the Qt loop."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from helpers.kiosk import current_payment, kiosk_config, press_pay, type_amount
from kiosk.sale import Reason, SaleState
from kiosk.sandbox import Sandbox


def test_keypad_sale_to_success_and_back(qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any) -> None:
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
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox))
    type_amount(qtbot, shell, 90)
    press_pay(qtbot, shell)
    current_payment(qtbot, shell)
    sale = shell.controller.current
    deadline = sale.tracker.flow.scan_deadline
    qtbot.waitUntil(lambda: not shell.window.qr_screen.has_qr(), timeout=6000)
    removed_late = time.monotonic() - deadline
    assert -0.05 <= removed_late < 0.5  # at once, not at the next poll
    qtbot.waitUntil(lambda: shell.window.screen_name == "error", timeout=2500)
    record = shell.journal.get(sale.sale_id)
    assert record.state is SaleState.FAILED and record.reason is Reason.SCAN_TIMEOUT
