"""Service mode's screen as an operator uses it: the PIN lock, tabs, sales, leaving, closing.

Against a fake backend with no operator desk; the operator's flows against the sandbox
are in test_service_flows.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from helpers.journal import refund_record, sale_record
from helpers.kiosk import PIN, PIN_HASH
from helpers.screens import FakeBackend, FakeClock, ManualBackend, button, cell, click, label, shown
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QScrollArea, QScroller
from pytestqt.qtbot import QtBot

from kiosk.gui.service.parts import NumberEntry
from kiosk.gui.service.sales import SaleLine, SalesPage
from kiosk.gui.service.screen import TABS, ServiceScreen
from kiosk.i18n import THIN_SPACE, tr
from kiosk.operator.access import FIRST_DELAY, PinLock

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
    screen = ServiceScreen(backend, PinLock(PIN_HASH, clock=clock or FakeClock()))
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
    assert message.text() == f"Слишком много попыток. Подождите {int(FIRST_DELAY)} с"
    enter_pin(qtbot, screen, PIN)  # the right PIN, but locked out: not even compared
    assert not screen.is_unlocked()
    clock.now += FIRST_DELAY
    qtbot.waitUntil(lambda: button(screen, "pin_ok").isEnabled())
    enter_pin(qtbot, screen, PIN)
    assert screen.is_unlocked() and screen.current_tab() == "status"


def test_every_tab_opens_and_names_itself_in_the_chosen_language(
    qtbot: QtBot, backend: FakeBackend
) -> None:
    screen = make_service(qtbot, backend, size=LANDSCAPE)
    screen.retranslate("kk")
    enter_pin(qtbot, screen, PIN)
    for name in TABS:
        click(qtbot, screen, f"tab_{name}")
        assert screen.current_tab() == name
    assert button(screen, "tab_refunds").text() == "Қайтару"
    assert button(screen, "service_exit").text() == "Сервистен шығу"
    # no desk (the kiosk has no config yet): the page says so instead of failing
    click(qtbot, screen, "tab_status")
    assert label(screen, "status_message").text() == tr("service.not_ready", "kk")


def test_sales_tab_lists_the_last_sales(qtbot: QtBot, backend: FakeBackend) -> None:
    screen = make_service(qtbot, backend, size=LANDSCAPE)
    enter_pin(qtbot, screen, PIN)
    click(qtbot, screen, "tab_sales")
    table = screen.sales_page.table
    qtbot.waitUntil(lambda: table.rowCount() == 50)
    row = [cell(table, 0, c) for c in range(table.columnCount())]
    assert row[0] == "50"
    assert row[2] == f"1{T}250,50{NB}₸"
    assert row[3:] == ["не оплачено", "QR не отсканирован вовремя", "60"]  # no raw values
    assert row[1].startswith("22.10 ") or row[1].startswith("23.10 ")  # local time of day


def test_a_refreshed_sales_table_is_sized_to_its_new_text(qtbot: QtBot) -> None:
    """The table is filled with its sizing paused (it measured every row on every cell):
    after a refresh whose rows grew refund lines, each row is still as high as its text and
    each number column as wide as its longest number."""
    short = [SaleLine(sale_record(sale_id=n)) for n in range(1, 41)]
    grown = [
        SaleLine(
            sale_record(sale_id=n, amount=Decimal("1234567.89"), qr_payment_id=502_000_100_000 + n),
            tuple(refund_record(refund_id=r, sale_id=n) for r in range(3)),
        )
        for n in range(1, 41)
    ]
    shown_lines: list[list[SaleLine]] = [short]
    page = SalesPage(lambda source, done: done(source(), None), lambda: shown_lines[-1])
    shown(qtbot, page, LANDSCAPE)
    page.load()
    short_height = page.table.rowHeight(0)
    shown_lines.append(grown)
    page.load()
    table = page.table
    assert table.rowHeight(0) > short_height
    for row in range(table.rowCount()):
        assert table.rowHeight(row) >= table.sizeHintForRow(row), row
    for column in (0, 2, 5):  # numbers: sized to their contents, never cut
        assert table.columnWidth(column) >= table.sizeHintForColumn(column), column


def test_closing_the_kiosk_asks_first_and_is_not_beside_leaving(
    qtbot: QtBot, backend: FakeBackend
) -> None:
    screen = make_service(qtbot, backend)
    enter_pin(qtbot, screen, PIN)
    assert not button(screen, "system_quit").isVisible()  # on its own tab, not the top bar
    click(qtbot, screen, "tab_system")
    quits: list[bool] = []
    screen.quit_requested.connect(lambda: quits.append(True))
    click(qtbot, screen, "system_quit")
    assert quits == [] and button(screen, "system_yes").isVisible()
    click(qtbot, screen, "system_no")
    assert quits == [] and not button(screen, "system_yes").isVisible()
    click(qtbot, screen, "system_quit")
    with qtbot.waitSignal(screen.quit_requested):
        click(qtbot, screen, "system_yes")


def test_exit_from_tabs_locks_again(qtbot: QtBot, backend: FakeBackend) -> None:
    screen = make_service(qtbot, backend)
    with qtbot.waitSignal(screen.exit_requested):
        click(qtbot, screen, "pin_exit")
    enter_pin(qtbot, screen, PIN)
    assert screen.is_unlocked()
    with qtbot.waitSignal(screen.exit_requested):
        click(qtbot, screen, "service_exit")
    assert not screen.is_unlocked()
    click(qtbot, screen, "pin_ok")  # nothing typed: not a wrong try
    assert screen.pin_message.text() == ""


def test_left_idle_service_mode_locks_and_leaves(qtbot: QtBot, backend: FakeBackend) -> None:
    backend.idle_seconds = 0.3
    screen = make_service(qtbot, backend)
    screen.on_enter()
    enter_pin(qtbot, screen, PIN)
    with qtbot.waitSignal(screen.exit_requested, timeout=3000):
        pass
    assert not screen.is_unlocked()
    screen.on_leave()


def test_touches_keep_service_mode_open(qtbot: QtBot, backend: FakeBackend) -> None:
    backend.idle_seconds = 0.6
    screen = make_service(qtbot, backend)
    screen.on_enter()
    enter_pin(qtbot, screen, PIN)
    left: list[bool] = []
    screen.exit_requested.connect(lambda: left.append(True))
    touches: list[int] = []
    timer = QTimer(screen)
    timer.setSingleShot(True)
    timer.setTimerType(Qt.TimerType.PreciseTimer)

    def touch() -> None:
        click(qtbot, screen, "tab_system")  # a touch: the idle time starts again
        touches.append(1)
        if len(touches) < 4:
            timer.start(300)

    # Each touch on a timer due before the idle time's, not after a qtbot.wait(300): when a
    # stall of a loaded machine lets both fall due, Qt fires them in order and the touch
    # restarts the idle time first; a touch after a wait came only after both had fired.
    timer.timeout.connect(touch)
    timer.start(300)
    qtbot.waitUntil(lambda: len(touches) == 4 or bool(left), timeout=10000)
    assert left == [] and screen.is_unlocked()  # 1.2 s with an idle time of 0.6 s
    screen.on_leave()


def test_answers_after_a_lock_are_dropped(qtbot: QtBot) -> None:
    backend = ManualBackend()
    screen = make_service(qtbot, backend)
    enter_pin(qtbot, screen, PIN)
    click(qtbot, screen, "tab_sales")
    screen.lock()
    backend.answer_all()
    assert screen.sales_page.table.rowCount() == 0  # locked: nothing rendered
    enter_pin(qtbot, screen, PIN)
    click(qtbot, screen, "tab_sales")
    backend.answer_all()
    assert screen.sales_page.table.rowCount() == 50


def test_a_lock_out_outlives_the_screen(qtbot: QtBot, backend: FakeBackend) -> None:
    """The kiosk keeps one PinLock: leaving service mode and coming back does not reset it."""
    clock = FakeClock()
    lock = PinLock(PIN_HASH, clock=clock)
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
    assert again.pin_message.text() == f"Слишком много попыток. Подождите {int(FIRST_DELAY)} с"
    qtbot.keyClicks(again, PIN)
    qtbot.keyClick(again, Qt.Key.Key_Return)
    assert not again.is_unlocked()
    clock.now += FIRST_DELAY
    qtbot.waitUntil(lambda: button(again, "pin_ok").isEnabled())
    enter_pin(qtbot, again, PIN)
    assert again.is_unlocked()


def test_every_service_text_has_three_languages_and_every_id_built_at_run_time_exists() -> None:
    from kiosk.i18n import TEXTS
    from kiosk.refund.steps import ReturnVerdict

    for message_id, entry in TEXTS.items():
        if message_id.startswith(("service.", "problem.")):
            assert set(entry) == {"ru", "kk", "en"}, message_id
            assert all(text.strip() for text in entry.values()), message_id
    built = [f"service.tab.{name}" for name in TABS if name != "sales"]
    built += [f"service.scheme.{scheme}" for scheme in ("basic", "standard", "enhanced")]
    built += [
        f"problem.return.{v.value}" for v in ReturnVerdict if v is not ReturnVerdict.IDENTIFIED
    ]
    built.remove("problem.return.waiting")
    missing = [message_id for message_id in built if message_id not in TEXTS]
    assert missing == []


def test_each_wrong_pin_after_a_wait_shuts_the_pad_for_longer(
    qtbot: QtBot, backend: FakeBackend
) -> None:
    """No fresh three tries after a wait; the next wait is twice as long."""
    clock = FakeClock()
    screen = make_service(qtbot, backend, clock)
    for wrong in ("1111", "2222", "3333"):
        enter_pin(qtbot, screen, wrong)
    clock.now += FIRST_DELAY
    qtbot.waitUntil(lambda: button(screen, "pin_ok").isEnabled())
    enter_pin(qtbot, screen, "4444")
    assert screen.is_locked_out()
    wait = int(2 * FIRST_DELAY)
    assert screen.pin_message.text() == f"Слишком много попыток. Подождите {wait} с"
    clock.now += 2 * FIRST_DELAY
    qtbot.waitUntil(lambda: button(screen, "pin_ok").isEnabled())
    enter_pin(qtbot, screen, PIN)
    assert screen.is_unlocked()


def test_a_drag_that_starts_on_a_tab_leaves_no_tab_drawn_pressed(
    qtbot: QtBot, backend: FakeBackend
) -> None:
    # Seen at 800x480 under Xvfb: after dragging the tab bar, the tab the finger first
    # touched stayed grey (pressed) for good, like a disabled one. At 800x480 the bar fits
    # now; a panel shorter still (400 px) makes it scroll even at the touch minimum.
    screen = make_service(qtbot, backend, size=(800, 400))
    enter_pin(qtbot, screen, PIN)
    tab = screen.tab_buttons["certificate"]
    viewport = screen.findChild(QScrollArea, "service_bar").viewport()
    start = tab.mapTo(viewport, tab.rect().center())
    QTest.mousePress(tab, Qt.MouseButton.LeftButton)  # reaches the button at once
    assert tab.isDown()
    scroller = QScroller.scroller(viewport)
    scroller.handleInput(QScroller.Input.InputPress, QPointF(start), 0)
    for step in range(1, 6):  # the finger moves on: the bar scrolls instead
        scroller.handleInput(
            QScroller.Input.InputMove, QPointF(start - QPoint(0, 30 * step)), 50 * step
        )
    assert scroller.state() is QScroller.State.Dragging
    assert not tab.isDown()
    scroller.handleInput(QScroller.Input.InputRelease, QPointF(start - QPoint(0, 150)), 300)
    assert screen.current_tab() == "status"  # and the drag chose no tab


def test_a_typed_refund_amount_reads_as_every_amount_does(qtbot: QtBot) -> None:
    """Thousands apart by a thin space, the language's decimal mark on the key and in the
    display: "1 500,5" in Russian and Kazakh, "1 500.5" in English — never "1500,5"."""
    entry = NumberEntry("refund_amount", decimals=True, max_digits=9)
    qtbot.addWidget(entry)
    for key in ("1", "5", "0", "0"):
        click(qtbot, entry, f"refund_amount_{key}")
    click(qtbot, entry, "refund_amount_comma")
    click(qtbot, entry, "refund_amount_5")
    assert label(entry, "refund_amount_display").text() == f"1{THIN_SPACE}500,5"
    assert entry.text() == "1500.5"  # what the refund is planned with
    entry.set_lang("en")
    assert button(entry, "refund_amount_comma").text() == "."
    assert label(entry, "refund_amount_display").text() == f"1{THIN_SPACE}500.5"
    entry.set_lang("kk")
    assert label(entry, "refund_amount_display").text() == f"1{THIN_SPACE}500,5"
