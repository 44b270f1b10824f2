"""The PIN lock-out belongs to the running kiosk, not to one service screen."""

from __future__ import annotations

from typing import Any

from helpers.kiosk import PIN, kiosk_config

from kiosk.sandbox import Sandbox


def _open_service(qtbot: Any, shell: Any) -> Any:
    shell.window.service_requested.emit()
    qtbot.waitUntil(lambda: shell.window.screen_name == "service", timeout=3000)
    return shell.window.service_screen


def _enter(screen: Any, pin: str) -> None:
    for digit in pin:
        screen.press_pin_digit(digit)
    screen.submit_pin()


def test_leaving_service_mode_does_not_reset_the_lockout(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox))
    screen = _open_service(qtbot, shell)
    for wrong in ("1111", "2222", "3333"):
        _enter(screen, wrong)
    assert screen.is_locked_out()
    screen.exit_requested.emit()
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=5000)

    again = _open_service(qtbot, shell)
    assert again is not screen  # a new screen object, the same lock-out
    assert again.is_locked_out()
    _enter(again, PIN)
    assert not again.is_unlocked()
