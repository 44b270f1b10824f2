"""The kiosk's one window: a stack of screens that changes only through its navigator.

No frame, no close button; closing is refused unless the operator quits from
service mode or with Ctrl+Alt+Q on a maintenance keyboard. Service mode opens
with a long press on the top-left corner (or Ctrl+Alt+S).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QMouseEvent,
    QShortcut,
    QWindow,
)
from PySide6.QtWidgets import QApplication, QStackedWidget, QVBoxLayout, QWidget

from kiosk.gui.kit.tap_guard import TapGuard
from kiosk.gui.screens.amount import AmountScreen
from kiosk.gui.screens.navigator import Navigator, Page
from kiosk.gui.screens.out_of_service import OutOfServiceScreen

if TYPE_CHECKING:
    from kiosk.gui.screens.awaiting import AwaitingScreen
    from kiosk.gui.screens.qr import QrScreen
    from kiosk.gui.screens.result import ResultScreen

log = logging.getLogger(__name__)

SCREENS = tuple(Page)  # the metrics' screen labels
LONG_PRESS_SECONDS = 2.0
CORNER_PX = 120
#: A window that is never exposed (no display, minimised) does not hold up what waits for
#: its first paint longer than this.
FIRST_PAINT_WAIT_MS = 1000


class _FirstPaint(QObject):
    """Calls `then()` once, right after the window's first expose is handled (Qt paints
    the widgets in that handler), or after FIRST_PAINT_WAIT_MS, whichever is first."""

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._then: Callable[[], None] | None = then
        self._handle: QWindow | None = window.windowHandle()
        if self._handle is not None:
            self._handle.installEventFilter(self)
        QTimer.singleShot(FIRST_PAINT_WAIT_MS, self, self._fire)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Expose and self._then is not None:
            QTimer.singleShot(0, self, self._fire)  # after this expose, and so its paint
        return False

    def _fire(self) -> None:
        then, self._then = self._then, None
        if self._handle is not None:
            self._handle.removeEventFilter(self)
            self._handle = None
        if then is not None:
            then()


class _CornerWatcher(QObject):
    """Sees a long press in the top-left corner anywhere in the window (the service gesture)."""

    def __init__(self, window: KioskWindow) -> None:
        super().__init__(window)
        self._window = window
        self._pressed_at: float | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(event, QMouseEvent):  # every event of the application comes here
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            pos = self._window.mapFromGlobal(event.globalPosition().toPoint())
            in_corner = 0 <= pos.x() < CORNER_PX and 0 <= pos.y() < CORNER_PX
            self._pressed_at = time.monotonic() if in_corner else None
        elif kind == QEvent.Type.MouseButtonRelease and self._pressed_at is not None:
            held = time.monotonic() - self._pressed_at
            self._pressed_at = None
            if held >= LONG_PRESS_SECONDS:
                self._window.service_requested.emit()
        return False


class Overlay(Protocol):
    """Something beside the kiosk's screens (demo mode's phone), never in their layout.

    It may take room from the screens through the window's layout's margins while it
    shows (kiosk.gui.demo.panel.reserve_room), so it never covers them.
    """

    def attach(self, window: QWidget) -> None: ...

    def on_page_changed(self, old: Page, new: Page) -> None: ...

    def retranslate(self, lang: str) -> None: ...


#: A windowed kiosk (demo, development) is a portrait panel of this shape where it fits.
WINDOWED = QSize(720, 1080)


class SaleLimits(Protocol):
    """The amounts a sale may have ([sale] of kiosk.config)."""

    @property
    def min_amount(self) -> Decimal: ...

    @property
    def max_amount(self) -> Decimal: ...


def windowed_size(available: QSize) -> QSize:
    """A portrait panel's shape that fits the screen's free area (a 1024x768 desktop got a
    720x1080 window with Pay below the screen's edge); on a screen too short for portrait,
    the whole free area, as a landscape panel."""
    if available.height() >= WINDOWED.height() and available.width() >= WINDOWED.width():
        return QSize(WINDOWED)
    height = available.height()
    width = min(available.width(), round(height * WINDOWED.width() / WINDOWED.height()))
    if width < 600:  # too narrow to be a usable portrait panel: use the screen as it is
        return QSize(available)
    return QSize(width, height)


class KioskWindow(QWidget):
    """Signals:
    state_changed(Page, Page): the old and the new page.
    service_requested(): the service gesture or Ctrl+Alt+S.
    quit_requested(): Ctrl+Alt+Q (maintenance keyboard).
    qr_cancel_requested(): Cancel on the QR screen.
    result_done(): OK on the result screen.

    The first screen (amount, or out of service) is built before the window shows; the
    sale's screens (QR, waiting, result) by build_sale_screens(): once the kiosk is ready
    to sell, or when one of them is first asked for.
    """

    # Declared `object`: a `str` payload would reach the slots as a plain str, not a Page.
    state_changed = Signal(object, object)
    service_requested = Signal()
    quit_requested = Signal()
    qr_cancel_requested = Signal()
    result_done = Signal()

    def __init__(
        self, min_amount: Decimal, max_amount: Decimal, demo_bar: Overlay | None = None
    ) -> None:
        super().__init__()
        self.setWindowTitle("Kaspi QR")
        self.setObjectName("kiosk_window")
        self.amount_screen = AmountScreen(min_amount, max_amount)
        self.out_of_service_screen = OutOfServiceScreen()
        self.service_screen: QWidget = QWidget()
        self._sale_screens: tuple[QrScreen, AwaitingScreen, ResultScreen] | None = None
        self.stack = QStackedWidget()
        self.navigator = Navigator(
            self.stack,
            {
                Page.AMOUNT: self.amount_screen,
                Page.OUT_OF_SERVICE: self.out_of_service_screen,
                Page.SERVICE: self.service_screen,
            },
            Page.OUT_OF_SERVICE,
            self.state_changed.emit,
            later=self.build_sale_screens,
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.stack, 1)
        self.overlay = demo_bar
        if demo_bar is not None:
            # Not in the layout: it sets the layout's margins to the room it takes while shown.
            demo_bar.attach(self)
            self.state_changed.connect(demo_bar.on_page_changed)
            self.amount_screen.language_changed.connect(demo_bar.retranslate)
        self._allow_close = False
        self._corner = _CornerWatcher(self)
        # Every page change, wherever it comes from, holds back taps for a moment.
        self.tap_guard = TapGuard(self)
        self.tap_guard.watch(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.tap_guard)
        QShortcut(QKeySequence("Ctrl+Alt+S"), self).activated.connect(self.service_requested)
        QShortcut(QKeySequence("Ctrl+Alt+Q"), self).activated.connect(self.quit_requested)

    def build_sale_screens(self) -> None:
        """The QR, waiting and result screens, once (their imports too)."""
        if self._sale_screens is not None:
            return
        from kiosk.gui.screens.awaiting import AwaitingScreen
        from kiosk.gui.screens.qr import QrScreen
        from kiosk.gui.screens.result import ResultScreen

        qr, awaiting, result = self._sale_screens = (QrScreen(), AwaitingScreen(), ResultScreen())
        for page, screen in ((Page.QR, qr), (Page.AWAITING, awaiting), (Page.SUCCESS, result)):
            self.navigator.add(page, screen)
            self.tap_guard.watch(screen)
        self.navigator.add(Page.ERROR, result)
        qr.cancel_requested.connect(self.qr_cancel_requested)
        result.done.connect(self.result_done)

    @property
    def qr_screen(self) -> QrScreen:
        self.build_sale_screens()
        assert self._sale_screens is not None
        return self._sale_screens[0]

    @property
    def awaiting_screen(self) -> AwaitingScreen:
        self.build_sale_screens()
        assert self._sale_screens is not None
        return self._sale_screens[1]

    @property
    def result_screen(self) -> ResultScreen:
        self.build_sale_screens()
        assert self._sale_screens is not None
        return self._sale_screens[2]

    def install_gesture(self, app: QObject) -> None:
        """Watch every mouse/touch press in the application for the service gesture."""
        app.installEventFilter(self._corner)

    @property
    def screen_name(self) -> Page:
        """The page on the screen (what tests and the host API's `screen` field read)."""
        return self.navigator.current

    def follow_config(self, sale: SaleLimits, tap_guard_seconds: float) -> None:
        """What a loaded config sets on the screens: a sale's amounts, the tap guard."""
        self.amount_screen.set_range(sale.min_amount, sale.max_amount)
        self.tap_guard.seconds = tap_guard_seconds

    def set_service_screen(self, widget: QWidget) -> None:
        self.navigator.replace(Page.SERVICE, widget)
        self.service_screen = widget
        self.tap_guard.watch(widget)

    def move_to(self, page: Page) -> None:
        """Show `page` (see Navigator.move_to)."""
        self.navigator.move_to(page)

    def quit(self) -> None:
        self._allow_close = True
        self.close()

    def fill_screen(self) -> None:
        """Cover the whole screen the window is on (the primary one before it is shown)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            self.setGeometry(screen.geometry())

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._allow_close:
            event.accept()
        else:
            log.info("close refused: use service mode to exit")
            event.ignore()

    def after_first_paint(self, then: Callable[[], None]) -> None:
        """`then()` once the shown window has painted its first screen (see _FirstPaint);
        at once if the window is not shown."""
        if self.isVisible():
            _FirstPaint(self, then)
        else:
            then()

    def show_kiosk(self, fullscreen: bool, hide_cursor: bool) -> None:
        if hide_cursor:
            self.setCursor(Qt.CursorShape.BlankCursor)
        if fullscreen:
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
            # Without a window manager showFullScreen() alone leaves the window at its
            # size hint in a corner (758x1025 was seen): take the screen's geometry first.
            self.fill_screen()
            self.showFullScreen()
            self.fill_screen()
        else:
            self.resize(windowed_size(self.screen().availableGeometry().size()))
            self.show()
