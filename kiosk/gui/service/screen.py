"""Service mode for the operator: a PIN pad (pin.py), then tabs for everything the
command line does — status, sales, the paid sales waiting for a refund or a hand-over,
refunds, device registration, the certificate and a config reload, closing the kiosk.

Every tab is a page module of its own in this folder (status.py, sales.py, ...); the
work is the operator core's (kiosk.operator), run on the service worker through
`backend.run`. "Leave service mode" sits on the top bar; "close the kiosk" on the
System tab behind a confirmation, so the two are never side by side. Left untouched
for `backend.idle_seconds`, service mode locks and returns to the customer (not while
a return QR waits for the customer).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QInputEvent, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QScrollArea,
    QScroller,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.gui.kit import theme
from kiosk.gui.kit.widgets import make_label
from kiosk.gui.service.attention import AttentionPage
from kiosk.gui.service.certificate import CertificatePage
from kiosk.gui.service.device import DevicePage
from kiosk.gui.service.parts import drag_to_scroll
from kiosk.gui.service.pin import PinPage
from kiosk.gui.service.refunds import RefundsPage
from kiosk.gui.service.sales import SaleLine, SalesPage
from kiosk.gui.service.status import StatusPage
from kiosk.gui.service.system import SystemPage
from kiosk.i18n import tr
from kiosk.operator.access import PinLock
from kiosk.operator.desk import OperatorDesk
from kiosk.operator.reload import Reloaded
from kiosk.operator.status import BankReach

T = TypeVar("T")

_DRAG = QScroller.ScrollerGestureType.LeftMouseButtonGesture
TABS = ("status", "attention", "refunds", "sales", "device", "certificate", "system")
DEFAULT_IDLE_SECONDS = 120.0


class ServiceBackend(Protocol):
    """What service mode reads and does of the running kiosk (kiosk.gui.shell.service_bridge).

    `run` runs a job off the GUI thread and calls `on_done(result, error)` on it;
    `desk()` is the operator core over the current config and journal (None before
    the kiosk has a config); `apply(reloaded)` makes the running kiosk use a config
    that `kiosk.operator.reload` checked.
    """

    @property
    def idle_seconds(self) -> float: ...

    def run(
        self, job: Callable[[], T], on_done: Callable[[T | None, BaseException | None], None]
    ) -> None: ...

    def recent_sales(self) -> Sequence[SaleLine]: ...

    def desk(self) -> OperatorDesk | None: ...

    def bank_reach(self) -> BankReach: ...

    def apply(self, reloaded: Reloaded) -> None: ...

    def config_problem(self) -> str | None:
        """Why the config did not load (key, line, problem), while the kiosk runs without one."""
        ...


_TOUCHES = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress})


class _Touches(QObject):
    """Sees every press inside the service screen, including widgets made after it."""

    def __init__(self, screen: ServiceScreen) -> None:
        super().__init__(screen)
        self._screen = screen

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Every event of the application passes here (paints, timers, layouts): the cheap
        # tests first (kiosk.gui.kit.tap_guard), the walk up the widget tree only for a press.
        if (
            isinstance(event, QInputEvent)
            and event.type() in _TOUCHES
            and isinstance(watched, QWidget)
            and (watched is self._screen or self._screen.isAncestorOf(watched))
        ):
            self._screen.touched()
        return False


class ServiceScreen(theme.Screen):
    """The operator's screen: PIN first, then the tabs.

    Object names for tests: pin_*, tab_<name> for each of TABS, service_exit; the pages'
    own names are in their modules.

    Signals:
        exit_requested(): back to the customer screens.
        quit_requested(): close the kiosk application (confirmed on the System tab).
    """

    exit_requested = Signal()
    quit_requested = Signal()

    def __init__(
        self, backend: ServiceBackend, lock: PinLock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("service_screen")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._backend = backend
        self.pin_lock = lock
        self.pin_page = PinPage(lock)
        self.pin_page.unlocked.connect(self._on_pin_page_unlocked)
        self.pin_page.exit_requested.connect(self._on_exit_clicked)
        self.pin_message = self.pin_page.message
        self._build_pages()
        self._pages = QStackedWidget()
        self._pages.addWidget(self.pin_page)
        self._pages.addWidget(self._build_tabs_page())
        self._root = QVBoxLayout(self)
        self._root.addWidget(self._pages)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(self._on_idle_timeout)
        self._touches = _Touches(self)
        self._watching = False
        self.on_scale_changed(self.scale)
        self.retranslate(self.lang)

    # --- building ------------------------------------------------------------------------------

    def _build_pages(self) -> None:
        run, desk = self._backend.run, self._backend.desk
        self.status_page = StatusPage(run, desk, self._backend.bank_reach)
        self.sales_page = SalesPage(run, self._backend.recent_sales)
        self.attention_page = AttentionPage(run, desk)
        self.attention_page.refund_requested.connect(self._on_attention_refund_requested)
        self.attention_page.changed.connect(self._on_attention_changed)
        self.refunds_page = RefundsPage(run, desk)
        self.device_page = DevicePage(run, desk)
        self.device_page.config_changed.connect(self._on_device_config_changed)
        self.certificate_page = CertificatePage(run, desk, self._backend.apply)
        self.system_page = SystemPage(run, desk)
        self.system_page.quit_requested.connect(self.quit_requested)
        for page in (self.attention_page, self.refunds_page, self.device_page):
            page.clear_on_press()
        self._tab_pages: dict[str, QWidget] = {
            "status": self.status_page,
            "attention": self.attention_page,
            "refunds": self.refunds_page,
            "sales": self.sales_page,
            "device": self.device_page,
            "certificate": self.certificate_page,
            "system": self.system_page,
        }

    def _build_tabs_page(self) -> QWidget:
        page = QWidget()
        self._tab_group = QButtonGroup(self)
        self._tab_group.setExclusive(True)
        self.tab_buttons: dict[str, theme.BigButton] = {}
        self._tab_grid = QGridLayout()
        self._tab_grid.setContentsMargins(0, 0, 0, 0)
        self._tab_columns = 0
        for name in TABS:
            button = theme.BigButton("", "tab", f"tab_{name}")
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, n=name: self.show_tab(n))
            self._tab_group.addButton(button)
            self.tab_buttons[name] = button
        self._tab_stack = QStackedWidget()
        for name in TABS:
            self._tab_stack.addWidget(self._tab_pages[name])
        self.service_exit = theme.BigButton("", "", "service_exit")
        self.service_exit.clicked.connect(self._on_exit_clicked)
        self.title = make_label("title", "service_title", wrap=False)
        self._top = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._top.addWidget(self.service_exit)
        self._top.addWidget(self.title, 1)
        # The bar (leave, title, tabs) sits on top of a tall screen and beside the page on a
        # wide one, where height is what runs out; it scrolls by dragging if it must.
        bar = QWidget()
        bar_box = QVBoxLayout(bar)
        bar_box.setContentsMargins(0, 0, 0, 0)
        bar_box.addLayout(self._top)
        bar_box.addLayout(self._tab_grid)
        bar_box.addStretch(1)
        self._bar = QScrollArea()
        self._bar.setObjectName("service_bar")
        self._bar.setWidgetResizable(True)
        self._bar.setFrameShape(QFrame.Shape.NoFrame)
        self._bar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._bar.setWidget(bar)
        drag_to_scroll(self._bar.viewport())
        self._body = QBoxLayout(QBoxLayout.Direction.TopToBottom, page)
        self._body.setContentsMargins(0, 0, 0, 0)
        self._body.addWidget(self._bar)
        # Service mode opens on a config that does not load (its PIN read alone): the problem,
        # in words, stands above every tab, with what to do.
        self.config_problem = make_label("hint_error", "service_config_problem")
        self.config_problem.hide()
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.config_problem)
        column.addWidget(self._tab_stack, 1)
        self._body.addLayout(column, 1)
        self._sidebar: bool | None = None
        return page

    def show_config_problem(self) -> None:
        """Show (or hide) why the config did not load, as the backend says now."""
        problem = self._backend.config_problem()
        self.config_problem.setVisible(problem is not None)
        if problem is not None:
            self.config_problem.setText(tr("service.config_problem", self.lang, problem=problem))

    # --- PIN and leaving ---------------------------------------------------------------------

    def is_unlocked(self) -> bool:
        return self._pages.currentIndex() == 1

    def is_locked_out(self) -> bool:
        return self.pin_lock.is_locked()

    def lock(self) -> None:
        """Back to the PIN pad; answers still on their way are dropped, a return QR stopped."""
        for page in self._tab_pages.values():
            reset = getattr(page, "reset", None)
            if reset is not None:
                reset()
        self._pages.setCurrentIndex(0)
        self.pin_page.clear()

    def press_pin_digit(self, digit: str) -> None:
        self.pin_page.press_digit(digit)

    def submit_pin(self) -> None:
        self.pin_page.submit()

    def _on_pin_page_unlocked(self) -> None:
        self.show_config_problem()
        self._pages.setCurrentIndex(1)
        self.attention_page.load()  # for the count on its tab
        self.show_tab("status")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.is_unlocked() or not self.pin_page.handle_key(event):
            super().keyPressEvent(event)

    def _on_exit_clicked(self) -> None:
        self._idle.stop()
        self.lock()
        self.exit_requested.emit()

    # --- idle --------------------------------------------------------------------------------

    def on_enter(self) -> None:
        self._watch_touches(True)
        self.touched()

    def on_leave(self) -> None:
        self._watch_touches(False)
        self._idle.stop()
        self.lock()

    def hideEvent(self, event: QHideEvent) -> None:
        # The window may close (the kiosk quits) without the navigator leaving this page:
        # an application-wide filter must never outlive the screen that installed it.
        self._watch_touches(False)
        super().hideEvent(event)

    def _watch_touches(self, on: bool) -> None:
        app = QApplication.instance()
        if app is None or on == self._watching:
            return
        self._watching = on
        if on:
            app.installEventFilter(self._touches)
        else:
            app.removeEventFilter(self._touches)

    def touched(self) -> None:
        """A press anywhere on the screen: the idle time starts again."""
        seconds = self._backend.idle_seconds
        self._idle.start(max(1, round(seconds * 1000)))

    def _on_idle_timeout(self) -> None:
        if self.refunds_page.return_panel.watch is not None:
            self.touched()  # the customer is scanning the return QR: not idle
            return
        self._on_exit_clicked()

    # --- tabs --------------------------------------------------------------------------------

    def current_tab(self) -> str:
        current = self._tab_stack.currentWidget()
        return next(name for name in TABS if self._tab_pages[name] is current)

    def show_tab(self, name: str) -> None:
        if not self.is_unlocked():
            return
        self.tab_buttons[name].setChecked(True)
        self._tab_stack.setCurrentWidget(self._tab_pages[name])
        if name in ("status", "sales", "attention", "certificate"):
            getattr(self, f"{name}_page").load()
        elif name in ("refunds", "device", "system"):
            getattr(self, f"{name}_page").reset()

    def _on_attention_refund_requested(self, payment_id: int) -> None:
        self.show_tab("refunds")
        self.refunds_page.start_for_payment(payment_id)

    def _on_attention_changed(self, count: int) -> None:
        title = tr("service.tab.attention", self.lang)
        self.tab_buttons["attention"].setText(f"{title} ({count})" if count else title)
        self._tab_columns = 0
        if self.width() > 1:
            self.on_resized(self.width(), self.height())

    def _on_device_config_changed(self) -> None:
        """Registration wrote the config: the kiosk re-reads it (its own checks included)."""
        desk = self._backend.desk()

        def done(result: Reloaded | None, error: BaseException | None) -> None:
            if error is not None:
                self.device_page.show_error(error)
                return
            assert result is not None
            self._backend.apply(result)
            self.device_page.show_state()

        if desk is not None:
            self._backend.run(desk.reload, done)

    # --- look ------------------------------------------------------------------------------------

    def retranslate(self, lang: str) -> None:
        super().retranslate(lang)
        self._tab_columns = 0  # the words' widths changed: arrange the tabs again
        self.pin_page.retranslate(lang)
        self.service_exit.setText(tr("service.leave", lang))
        self.title.setText(tr("service.title", lang))
        for name, button in self.tab_buttons.items():
            button.setText(tr(f"service.tab.{name}", lang))
        for page in self._tab_pages.values():
            page.retranslate(lang)  # type: ignore[attr-defined]
        if self.width() > 1:
            self.on_resized(self.width(), self.height())

    def on_scale_changed(self, scale: float) -> None:
        self.pin_page.on_scale_changed(scale)
        self.refunds_page.on_scale_changed(scale)
        self._tab_grid.setSpacing(round(10 * scale))

    def on_resized(self, width: int, height: int) -> None:
        base = round(32 * self.scale)
        self._root.setContentsMargins(base, base, base, base)
        # The PIN pad stays phone-sized (side by side with its texts when wide); tabs fill it.
        pad = round((720 if self.portrait else 1400) * self.scale)
        side = max(0, (width - 2 * base - pad) // 2)
        self.pin_page.box.setContentsMargins(side, 0, side, 0)
        self._arrange_tabs(width - 2 * base)
        self._fit_bar(height - 2 * base)
        # The sales table's text follows the room the page has, beside the tab bar or under it.
        room = width - 2 * base
        if self._sidebar:
            room -= self._bar.minimumWidth() + self._body.spacing()
        self.sales_page.size_text(room, self.scale)

    def _fit_bar(self, room: int) -> None:
        """Beside the page, every tab stays in sight: on a short panel (800x480) the bar's
        buttons give up height, down to the touch minimum, rather than push the last tab
        below the fold."""
        buttons = [self.service_exit, *self.tab_buttons.values()]
        for button in buttons:
            button.setMinimumHeight(0)
            button.setMaximumHeight(16777215)
            button.ensurePolished()
        natural = max(b.sizeHint().height() for b in buttons)
        height = natural
        bar = self._bar.widget()
        if self._sidebar and bar is not None:
            for button in buttons:
                button.setFixedHeight(natural)
            layout = bar.layout()
            if layout is not None:
                layout.activate()
            overhead = bar.sizeHint().height() - natural * len(buttons)
            height = max(theme.MIN_TOUCH_PX, min(natural, (room - overhead) // len(buttons)))
        for button in buttons:
            button.setFixedHeight(height)

    def _arrange_tabs(self, width: int) -> None:
        """Tabs beside the page on a wide screen, on top (as many across as fit whole) on a
        tall one; the bar never takes more room than its buttons need."""
        sidebar = width > self.height()
        gap = self._tab_grid.spacing()
        widest = max(b.sizeHint().width() for b in self.tab_buttons.values())
        if sidebar:
            columns = 1
            widest = max(widest, self.service_exit.sizeHint().width())
        else:
            columns = max(1, min(len(TABS), (width + gap) // max(1, widest + gap)))
            columns = -(-len(TABS) // -(-len(TABS) // columns))  # the same rows, evenly filled
        if (columns, sidebar) != (self._tab_columns, self._sidebar):
            self._tab_columns, self._sidebar = columns, sidebar
            for button in self.tab_buttons.values():
                self._tab_grid.removeWidget(button)
            for index, name in enumerate(TABS):
                row, col = divmod(index, columns)
                self._tab_grid.addWidget(self.tab_buttons[name], row, col)
            self._top.setDirection(
                QBoxLayout.Direction.TopToBottom if sidebar else QBoxLayout.Direction.LeftToRight
            )
            self._body.setDirection(
                QBoxLayout.Direction.LeftToRight if sidebar else QBoxLayout.Direction.TopToBottom
            )
        # The title only where it fits beside the leave button, whole.
        room = width - self.service_exit.sizeHint().width() - self._top.spacing()
        self.title.setVisible(not sidebar and self.title.sizeHint().width() <= room)
        bar = self._bar.widget()
        assert bar is not None
        if sidebar:
            self._bar.setMinimumHeight(0)  # what a tall (portrait) arrangement fixed before
            self._bar.setMaximumHeight(16777215)
            self._bar.setFixedWidth(widest + round(24 * self.scale))
        else:
            self._bar.setMinimumWidth(0)
            self._bar.setMaximumWidth(16777215)
            self._bar.setFixedHeight(min(bar.sizeHint().height(), self.height() // 2))
