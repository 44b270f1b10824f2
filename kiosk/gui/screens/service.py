"""Service mode for the operator: a PIN pad (service_pin.py), then status, recent sales,
sales needing attention, and actions (check the bank connection, close the kiosk).

Every backend call may block (journal on disk, the bank over HTTPS), so all of
them go through `backend.run(job, on_done)`, which runs the job off the GUI
thread and calls back on it. Answers that arrive after the operator moved on
(another tab, a lock, a newer request) are dropped. Nothing secret is shown:
the backend gives display strings, and keys that look like secrets are skipped
anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
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

from kiosk.access import PinLock
from kiosk.gui import theme
from kiosk.gui.screens.service_pin import PinPage
from kiosk.gui.screens.widgets import make_label
from kiosk.gui.texts import format_amount, state_label, tr
from kiosk.journal import SaleRecord

T = TypeVar("T")

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
    and `attention()` give the journal's own SaleRecords.
    """

    def run(
        self, job: Callable[[], T], on_done: Callable[[T | None, BaseException | None], None]
    ) -> None:
        """Run `job` off the GUI thread; `on_done(result, error)` on the GUI thread."""
        ...

    def info(self) -> dict[str, str]: ...

    def recent_sales(self) -> Sequence[SaleRecord]: ...

    def attention(self) -> Sequence[SaleRecord]: ...

    def resolve(self, sale_id: int, note: str) -> None: ...

    def check_connection(self) -> str: ...


def is_secret_key(key: str) -> bool:
    words = key.lower().replace("_", " ").replace("-", " ")
    return any(word in words.split() or (" " in word and word in words) for word in _SECRET_WORDS)


def sale_time(value: str | None) -> str:
    """A journal time (UTC ISO 8601) as the kiosk's local "25.10 14:03:07"; odd values as is."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%d.%m %H:%M:%S")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _reason(sale: SaleRecord) -> str:
    return sale.reason.value if sale.reason else ""


def sale_cells(sale: SaleRecord, lang: str) -> list[str]:
    """One row of the sales table: number, time, amount, state, reason, payment id."""
    return [
        str(sale.sale_id),
        sale_time(sale.created_at),
        format_amount(sale.amount, lang),
        state_label(sale.state.value, lang),
        _reason(sale),
        _text(sale.qr_payment_id),
    ]


def attention_text(sale: SaleRecord, lang: str) -> str:
    """A sale needing attention, in a few lines for its card."""
    head = " · ".join(
        part
        for part in (
            f"№ {sale.sale_id}",
            sale_time(sale.created_at),
            format_amount(sale.amount, lang),
        )
        if part
    )
    lines = [head, tr("service.needs_refund", lang)]
    details = " · ".join(
        part
        for part in (
            state_label(sale.state.value, lang),
            _reason(sale),
            f"{tr('service.col.payment', lang)} {sale.qr_payment_id}"
            if sale.qr_payment_id is not None
            else "",
        )
        if part
    )
    if details:
        lines.append(details)
    if sale.note:
        lines.append(sale.note)
    return "\n".join(lines)


def _make_table(name: str, columns: int) -> QTableWidget:
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
    return table


def _page_header(name: str, page: QWidget) -> tuple[QVBoxLayout, QLabel, theme.BigButton]:
    """A tab page's layout, with its status line and Refresh button on top."""
    box = QVBoxLayout(page)
    box.setContentsMargins(0, 0, 0, 0)
    row = QHBoxLayout()
    status = make_label("small", f"{name}_message")
    status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    refresh = theme.BigButton("", "small", f"refresh_{name}")
    refresh.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    row.addWidget(status, 1)
    row.addWidget(refresh)
    box.addLayout(row)
    return box, status, refresh


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
        self, backend: ServiceBackend, lock: PinLock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("service_screen")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._backend = backend
        self.pin_lock = lock
        # Answers carry the ticket they were asked with; a newer ask makes them stale.
        self._tickets: dict[str, int] = {}
        self._data: dict[str, Any] = {}
        self._errors: dict[str, str | None] = {}
        self._check_text: str | None = None
        self._status_labels: dict[str, QLabel] = {}
        self._refresh_buttons: dict[str, theme.BigButton] = {}

        self.pin_page = PinPage(lock)
        self.pin_page.unlocked.connect(self._on_pin_page_unlocked)
        self.pin_page.exit_requested.connect(self._on_exit_clicked)
        self.pin_message = self.pin_page.message
        self._pages = QStackedWidget()
        self._pages.addWidget(self.pin_page)
        self._pages.addWidget(self._build_tabs_page())
        self._root = QVBoxLayout(self)
        self._root.addWidget(self._pages)

        self.on_scale_changed(self.scale)
        self.retranslate(self.lang)

    # --- building ------------------------------------------------------------------------------

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
        box, status, refresh = _page_header(name, page)
        refresh.clicked.connect(lambda _=False, n=name: self._load(n))
        self._status_labels[name] = status
        self._refresh_buttons[name] = refresh
        return box

    def _build_table_page(self, name: str, columns: int) -> tuple[QWidget, QTableWidget]:
        page = QWidget()
        table = _make_table(name, columns)
        self._page_header(name, page).addWidget(table, 1)
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
        return self.pin_lock.is_locked()

    def lock(self) -> None:
        """Back to the PIN pad; answers still on their way are dropped."""
        self._tickets.clear()
        self._data.clear()
        self._errors.clear()
        self._check_text = None
        self._pages.setCurrentIndex(0)
        self.pin_page.clear()

    def press_pin_digit(self, digit: str) -> None:
        self.pin_page.press_digit(digit)

    def submit_pin(self) -> None:
        self.pin_page.submit()

    def _on_pin_page_unlocked(self) -> None:
        self._pages.setCurrentIndex(1)
        self._load("attention")  # for the count on its tab
        self.show_tab("status")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.is_unlocked() or not self.pin_page.handle_key(event):
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
            self._render_sales(self._data.get("sales") or ())
        elif name == "attention":
            self._render_attention(self._data.get("attention") or ())

    def _render_status(self, info: dict[str, str]) -> None:
        rows = [(str(k), _text(v)) for k, v in info.items() if not is_secret_key(str(k))]
        self.status_table.setRowCount(len(rows))
        for row, (key, value) in enumerate(rows):
            self.status_table.setItem(row, 0, QTableWidgetItem(key))
            self.status_table.setItem(row, 1, QTableWidgetItem(value))

    def _render_sales(self, sales: Sequence[SaleRecord]) -> None:
        lang = self.lang
        table = self.sales_table
        table.setRowCount(len(sales))
        for row, sale in enumerate(sales):
            cells = sale_cells(sale, lang)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 2:
                    item.setTextAlignment(_RIGHT)
                table.setItem(row, col, item)
        if not sales and not self._errors.get("sales"):
            self._status_labels["sales"].setText(tr("service.no_sales", lang))

    def _render_attention(self, sales: Sequence[SaleRecord]) -> None:
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

    def _attention_card(self, sale: SaleRecord) -> QWidget:
        card = QFrame()
        card.setProperty("role", "card")
        row = QHBoxLayout(card)
        text = QLabel(attention_text(sale, self.lang))
        text.setProperty("role", "small")
        text.setWordWrap(True)
        row.addWidget(text, 1)
        sale_id = sale.sale_id
        button = theme.BigButton(tr("service.resolve", self.lang), "primary", f"resolve_{sale_id}")
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
        self.pin_page.retranslate(lang)
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
        for name in ("status", "sales", "attention"):
            if name in self._data or name in self._errors:
                self._render(name)

    def on_scale_changed(self, scale: float) -> None:
        self.pin_page.on_scale_changed(scale)
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
        self.pin_page.box.setContentsMargins(side, 0, side, 0)
