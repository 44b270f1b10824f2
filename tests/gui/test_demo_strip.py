"""Demo mode's phone strip on the real kiosk: it never hides what a customer needs, its keys
always work, and it grows with the kiosk's own sizes."""

from __future__ import annotations

from typing import Any

import pytest
from helpers.kiosk import current_payment, kiosk_config, press_pay, type_amount
from helpers.layout import check_layout, name_of, rect_in, visible_widgets
from PySide6.QtCore import QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLabel, QProgressBar, QWidget
from pytestqt.qtbot import QtBot

from kiosk.gui.demo.panel import DemoPanel
from kiosk.sandbox import Sandbox


def covered(window: QWidget, strip: QRect) -> list[str]:
    """The kiosk's visible labels, buttons and painted widgets that share pixels with `strip`."""
    found = []
    for widget in visible_widgets(window):
        if widget.property("layout_overlay") or isinstance(widget.parentWidget(), DemoPanel):
            continue
        if isinstance(widget, DemoPanel) or not widget.isVisible():
            continue
        painted = isinstance(widget, (QLabel, QAbstractButton, QProgressBar))
        painted = painted or widget.objectName() == "qr_image"
        rect = rect_in(widget, window)
        if painted and rect.intersects(strip):
            found.append(f"{name_of(widget)} at {rect} under the strip at {strip}")
    return found


# 720x1080: the window `python3 run.py` opens.
@pytest.mark.parametrize("size", [(800, 480), (1080, 1920), (720, 1080)], ids=str)
def test_the_unfolded_strip_covers_nothing_on_the_payment_screens(
    qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Any, size: tuple[int, int]
) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox), demo_bar=DemoPanel)
    window = shell.window
    window.resize(*size)
    panel = window.findChild(DemoPanel)
    assert panel is not None
    type_amount(qtbot, shell, 1250)
    press_pay(qtbot, shell)
    payment_id = current_payment(qtbot, shell)
    qtbot.waitUntil(panel.isVisible)
    strip = panel.geometry()
    assert strip.intersects(window.rect()) and window.qr_screen.countdown.isVisible()
    assert covered(window, strip) == []
    for lang in ("ru", "kk", "en"):
        panel.retranslate(lang)
        # The pages re-style when their room changes (a language changes the strip's height):
        # the kiosk fits its room and no strip text is cut, once they have.
        qtbot.waitUntil(lambda: check_layout(window) == [], timeout=3000)
        assert covered(window, panel.geometry()) == []
    fast_sandbox.scan(payment_id)
    qtbot.waitUntil(lambda: window.screen_name == "awaiting", timeout=5000)
    assert covered(window, panel.geometry()) == []
    qtbot.waitUntil(lambda: not window.tap_guard.is_armed(), timeout=3000)
    qtbot.mouseClick(panel.hide_button, Qt.MouseButton.LeftButton)
    assert not panel.isVisible() and panel.show_button.isVisible()
    assert covered(window, panel.show_button.geometry()) == []  # the folded tab neither


def test_the_strip_grows_with_the_kiosk(
    qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox), demo_bar=DemoPanel)
    window = shell.window
    panel = window.findChild(DemoPanel)
    assert panel is not None
    heights = []
    for size in ((800, 480), (1080, 1920)):
        window.resize(*size)
        qtbot.waitUntil(lambda s=size: window.size().toTuple() == s)  # type: ignore[misc]
        heights.append(panel.buttons["scan"].fontInfo().pixelSize())
    assert heights[1] >= 2 * heights[0], heights


def test_the_f_keys_work_after_hide(qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Any) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox), demo_bar=DemoPanel)
    window = shell.window
    window.resize(800, 480)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    panel = window.findChild(DemoPanel)
    assert panel is not None
    type_amount(qtbot, shell, 300)
    press_pay(qtbot, shell)
    payment_id = current_payment(qtbot, shell)
    qtbot.waitUntil(lambda: not window.tap_guard.is_armed(), timeout=3000)
    qtbot.mouseClick(panel.hide_button, Qt.MouseButton.LeftButton)
    assert not panel.isVisible()
    QTest.keyClick(window, Qt.Key.Key_F5)  # Scan, with the strip folded
    qtbot.waitUntil(lambda: window.screen_name == "awaiting", timeout=5000)
    QTest.keyClick(window.awaiting_screen, Qt.Key.Key_F6)  # Confirm, wherever the focus is
    qtbot.waitUntil(lambda: window.screen_name == "success", timeout=5000)
    assert shell.controller is not None and payment_id
