"""The kiosk's one window: a stack of screens that changes only through its navigator.

No frame, no close button; closing is refused unless the operator quits from
service mode or with Ctrl+Alt+Q on a maintenance keyboard. Service mode opens
with a long press on the top-left corner (or Ctrl+Alt+S).
"""

from __future__ import annotations

import logging
import time
from decimal import Decimal

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from kiosk.gui.navigator import Navigator
from kiosk.gui.screens.amount import AmountScreen
from kiosk.gui.screens.awaiting import AwaitingScreen
from kiosk.gui.screens.out_of_service import OutOfServiceScreen
from kiosk.gui.screens.qr import QrScreen
from kiosk.gui.screens.result import ResultScreen

log = logging.getLogger("kiosk.window")

SCREENS = ("amount", "qr", "awaiting", "success", "error", "out_of_service", "service")
LONG_PRESS_SECONDS = 2.0
CORNER_PX = 120


class _CornerWatcher(QObject):
    """Sees a long press in the top-left corner anywhere in the window (the service gesture)."""

    def __init__(self, window: KioskWindow) -> None:
        super().__init__(window)
        self._window = window
        self._pressed_at: float | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            pos = self._window.mapFromGlobal(event.globalPosition().toPoint())
            in_corner = 0 <= pos.x() < CORNER_PX and 0 <= pos.y() < CORNER_PX
            self._pressed_at = time.monotonic() if in_corner else None
        elif event.type() == QEvent.Type.MouseButtonRelease and self._pressed_at is not None:
            held = time.monotonic() - self._pressed_at
            self._pressed_at = None
            if held >= LONG_PRESS_SECONDS:
                self._window.service_requested.emit()
        return False


class KioskWindow(QWidget):
    """Signals:
    state_changed(str, str): the old and the new screen name.
    service_requested(): the service gesture or Ctrl+Alt+S.
    quit_requested(): Ctrl+Alt+Q (maintenance keyboard).
    """

    state_changed = Signal(str, str)
    service_requested = Signal()
    quit_requested = Signal()

    def __init__(
        self, min_amount: Decimal, max_amount: Decimal, demo_bar: QWidget | None = None
    ) -> None:
        super().__init__()
        self.setWindowTitle("Kaspi QR")
        self.setObjectName("kiosk_window")
        self.amount_screen = AmountScreen(min_amount, max_amount)
        self.qr_screen = QrScreen()
        self.awaiting_screen = AwaitingScreen()
        self.result_screen = ResultScreen()
        self.out_of_service_screen = OutOfServiceScreen()
        self.service_screen: QWidget = QWidget()
        self.stack = QStackedWidget()
        self.navigator = Navigator(
            self.stack,
            {
                "amount": self.amount_screen,
                "qr": self.qr_screen,
                "awaiting": self.awaiting_screen,
                "success": self.result_screen,
                "error": self.result_screen,
                "out_of_service": self.out_of_service_screen,
                "service": self.service_screen,
            },
            "out_of_service",
            self.state_changed.emit,
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.stack, 1)
        if demo_bar is not None:
            layout.addWidget(demo_bar)
        self._allow_close = False
        self._corner = _CornerWatcher(self)
        QShortcut(QKeySequence("Ctrl+Alt+S"), self).activated.connect(self.service_requested)
        QShortcut(QKeySequence("Ctrl+Alt+Q"), self).activated.connect(self.quit_requested)

    def install_gesture(self, app: QObject) -> None:
        """Watch every mouse/touch press in the application for the service gesture."""
        app.installEventFilter(self._corner)

    @property
    def screen_name(self) -> str:
        """The page on the screen (what tests and the host API's `screen` field read)."""
        return self.navigator.current

    def set_service_screen(self, widget: QWidget) -> None:
        self.navigator.replace("service", widget)
        self.service_screen = widget

    def move_to(self, screen: str) -> None:
        """Show `screen` (see Navigator.move_to). Unknown names are a bug."""
        self.navigator.move_to(screen)

    def quit(self) -> None:
        self._allow_close = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._allow_close:
            event.accept()
        else:
            log.info("close refused: use service mode to exit")
            event.ignore()

    def show_kiosk(self, fullscreen: bool, hide_cursor: bool) -> None:
        if hide_cursor:
            self.setCursor(Qt.CursorShape.BlankCursor)
        if fullscreen:
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
            self.showFullScreen()
        else:
            self.resize(720, 1080)
            self.show()
