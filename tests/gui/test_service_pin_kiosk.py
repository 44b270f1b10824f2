"""The PIN lock-out belongs to the running kiosk, not to one service screen."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from helpers.kiosk import PIN, kiosk_config
from helpers.layout import rect_in, tap

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


def test_a_pin_typed_the_moment_the_pad_appears_opens_service_mode(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    """The page-change guard holds back buttons, never a keypad's digits."""
    shell = start_kiosk(kiosk_config(fast_sandbox))
    window = shell.window
    window.resize(1024, 768)
    screen = _open_service(qtbot, shell)
    pin_page = screen.pin_page
    guard = window.tap_guard
    clock = SimpleNamespace(now=guard.clock())
    guard.clock = lambda: clock.now  # the moment after the pad appeared lasts for the test
    guard.arm()
    assert guard.is_armed()
    for digit in PIN:
        tap(window, rect_in(pin_page.pad.buttons[digit], window).center())
    assert pin_page.dots.count == len(PIN)  # every digit got through
    clock.now += guard.seconds
    tap(window, rect_in(pin_page.ok, window).center())
    qtbot.waitUntil(screen.is_unlocked, timeout=3000)


def test_ok_after_too_few_digits_costs_no_try(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox))
    screen = _open_service(qtbot, shell)
    _enter(screen, PIN[:3])
    assert not screen.is_unlocked()
    assert screen.pin_page.message.text() == "В PIN-коде не меньше 4 цифр — это не попытка"
    assert shell.pin_lock.failures == 0
    _enter(screen, PIN)
    assert screen.is_unlocked()
