"""Service mode for the operator: a PIN pad, then status, recent sales, sales needing
attention, and actions (check the bank connection, close the kiosk).

Every backend call may block (journal on disk, the bank over HTTPS), so all of
them go through `backend.run(job, on_done)`, which runs the job off the GUI
thread and calls back on it. Answers that arrive after the operator moved on
(another tab, a lock, a newer request) are dropped. Nothing secret is shown:
the backend gives display strings, and keys that look like secrets are skipped
anyway.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QSize, Qt, QTimer, QVariantAnimation, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk import pinlock
from kiosk.gui import theme
from kiosk.gui.screens.widgets import Keypad, backspace_icon, make_label
from kiosk.gui.texts import format_amount, state_label, tr

T = TypeVar("T")

MAX_PIN_DIGITS = pinlock.MAX_DIGITS
RESOLVE_NOTE = "resolved by operator"
TABS = ("status", "sales", "attention", "actions")
# Touch screens scroll lists by dragging them, not by a thin scroll bar.
_DRAG = QScroller.ScrollerGestureType.LeftMouseButtonGesture
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_SECRET_WORDS = ("password", "secret", "token", "api key", "apikey", "pin", "private key")


class ServiceBackend(Protocol):
    """What service mode reads and does; every method but `run` may block.

    `info()` gives display lines (label -> value), e.g. scheme, base URL, device
    id, trade point, certificate subject / expiry / days left, bank reachable and
    last ping, journal path, version. `recent_sales()` (newest first, at most 50)
    and `attention()` give sales as kiosk.journal.SaleRecord.to_json() dicts:
    sale_id, created_at, amount, state, reason, qr_payment_id, note.
    """

    def run(
        self, job: Callable[[], T], on_done: Callable[[T | None, BaseException | None], None]
    ) -> None:
        """Run `job` off the GUI thread; `on_done(result, error)` on the GUI thread."""
        ...

    def info(self) -> dict[str, str]: ...

    def recent_sales(self) -> list[dict[str, Any]]: ...

    def attention(self) -> list[dict[str, Any]]: ...

    def resolve(self, sale_id: int, note: str) -> None: ...

    def check_connection(self) -> str: ...


def is_secret_key(key: str) -> bool:
    words = key.lower().replace("_", " ").replace("-", " ")
    return any(word in words.split() or (" " in word and word in words) for word in _SECRET_WORDS)


def sale_time(value: object) -> str:
    """A journal time (UTC ISO 8601) as the kiosk's local "25.10 14:03:07"; odd values as is."""
    if not isinstance(value, str) or not value:
        return "" if value is None else str(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%d.%m %H:%M:%S")


def _text(value: object) -> str:
    return "" if value is None else str(value)


class PinDots(QWidget):
    """One dot per digit typed (at least four places), shaken sideways after a wrong PIN."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.count = 0
        self._offset = 0.0
        self._shake = QVariantAnimation(self)
        self._shake.setStartValue(0.0)
        self._shake.setEndValue(1.0)
        self._shake.setDuration(420)
        self._shake.valueChanged.connect(self._on_shake_value_changed)
        self.setMinimumHeight(60)

    def set_count(self, count: int) -> None:
        self.count = count
        self.update()

    def shake(self) -> None:
        self._shake.stop()
        self._shake.start()

    def _on_shake_value_changed(self, value: object) -> None:
        t = float(value) if isinstance(value, (int, float)) else 1.0
        self._offset = math.sin(t * math.pi * 6) * (1.0 - t) * self.height() * 0.5
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        places = max(4, self.count)
        size = self.height() * 0.42
        gap = size * 0.9
        width = places * size + (places - 1) * gap
        x = (self.width() - width) / 2 + self._offset
        y = (self.height() - size) / 2
        for i in range(places):
            filled = i < self.count
            painter.setPen(QColor(theme.TEXT if filled else theme.BORDER))
            painter.setBrush(QColor(theme.TEXT) if filled else Qt.BrushStyle.NoBrush)
            painter.drawEllipse(round(x), round(y), round(size), round(size))
            x += size + gap
        painter.end()


class ServiceScreen(theme.Screen):
    """The operator's screen: PIN first, then four tabs.

    Object names for tests: pin_0..pin_9, pin_back, pin_ok, pin_exit, pin_message;
    tab_status, tab_sales, tab_attention, tab_actions, service_exit; status_table,
    sales_table, attention_list, resolve_<sale_id>, check_connection_button,
    check_result, quit_button.

    Signals:
        exit_requested(): back to the customer screens.
        quit_requested(): close the kiosk application.
    """

    exit_requested = Signal()
    quit_requested = Signal()

    def __init__(
        self,
        backend: ServiceBackend,
        pin: str,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        lockout: pinlock.Lockout | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("service_screen")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._backend = backend
        self._pin = pin  # the stored hash (kiosk.pinlock), never the PIN itself
        self._clock = clock
        # The kiosk's one Lockout outlives this screen: re-opening it does not reset the count.
        self._lockout = lockout if lockout is not None else pinlock.Lockout(clock)
        self._entry = ""
        self._pin_message: tuple[str, dict[str, object]] | None = None
        # Answers carry the ticket they were asked with; a newer ask makes them stale.
        self._tickets: dict[str, int] = {}
        self._data: dict[str, Any] = {}
        self._errors: dict[str, str | None] = {}
        self._check_text: str | None = None
        self._status_labels: dict[str, QLabel] = {}
        self._refresh_buttons: dict[str, theme.BigButton] = {}

        self._pages = QStackedWidget()
        self._pages.addWidget(self._build_pin_page())
        self._pages.addWidget(self._build_tabs_page())
        self._root = QVBoxLayout(self)
        self._root.addWidget(self._pages)

        self._lock_timer = QTimer(self)
        self._lock_timer.setInterval(500)
        self._lock_timer.timeout.connect(self._on_lock_timer_timeout)

        self.on_scale_changed(self.scale)
        self.retranslate(self.lang)

    # --- building ------------------------------------------------------------------------------

    def _build_pin_page(self) -> QWidget:
        page = QWidget()
        self.pin_title = make_label("title")
        self.pin_prompt = make_label("hint")
        self.pin_dots = PinDots()
        self.pin_dots.setObjectName("pin_dots")
        self.pin_message = make_label("hint_error", "pin_message")
        self.pin_back = theme.BigButton("", "key_fn", "pin_back")
        self.pin_back.clicked.connect(self._on_pin_back_clicked)
        self.pin_ok = theme.BigButton("OK", "primary", "pin_ok")
        self.pin_ok.clicked.connect(self.submit_pin)
        self.pin_pad = Keypad("pin", self.pin_back, self.pin_ok)
        self.pin_pad.digit_pressed.connect(self.press_pin_digit)
        self.pin_exit = theme.BigButton("", "", "pin_exit")
        self.pin_exit.clicked.connect(self._on_exit_clicked)
        self._pin_box = QVBoxLayout(page)
        self._pin_box.addWidget(self.pin_title)
        self._pin_box.addWidget(self.pin_prompt)
        self._pin_box.addWidget(self.pin_dots)
        self._pin_box.addWidget(self.pin_message)
        self._pin_box.addWidget(self.pin_pad, 1)
        self._pin_box.addWidget(self.pin_exit)
        return page

    def _build_tabs_page(self) -> QWidget:
        page = QWidget()
        self._tab_group = QButtonGroup(self)
        self._tab_group.setExclusive(True)
        self.tab_buttons: dict[str, theme.BigButton] = {}
        self._tab_grid = QGridLayout()
        for name in TABS:
            button = theme.BigButton("", "tab", f"tab_{name}")
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, n=name: self.show_tab(n))
            self._tab_group.addButton(button)
            self.tab_buttons[name] = button
        self._tab_stack = QStackedWidget()
        status_page, self.status_table = self._build_table_page("status", 2)
        sales_page, self.sales_table = self._build_table_page("sales", 6)
        self._tab_pages: dict[str, QWidget] = {
            "status": status_page,
            "sales": sales_page,
            "attention": self._build_attention_page(),
            "actions": self._build_actions_page(),
        }
        for name in TABS:
            self._tab_stack.addWidget(self._tab_pages[name])
        self.service_exit = theme.BigButton("", "", "service_exit")
        self.service_exit.clicked.connect(self._on_exit_clicked)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(self._tab_grid)
        box.addWidget(self._tab_stack, 1)
        box.addWidget(self.service_exit)
        return page

    def _page_header(self, name: str, page: QWidget) -> QVBoxLayout:
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        status = make_label("small", f"{name}_message")
        status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        refresh = theme.BigButton("", "small", f"refresh_{name}")
        refresh.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        refresh.clicked.connect(lambda _=False, n=name: self._load(n))
        row.addWidget(status, 1)
        row.addWidget(refresh)
        box.addLayout(row)
        self._status_labels[name] = status
        self._refresh_buttons[name] = refresh
        return box

    def _build_table_page(self, name: str, columns: int) -> tuple[QWidget, QTableWidget]:
        page = QWidget()
        box = self._page_header(name, page)
        table = QTableWidget(0, columns)
        table.setObjectName(f"{name}_table")
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.setWordWrap(True)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        if name == "status":
            header.setVisible(False)
        QScroller.grabGesture(table.viewport(), _DRAG)
        box.addWidget(table, 1)
        return page, table

    def _build_attention_page(self) -> QWidget:
        page = QWidget()
        box = self._page_header("attention", page)
        self.attention_list = QWidget()
        self.attention_list.setObjectName("attention_list")
        self._attention_box = QVBoxLayout(self.attention_list)
        self._attention_box.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.attention_list)
        QScroller.grabGesture(scroll.viewport(), _DRAG)
        box.addWidget(scroll, 1)
        self.resolve_buttons: dict[int, theme.BigButton] = {}
        return page

    def _build_actions_page(self) -> QWidget:
        page = QWidget()
        self.check_button = theme.BigButton("", "primary", "check_connection_button")
        self.check_button.clicked.connect(self.check_connection)
        self.check_result = make_label("body", "check_result")
        self.check_result.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.quit_button = theme.BigButton("", "danger", "quit_button")
        self.quit_button.clicked.connect(self.quit_requested.emit)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addSpacing(24)
        box.addWidget(self.check_button)
        box.addWidget(self.check_result)
        box.addStretch(1)
        box.addWidget(self.quit_button)
        return page

    # --- PIN -------------------------------------------------------------------------------------

    def is_unlocked(self) -> bool:
        return self._pages.currentIndex() == 1

    def is_locked_out(self) -> bool:
        return self._lockout.wait_left() > 0

    def lock(self) -> None:
        """Back to the PIN pad; answers still on their way are dropped."""
        self._entry = ""
        self._tickets.clear()
        self._data.clear()
        self._errors.clear()
        self._check_text = None
        self.pin_dots.set_count(0)
        self._pages.setCurrentIndex(0)
        self._refresh_pin_message()

    def press_pin_digit(self, digit: str) -> None:
        if self.is_locked_out() or len(self._entry) >= MAX_PIN_DIGITS:
            self._refresh_pin_message()
            return
        if len(digit) == 1 and digit.isdigit():
            self._entry += digit
            self.pin_dots.set_count(len(self._entry))

    def _on_pin_back_clicked(self) -> None:
        self._entry = self._entry[:-1]
        self.pin_dots.set_count(len(self._entry))

    def submit_pin(self) -> None:
        if self.is_locked_out():
            self._refresh_pin_message()
            return
        if not self._entry:
            return
        entry, self._entry = self._entry, ""
        self.pin_dots.set_count(0)
        # An empty configured PIN matches nothing: entries are never empty.
        if self._pin and self._lockout.attempt(self._pin, entry) is pinlock.Attempt.OPENED:
            self._pin_message = None
            self._refresh_pin_message()
            self._pages.setCurrentIndex(1)
            self._load("attention")  # for the count on its tab
            self.show_tab("status")
            return
        if self.is_locked_out():
            self._pin_message = None
            self._lock_timer.start()
        else:
            self._pin_message = ("service.wrong_pin", {"n": self._lockout.tries_left()})
        self.pin_dots.shake()
        self._refresh_pin_message()

    def _on_lock_timer_timeout(self) -> None:
        if not self.is_locked_out():
            self._lock_timer.stop()
            self._pin_message = None
        self._refresh_pin_message()

    def _refresh_pin_message(self) -> None:
        if self.is_locked_out():
            left = math.ceil(self._lockout.wait_left())
            self.pin_message.setText(tr("service.locked", self.lang, n=left))
        elif self._pin_message is not None:
            message_id, values = self._pin_message
            self.pin_message.setText(tr(message_id, self.lang, **values))
        else:
            self.pin_message.setText("")
        locked = self.is_locked_out()
        if locked and not self._lock_timer.isActive():
            self._lock_timer.start()  # a screen opened during a wait counts it down too
        for button in [*self.pin_pad.buttons.values(), self.pin_ok, self.pin_back]:
            button.setEnabled(not locked)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.is_unlocked():
            super().keyPressEvent(event)
            return
        text = event.text()
        if text and text.isdigit() and text.isascii():
            self.press_pin_digit(text)
        elif event.key() == Qt.Key.Key_Backspace:
            self._on_pin_back_clicked()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit_pin()
        else:
            super().keyPressEvent(event)

    def _on_exit_clicked(self) -> None:
        self.lock()
        self.exit_requested.emit()

    # --- tabs and loading ---------------------------------------------------------------------

    def current_tab(self) -> str:
        return TABS[self._tab_stack.currentIndex()]

    def show_tab(self, name: str) -> None:
        if not self.is_unlocked():
            return
        self.tab_buttons[name].setChecked(True)
        self._tab_stack.setCurrentWidget(self._tab_pages[name])
        if name != "actions":
            self._load(name)

    def _load(self, name: str) -> None:
        jobs: dict[str, Callable[[], Any]] = {
            "status": self._backend.info,
            "sales": self._backend.recent_sales,
            "attention": self._backend.attention,
        }
        ticket = self._tickets.get(name, 0) + 1
        self._tickets[name] = ticket
        self._status_labels[name].setText(tr("service.loading", self.lang))

        def on_done(result: Any, error: BaseException | None) -> None:
            if self._tickets.get(name) != ticket:
                return  # asked again, or locked, since
            self._errors[name] = None if error is None else str(error) or type(error).__name__
            if error is None:
                self._data[name] = result
            self._render(name)

        self._backend.run(jobs[name], on_done)

    def _render(self, name: str) -> None:
        error = self._errors.get(name)
        label = self._status_labels[name]
        label.setText(tr("service.load_failed", self.lang, error=error) if error else "")
        if name == "status":
            self._render_status(self._data.get("status") or {})
        elif name == "sales":
            self._render_sales(self._data.get("sales") or [])
        elif name == "attention":
            self._render_attention(self._data.get("attention") or [])

    def _render_status(self, info: dict[str, str]) -> None:
        rows = [(str(k), _text(v)) for k, v in info.items() if not is_secret_key(str(k))]
        self.status_table.setRowCount(len(rows))
        for row, (key, value) in enumerate(rows):
            self.status_table.setItem(row, 0, QTableWidgetItem(key))
            self.status_table.setItem(row, 1, QTableWidgetItem(value))

    def _render_sales(self, sales: list[dict[str, Any]]) -> None:
        lang = self.lang
        table = self.sales_table
        table.setRowCount(len(sales))
        for row, sale in enumerate(sales):
            cells = [
                _text(sale.get("sale_id")),
                sale_time(sale.get("created_at")),
                format_amount(_text(sale.get("amount")), lang),
                state_label(_text(sale.get("state")), lang),
                _text(sale.get("reason")),
                _text(sale.get("qr_payment_id")),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 2:
                    item.setTextAlignment(_RIGHT)
                table.setItem(row, col, item)
        if not sales and not self._errors.get("sales"):
            self._status_labels["sales"].setText(tr("service.no_sales", lang))

    def _render_attention(self, sales: list[dict[str, Any]]) -> None:
        lang = self.lang
        while self._attention_box.count():
            item = self._attention_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # at once: deleteLater waits for the event loop
                widget.deleteLater()
        self.resolve_buttons = {}
        for sale in sales:
            self._attention_box.addWidget(self._attention_card(sale))
        self._attention_box.addStretch(1)
        if not sales and not self._errors.get("attention"):
            self._status_labels["attention"].setText(tr("service.no_attention", lang))
        title = tr("service.tab.attention", lang)
        self.tab_buttons["attention"].setText(f"{title} ({len(sales)})" if sales else title)

    def _attention_card(self, sale: dict[str, Any]) -> QWidget:
        lang = self.lang
        card = QFrame()
        card.setProperty("role", "card")
        row = QHBoxLayout(card)
        head = " · ".join(
            part
            for part in (
                f"№ {_text(sale.get('sale_id'))}",
                sale_time(sale.get("created_at")),
                format_amount(_text(sale.get("amount")), lang),
            )
            if part
        )
        lines = [head, tr("service.needs_refund", lang)]
        details = " · ".join(
            part
            for part in (
                state_label(_text(sale.get("state")), lang),
                _text(sale.get("reason")),
                f"{tr('service.col.payment', lang)} {_text(sale.get('qr_payment_id'))}"
                if sale.get("qr_payment_id") is not None
                else "",
            )
            if part
        )
        if details:
            lines.append(details)
        if sale.get("note"):
            lines.append(_text(sale.get("note")))
        text = QLabel("\n".join(lines))
        text.setProperty("role", "small")
        text.setWordWrap(True)
        row.addWidget(text, 1)
        sale_id = sale.get("sale_id")
        if isinstance(sale_id, int):
            button = theme.BigButton(tr("service.resolve", lang), "primary", f"resolve_{sale_id}")
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, s=sale_id: self.resolve(s))
            self.resolve_buttons[sale_id] = button
            row.addWidget(button)
        return card

    def resolve(self, sale_id: int) -> None:
        """Mark a sale needing attention as dealt with, then reload the list."""
        button = self.resolve_buttons.get(sale_id)
        if button is not None:
            button.setEnabled(False)
        ticket = self._tickets.get("attention", 0)

        def job() -> None:
            self._backend.resolve(sale_id, note=RESOLVE_NOTE)

        def on_done(_result: None, error: BaseException | None) -> None:
            if self._tickets.get("attention") != ticket or not self.is_unlocked():
                return
            if error is not None:
                reason = str(error) or type(error).__name__
                self._status_labels["attention"].setText(
                    tr("service.resolve_failed", self.lang, error=reason)
                )
                if button is not None:
                    button.setEnabled(True)
                return
            self._load("attention")

        self._backend.run(job, on_done)

    def check_connection(self) -> None:
        """Ask the backend to ping the bank and show its answer."""
        ticket = self._tickets.get("check", 0) + 1
        self._tickets["check"] = ticket
        self.check_button.setEnabled(False)
        self._check_text = None
        self.check_result.setText(tr("service.checking", self.lang))

        def on_done(result: str | None, error: BaseException | None) -> None:
            if self._tickets.get("check") != ticket:
                return
            self.check_button.setEnabled(True)
            if error is not None:
                self._check_text = tr(
                    "service.check_failed", self.lang, error=str(error) or type(error).__name__
                )
            else:
                self._check_text = _text(result)
            self.check_result.setText(self._check_text)

        self._backend.run(self._backend.check_connection, on_done)

    # --- look ------------------------------------------------------------------------------------

    def retranslate(self, lang: str) -> None:
        super().retranslate(lang)
        self.pin_title.setText(tr("service.title", lang))
        self.pin_prompt.setText(tr("service.enter_pin", lang))
        self.pin_ok.setText(tr("service.ok", lang))
        self.pin_exit.setText(tr("service.exit", lang))
        self.service_exit.setText(tr("service.exit", lang))
        for name, button in self.tab_buttons.items():
            button.setText(tr(f"service.tab.{name}", lang))
        for button in self._refresh_buttons.values():
            button.setText(tr("service.refresh", lang))
        self.sales_table.setHorizontalHeaderLabels(
            [
                tr(f"service.col.{c}", lang)
                for c in ("sale", "time", "amount", "state", "reason", "payment")
            ]
        )
        self.check_button.setText(tr("service.check", lang))
        self.quit_button.setText(tr("service.quit", lang))
        self._refresh_pin_message()
        for name in ("status", "sales", "attention"):
            if name in self._data or name in self._errors:
                self._render(name)

    def on_scale_changed(self, scale: float) -> None:
        self._pin_box.setSpacing(round(20 * scale))
        self.pin_pad.set_spacing(round(14 * scale))
        self.pin_dots.setMinimumHeight(round(70 * scale))
        # Room for the message from the start, so the pad does not jump when it appears.
        self.pin_message.setMinimumHeight(round(theme.font_px("hint", scale) * 1.5))
        icon = round(56 * scale)
        self.pin_back.setIcon(backspace_icon(icon * 2))
        self.pin_back.setIconSize(QSize(icon, icon))
        self._tab_grid.setSpacing(round(12 * scale))

    def on_orientation_changed(self, portrait: bool) -> None:
        # Four tab buttons do not fit across a portrait screen: two rows of two there.
        for button in self.tab_buttons.values():
            self._tab_grid.removeWidget(button)
        for index, name in enumerate(TABS):
            row, col = divmod(index, 2) if portrait else (0, index)
            self._tab_grid.addWidget(self.tab_buttons[name], row, col)

    def on_resized(self, width: int, height: int) -> None:
        base = round(40 * self.scale)
        self._root.setContentsMargins(base, base, base, base)
        # The PIN pad stays phone-sized; the tabs use the whole screen.
        side = max(0, (width - 2 * base - round(720 * self.scale)) // 2)
        self._pin_box.setContentsMargins(side, 0, side, 0)
