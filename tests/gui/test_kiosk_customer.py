"""The real kiosk against the sandbox, as a customer meets it: taps, languages, the demo strip."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from helpers.kiosk import current_payment, kiosk_config, press_pay, type_amount, wait_for_taps
from helpers.layout import check_layout, rect_in, tap
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from kiosk import config as cfg
from kiosk.gui.demo.panel import DemoPanel
from kiosk.gui.kit.tap_guard import GUARD_SECONDS
from kiosk.gui.screens.navigator import Page
from kiosk.gui.screens.window import KioskWindow
from kiosk.payment.sale import SaleState
from kiosk.sandbox import Sandbox


def test_the_guard_before_a_config_is_loaded_is_the_configs_default() -> None:
    assert cfg.KioskSection().tap_guard_seconds == GUARD_SECONDS


def test_a_double_tap_on_pay_does_not_cancel_the_sale_it_started(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    path = kiosk_config(fast_sandbox)
    shell = start_kiosk(path)
    window = shell.window
    window.resize(800, 480)
    type_amount(qtbot, shell, 250)
    wait_for_taps(qtbot, shell)
    # The guard's clock stands still from here until the test moves it: "within the moment
    # after the QR appeared" must not depend on how fast a loaded machine gets to the taps.
    guard = window.tap_guard
    assert guard.seconds == cfg.load(path).kiosk.tap_guard_seconds  # the config's, not 0.7
    clock = SimpleNamespace(now=guard.clock())
    guard.clock = lambda: clock.now
    pay = rect_in(window.amount_screen.pay_button, window).center()
    tap(window, pay)
    sale_id = shell.controller.current.sale_id
    current_payment(qtbot, shell)  # the QR is up: the moment the second tap used to land
    tap(window, pay)
    cancel = rect_in(window.qr_screen.cancel_button, window).center()
    tap(window, cancel)  # even on Cancel itself, within the moment after the QR appeared
    assert window.screen_name == "qr" and shell.controller.current.sale_id == sale_id
    assert shell.journal.get(sale_id).state is SaleState.QR
    clock.now += guard.seconds
    tap(window, cancel)  # a deliberate tap a moment later cancels, as it should
    qtbot.waitUntil(lambda: shell.journal.get(sale_id).state is SaleState.CANCELLED, timeout=2000)


def test_the_chosen_language_applies_everywhere_and_resets_after_the_sale(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox))
    window = shell.window
    wait_for_taps(qtbot, shell)
    qtbot.mouseClick(window.amount_screen.lang_buttons["kk"], Qt.MouseButton.LeftButton)
    type_amount(qtbot, shell, 300)
    press_pay(qtbot, shell)
    payment_id = current_payment(qtbot, shell)
    assert window.qr_screen.cancel_button.text() == "Бас тарту"
    fast_sandbox.scan_error(payment_id)
    qtbot.waitUntil(lambda: window.screen_name == "error", timeout=2500)
    assert window.result_screen.headline.text() == "Төлем өтпеді"
    assert "Ақша шешілген жоқ" in window.result_screen.detail.text()  # and says so
    shell.view.retranslate("en")  # every text on the screen follows, the reason too
    assert window.result_screen.headline.text() == "Payment failed"
    assert "No money was taken" in window.result_screen.detail.text()
    shell.view.retranslate("kk")
    qtbot.mouseClick(window.result_screen.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.screen_name == "amount", timeout=2500)
    assert window.amount_screen.title.text() == "Введите сумму"  # the next customer: Russian
    assert window.out_of_service_screen.headline.text() == "Временно не работает"

    wait_for_taps(qtbot, shell)
    qtbot.mouseClick(window.amount_screen.lang_buttons["en"], Qt.MouseButton.LeftButton)
    window.service_requested.emit()
    qtbot.waitUntil(lambda: window.screen_name == "service", timeout=2000)
    assert window.service_screen.pin_page.title.text() == "Service mode"


def test_the_demo_strip_unfolds_for_a_payment_only(qtbot: QtBot) -> None:
    shell = SimpleNamespace(controller=None, config=None)
    panel = DemoPanel(shell)  # type: ignore[arg-type]
    window = KioskWindow(1, 500_000, panel)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(800, 480)
    window.show()
    window.move_to(Page.AMOUNT)
    qtbot.waitUntil(lambda: window.stack.geometry() == window.rect())  # every pixel
    assert not panel.isVisible() and not panel.show_button.isVisible()  # no phone needed
    assert check_layout(window) == []
    window.qr_screen.show_payment("https://pay.kaspi.kz/pay/x", 1250, ["Gold"])
    window.move_to(Page.QR)
    assert panel.isVisible() and panel.geometry().right() == window.width() - 1
    qtbot.waitUntil(lambda: window.stack.geometry().right() < panel.geometry().left())  # beside
    for lang in ("en", "kk", "ru"):
        panel.retranslate(lang)
        assert check_layout(window) == []  # the strip's own buttons and lines are not cut
    qtbot.waitUntil(lambda: not window.tap_guard.is_armed())  # a page just changed
    qtbot.mouseClick(panel.hide_button, Qt.MouseButton.LeftButton)
    assert not panel.isVisible() and panel.show_button.isVisible()
    assert check_layout(window) == []
    window.move_to(Page.AMOUNT)
    assert not panel.show_button.isVisible()
    window.move_to(Page.QR)
    assert panel.isVisible()  # folded by hand for one payment only
    panel.emulate("scan")
    assert panel.status.text() == "Нет платежа на экране: введите сумму и нажмите «Оплатить»."


def test_fullscreen_takes_the_whole_screen_without_a_window_manager(qtbot: QtBot) -> None:
    """No window manager acts on showFullScreen(): the window sizes itself to the screen."""
    window = KioskWindow(1, 500_000)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    window.resize(758, 1025)  # what an X server without a window manager left it at
    window.fill_screen()
    assert window.geometry() == screen.geometry()
    window.show_kiosk(fullscreen=True, hide_cursor=False)
    qtbot.waitUntil(lambda: window.geometry() == screen.geometry())
    assert window.findChild(QPushButton, "pay_button") is not None
