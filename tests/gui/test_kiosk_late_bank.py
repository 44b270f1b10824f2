"""A bank late with its own cancellation of a stale Wait.

docs/kaspi/api.md §5.4 says to poll until a final status: the bank cancels a Wait that outlives
PaymentConfirmationTimeout by itself. A bank that is late with it must never make
the kiosk say "not paid" while the customer may still confirm.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from helpers.kiosk import FAST, current_payment, kiosk_config, press_pay, type_amount

from kiosk.i18n import tr
from kiosk.journal import Journal
from kiosk.payment.flow import CONFIRM_GRACE_POLLS
from kiosk.payment.sale import Reason, SaleState
from kiosk.sandbox import Sandbox

#: Each test here waits out a whole confirmation and its grace: half FAST's confirmation
#: timeout (the scan comes at once). The poll interval, which sets the grace and the race
#: between the bank's late cancellation and the kiosk's last read, stays FAST's.
SHORT_CONFIRM = {**FAST, "confirm_timeout": 2}


@pytest.fixture
def late_sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    return sandbox_factory(**SHORT_CONFIRM)


def state_changes(journal: Journal, sale_id: int) -> list[str]:
    return [e.detail["to"] for e in journal.events(sale_id) if e.kind == "state"]


def scanned_sale(qtbot: Any, shell: Any, sandbox: Sandbox) -> tuple[int, int]:
    type_amount(qtbot, shell, 150)
    press_pay(qtbot, shell)
    payment_id = current_payment(qtbot, shell)
    sale_id = shell.controller.current.sale_id
    sandbox.scan(payment_id)
    qtbot.waitUntil(lambda: shell.window.screen_name == "awaiting", timeout=5000)
    return sale_id, payment_id


def test_a_bank_that_keeps_wait_is_unknown_never_failed_and_a_late_confirm_is_paid(
    qtbot: Any, late_sandbox: Sandbox, start_kiosk: Any
) -> None:
    late_sandbox.set_behaviour(late_cancel=-1)  # the bank never cancels the Wait
    shell = start_kiosk(kiosk_config(late_sandbox))
    sale_id, payment_id = scanned_sale(qtbot, shell, late_sandbox)
    qtbot.waitUntil(lambda: shell.window.screen_name == "error", timeout=15000)
    qtbot.waitUntil(lambda: shell.journal.get(sale_id).state.is_final, timeout=8000)
    record = shell.journal.get(sale_id)
    assert (record.state, record.reason) == (SaleState.UNKNOWN, Reason.CONFIRM_TIMEOUT)
    assert record.last_status == "Wait"
    assert "failed" not in state_changes(shell.journal, sale_id)

    # The customer confirms late; the idle re-check learns it.
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=5000)
    late_sandbox.confirm(payment_id)
    qtbot.waitUntil(lambda: shell.journal.get(sale_id).state is SaleState.PROCESSED, timeout=8000)
    record = shell.journal.get(sale_id)
    assert (record.reason, record.needs_refund) == (Reason.CONFIRM_TIMEOUT, True)
    assert "failed" not in state_changes(shell.journal, sale_id)


def test_a_bank_late_with_its_cancellation_is_failed_confirm_timeout(
    qtbot: Any, late_sandbox: Sandbox, start_kiosk: Any
) -> None:
    # Late by less than the grace (poll 1 s x CONFIRM_GRACE_POLLS).
    late_sandbox.set_behaviour(late_cancel=CONFIRM_GRACE_POLLS / 2)
    shell = start_kiosk(kiosk_config(late_sandbox))
    sale_id, _payment_id = scanned_sale(qtbot, shell, late_sandbox)
    qtbot.waitUntil(lambda: shell.window.screen_name == "error", timeout=15000)
    qtbot.waitUntil(lambda: shell.journal.get(sale_id).state.is_final, timeout=8000)
    record = shell.journal.get(sale_id)
    assert (record.state, record.reason) == (SaleState.FAILED, Reason.CONFIRM_TIMEOUT)
    assert record.last_status == "Error"
    assert state_changes(shell.journal, sale_id) == ["awaiting", "failed"]


def test_the_awaiting_screen_gives_way_at_the_deadline_and_a_late_confirmation_is_kept(
    qtbot: Any, late_sandbox: Sandbox, start_kiosk: Any
) -> None:
    """The screen never sits at 0:00 through the grace: at the deadline it says the outcome
    is not known yet, while the bank is read on; a confirmation then is paid, for staff."""
    late_sandbox.set_behaviour(late_cancel=-1)
    shell = start_kiosk(kiosk_config(late_sandbox))
    sale_id, payment_id = scanned_sale(qtbot, shell, late_sandbox)
    flow = shell.controller.current.tracker.flow
    assert flow.confirm_deadline is not None
    qtbot.waitUntil(lambda: time.monotonic() > flow.confirm_deadline + 0.3, timeout=8000)
    assert shell.window.screen_name == "error"  # not awaiting at 0:00
    assert shell.window.result_screen.headline.text() == tr("customer.result.unknown", "ru")
    assert flow.watching  # the bank is still read, in the grace
    late_sandbox.confirm(payment_id)
    qtbot.waitUntil(lambda: shell.journal.get(sale_id).state.is_final, timeout=5000)
    record = shell.journal.get(sale_id)
    assert (record.state, record.reason, record.needs_refund) == (
        SaleState.PROCESSED,
        Reason.CONFIRM_TIMEOUT,
        True,
    )
    assert "failed" not in state_changes(shell.journal, sale_id)
