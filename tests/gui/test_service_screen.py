"""Service mode as an operator uses it: the PIN lock, status, sales, attention, actions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from helpers.screens import (
    FakeBackend,
    FakeClock,
    ManualBackend,
    button,
    cell,
    click,
    label,
    shown,
)
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.access import LOCKOUT_SECONDS, PinLock
from kiosk.gui.screens.service import RESOLVE_NOTE, ServiceScreen
from kiosk.gui.texts import tr

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
T = "\u2009"  # thin space between thousands
NB = "\u00a0"  # no-break space before the sign


@pytest.fixture
def backend() -> Iterator[FakeBackend]:
    fake = FakeBackend()
    yield fake
    fake.worker.close()


def make_service(
    qtbot: QtBot, backend: Any, clock: FakeClock | None = None, size: tuple[int, int] = PORTRAIT
) -> ServiceScreen:
    screen = ServiceScreen(backend, PinLock("2468", clock=clock or FakeClock()))
    shown(qtbot, screen, size)
    return screen


def enter_pin(qtbot: QtBot, screen: ServiceScreen, pin: str) -> None:
    for digit in pin:
        click(qtbot, screen, f"pin_{digit}")
    click(qtbot, screen, "pin_ok")


def test_wrong_pin_counts_down_tries_then_locks_out(qtbot: QtBot, backend: FakeBackend) -> None:
    clock = FakeClock()
    screen = make_service(qtbot, backend, clock)
    message = screen.pin_message
    enter_pin(qtbot, screen, "1111")
    assert not screen.is_unlocked()
    assert message.text() == "Неверный PIN-код. Осталось попыток: 2"
    enter_pin(qtbot, screen, "2469")
    assert message.text() == "Неверный PIN-код. Осталось попыток: 1"
    enter_pin(qtbot, screen, "0000")
    assert screen.is_locked_out()
    assert message.text() == f"Слишком много попыток. Подождите {int(LOCKOUT_SECONDS)} с"
    assert not button(screen, "pin_ok").isEnabled()
    screen.press_pin_digit("2")  # the hardware keyboard is locked out as well
    screen.submit_pin()
    qtbot.keyClicks(screen, "2468")
    qtbot.keyClick(screen, Qt.Key.Key_Return)
    assert not screen.is_unlocked()

    clock.now += LOCKOUT_SECONDS - 1
    assert screen.is_locked_out()
    clock.now += 1
    qtbot.waitUntil(lambda: button(screen, "pin_ok").isEnabled())
    assert message.text() == ""
    enter_pin(qtbot, screen, "2468")
    assert screen.is_unlocked()
    assert backend.calls == [] or set(backend.names()) <= {"attention", "info"}


def test_right_pin_opens_status_without_secrets(qtbot: QtBot, backend: FakeBackend) -> None:
    screen = make_service(qtbot, backend)
    qtbot.keyClicks(screen, "2468")
    qtbot.keyClick(screen, Qt.Key.Key_Enter)
    assert screen.is_unlocked() and screen.current_tab() == "status"
    table = screen.status_table
    qtbot.waitUntil(lambda: table.rowCount() == 3)
    keys = [cell(table, r, 0) for r in range(table.rowCount())]
    assert keys == ["Scheme", "Base URL", "Version"]
    shown_text = " ".join(cell(table, r, 1) for r in range(table.rowCount()))
    assert "hunter2" not in shown_text and "2be4cc91" not in shown_text
    qtbot.waitUntil(lambda: button(screen, "tab_attention").text() == "Внимание (2)")
    assert sorted(backend.names()) == ["attention", "info"]


def test_sales_tab_lists_the_last_sales(qtbot: QtBot, backend: FakeBackend) -> None:
    screen = make_service(qtbot, backend, size=LANDSCAPE)
    enter_pin(qtbot, screen, "2468")
    click(qtbot, screen, "tab_sales")
    table = screen.sales_table
    qtbot.waitUntil(lambda: table.rowCount() == 50)
    row = [cell(table, 0, c) for c in range(table.columnCount())]
    assert row[0] == "50"
    assert row[2] == f"1{T}250,50{NB}₸"
    assert row[3:] == ["не оплачено", "scan_timeout", "60"]
    assert row[1].startswith("22.10 ") or row[1].startswith("23.10 ")  # local time of day


def test_attention_resolved_goes_through_the_backend(qtbot: QtBot, backend: FakeBackend) -> None:
    screen = make_service(qtbot, backend)
    enter_pin(qtbot, screen, "2468")
    click(qtbot, screen, "tab_attention")
    qtbot.waitUntil(lambda: set(screen.resolve_buttons) == {44, 39})
    qtbot.waitUntil(lambda: button(screen, "resolve_44").isVisible())
    click(qtbot, screen, "resolve_44")
    qtbot.waitUntil(lambda: set(screen.resolve_buttons) == {39})
    assert ("resolve", 44, RESOLVE_NOTE) in backend.calls
    assert button(screen, "tab_attention").text() == "Внимание (1)"
    click(qtbot, screen, "resolve_39")
    qtbot.waitUntil(lambda: screen.resolve_buttons == {})
    assert button(screen, "tab_attention").text() == "Внимание"
    assert label(screen, "attention_message").text() == tr("service.no_attention")


def test_actions_check_connection_and_quit(qtbot: QtBot, backend: FakeBackend) -> None:
    screen = make_service(qtbot, backend)
    enter_pin(qtbot, screen, "2468")
    click(qtbot, screen, "tab_actions")
    click(qtbot, screen, "check_connection_button")
    qtbot.waitUntil(lambda: screen.check_result.text() == "The bank answers (84 ms)")
    backend.fail_check = True
    click(qtbot, screen, "check_connection_button")
    qtbot.waitUntil(lambda: screen.check_result.text() == "Нет связи: connection refused")
    assert backend.names().count("check_connection") == 2
    with qtbot.waitSignal(screen.quit_requested):
        click(qtbot, screen, "quit_button")


def test_exit_from_tabs_locks_again(qtbot: QtBot, backend: FakeBackend) -> None:
    screen = make_service(qtbot, backend)
    with qtbot.waitSignal(screen.exit_requested):
        click(qtbot, screen, "pin_exit")
    enter_pin(qtbot, screen, "2468")
    assert screen.is_unlocked()
    with qtbot.waitSignal(screen.exit_requested):
        click(qtbot, screen, "service_exit")
    assert not screen.is_unlocked()
    click(qtbot, screen, "pin_ok")  # nothing typed: not a wrong try
    assert screen.pin_message.text() == ""


def test_answers_after_a_lock_or_a_newer_ask_are_dropped(qtbot: QtBot) -> None:
    backend = ManualBackend()
    screen = make_service(qtbot, backend)
    enter_pin(qtbot, screen, "2468")
    assert screen.status_table.rowCount() == 0
    assert label(screen, "status_message").text() == "Загрузка…"
    screen.lock()
    backend.answer_all()
    assert screen.status_table.rowCount() == 0  # locked: nothing rendered

    enter_pin(qtbot, screen, "2468")
    click(qtbot, screen, "refresh_status")
    assert len(backend.pending) == 3  # attention, status, status again
    first_status = backend.pending[1]
    backend.attention_rows = []
    backend.pending.remove(first_status)
    first_status[1]({"Stale": "yes"}, None)
    assert screen.status_table.rowCount() == 0
    backend.answer_all()
    assert screen.status_table.rowCount() == 3


def test_failed_load_says_why(qtbot: QtBot) -> None:
    backend = ManualBackend()
    screen = make_service(qtbot, backend)
    enter_pin(qtbot, screen, "2468")
    _, on_done = backend.pending[-1]
    on_done(None, OSError("journal is locked"))
    message = label(screen, "status_message")
    assert message.text() == "Не удалось загрузить: journal is locked"
    screen.retranslate("en")
    assert message.text() == "Could not load: journal is locked"
    assert button(screen, "tab_status").text() == "Status"


def test_a_lock_out_outlives_the_screen(qtbot: QtBot, backend: FakeBackend) -> None:
    """The kiosk keeps one PinLock: leaving service mode and coming back does not reset it."""
    clock = FakeClock()
    lock = PinLock("2468", clock=clock)
    first = ServiceScreen(backend, lock)
    shown(qtbot, first)
    for _ in range(3):
        enter_pin(qtbot, first, "1111")
    with qtbot.waitSignal(first.exit_requested):
        click(qtbot, first, "pin_exit")
    again = ServiceScreen(backend, lock)  # service mode opened again: a new screen
    shown(qtbot, again)
    assert again.is_locked_out()
    assert not button(again, "pin_ok").isEnabled()
    assert again.pin_message.text() == f"Слишком много попыток. Подождите {int(LOCKOUT_SECONDS)} с"
    enter_pin_keys = "2468"
    qtbot.keyClicks(again, enter_pin_keys)
    qtbot.keyClick(again, Qt.Key.Key_Return)
    assert not again.is_unlocked()
    clock.now += LOCKOUT_SECONDS
    qtbot.waitUntil(lambda: button(again, "pin_ok").isEnabled())
    enter_pin(qtbot, again, "2468")
    assert again.is_unlocked()
