"""The sales tab: the journal's last sales in a table that scrolls by dragging."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QScroller,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.gui.kit import theme
from kiosk.gui.kit.widgets import make_label
from kiosk.gui.service.parts import Runner, drag_to_scroll
from kiosk.i18n import format_amount, reason_label, state_label, tr
from kiosk.journal import RefundRecord, SaleRecord

_DRAG = QScroller.ScrollerGestureType.LeftMouseButtonGesture
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
COLUMNS = ("sale", "time", "amount", "state", "reason", "payment")


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


@dataclass(frozen=True)
class SaleLine:
    """A sale as the sales tab lists it: the sale and its refunds (as `kiosk journal` shows)."""

    sale: SaleRecord
    refunds: tuple[RefundRecord, ...] = ()


def sale_cells(line: SaleLine, lang: str) -> list[str]:
    """One row of the sales table: number, time, amount, state (and each refund under it),
    reason, payment id."""
    sale = line.sale
    state = [state_label(sale.state.value, lang)]
    state += [
        tr(
            "service.sales.refund",
            lang,
            amount=refund.amount,
            state=tr(f"service.refund_state.{refund.state.value}", lang),
        )
        for refund in line.refunds
    ]
    return [
        str(sale.sale_id),
        sale_time(sale.created_at),
        format_amount(sale.amount, lang),
        "\n".join(state),
        reason_label(sale.reason.value, lang) if sale.reason else "",
        "" if sale.qr_payment_id is None else str(sale.qr_payment_id),
    ]


def table_px(width: int, scale: float) -> int:
    """The table's text size for a page `width` wide: six columns share it, so where the page
    is narrow (portrait, or beside the tab bar) the width decides it — numbers and payment
    ids fit, words wrap, nothing is cut."""
    return max(10, min(theme.font_px("small", scale), width // 47))


def size_tables(tables: Sequence[QTableWidget], px: int, was: int) -> int:
    """Give `tables` text of `px` (unless it is `was` already: restyling a table is not free)."""
    for table in tables if px != was else ():
        table.setStyleSheet(
            f"QTableWidget {{ font-size: {px}px; }}"
            f" QHeaderView, QHeaderView::section {{ font-size: {px}px; }}"
        )
    return px


def size_to_contents(table: QTableWidget) -> None:
    """Rows as high as their text; the columns of words (time, state, reason) share what is
    left and wrap, so numbers and payment ids are never cut and nothing scrolls sideways."""
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    for column in (1, 3, 4):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)


@contextmanager
def sizing_paused(table: QTableWidget) -> Iterator[None]:
    """Fill `table` with its sections' sizes held, then size it to its contents once.

    A header that sizes itself to its contents measures every row again on each `setItem`
    that replaces an item: refreshing 200 sales froze the screen for 12.8 s
    (bench/service_tab.py measures it).
    """
    for header in (table.horizontalHeader(), table.verticalHeader()):
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    try:
        yield
    finally:
        size_to_contents(table)


class SalesPage(QWidget):
    """Object names: sales_table, sales_message, refresh_sales."""

    def __init__(
        self,
        run: Runner,
        sales: Callable[[], Sequence[SaleLine]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._run = run
        self._sales_source = sales
        self._ticket = 0
        self._sales: Sequence[SaleLine] = ()
        self._error: str | None = None
        self.lang = "ru"
        self.message = make_label("small", "sales_message")
        self.message.setAlignment(_LEFT)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("sales_table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.horizontalHeader().setStretchLastSection(False)
        size_to_contents(self.table)
        self._text_px = 0
        drag_to_scroll(self.table.viewport())
        self.refresh_button = theme.BigButton("", "", "refresh_sales")
        self.refresh_button.clicked.connect(self.load)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.message)
        box.addWidget(self.table, 1)
        box.addWidget(self.refresh_button)

    def load(self) -> None:
        self._ticket += 1
        ticket = self._ticket
        self.message.setText(tr("service.loading", self.lang))

        def done(result: Sequence[SaleLine] | None, error: BaseException | None) -> None:
            if ticket != self._ticket:
                return
            self._error = None if error is None else str(error) or type(error).__name__
            if error is None and result is not None:
                self._sales = result
            self._render()

        self._run(self._sales_source, done)

    def reset(self) -> None:
        self._ticket += 1

    def size_text(self, width: int, scale: float) -> None:
        """The table's text for a page `width` wide (restyled only when it changes)."""
        self._text_px = size_tables((self.table,), table_px(width, scale), self._text_px)

    def _render(self) -> None:
        lang = self.lang
        if self._error:
            self.message.setText(tr("service.load_failed", lang, error=self._error))
        elif not self._sales:
            self.message.setText(tr("service.no_sales", lang))
        else:
            self.message.setText("")
        with sizing_paused(self.table):
            self.table.setRowCount(len(self._sales))
            for row, sale in enumerate(self._sales):
                for col, text in enumerate(sale_cells(sale, lang)):
                    item = QTableWidgetItem(text)
                    if col == 2:
                        item.setTextAlignment(_RIGHT)
                    self.table.setItem(row, col, item)

    def retranslate(self, lang: str) -> None:
        self.lang = lang
        self.refresh_button.setText(tr("service.refresh", lang))
        self.table.setHorizontalHeaderLabels([tr(f"service.col.{c}", lang) for c in COLUMNS])
        self._render()
