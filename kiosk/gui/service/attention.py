"""The attention tab: paid sales the kiosk gave up on, each with a one-tap refund (schemes
standard and enhanced) or "goods handed over"; and refunds whose outcome is unknown, which
wait for the operator's word before the kiosk refunds that payment again."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from kiosk.gui.kit import theme
from kiosk.gui.service.parts import (
    ButtonRow,
    ConfirmPanel,
    DeskSource,
    Runner,
    ServicePage,
    clear_layout,
    drag_to_scroll,
)
from kiosk.i18n import format_amount, tr
from kiosk.journal import RefundRecord, SaleRecord
from kiosk.operator.desk import OperatorDesk

_DRAG = QScroller.ScrollerGestureType.LeftMouseButtonGesture


def sale_line(sale: SaleRecord, lang: str) -> str:
    when = sale.created_at[:19].replace("T", " ")
    parts = [f"№ {sale.sale_id}", when, format_amount(sale.amount, lang)]
    if sale.qr_payment_id is not None:
        parts.append(f"{tr('service.col.payment', lang)} {sale.qr_payment_id}")
    lines = [" · ".join(parts), tr("service.needs_refund", lang)]
    if sale.note:
        lines.append(sale.note)
    return "\n".join(lines)


class AttentionPage(ServicePage):
    """Object names: attention_refund_<sale>, attention_handed_<sale>, open_done_<refund>,
    open_failed_<refund>, attention_confirm (attention_yes / attention_no), attention_message.

    Signals:
        refund_requested(int): refund this payment (the refunds tab takes over).
        changed(int): how many sales wait now (for the tab's count).
    """

    refund_requested = Signal(int)
    changed = Signal(int)

    def __init__(self, run: Runner, desk: DeskSource, parent: QWidget | None = None) -> None:
        super().__init__(run, desk, parent)
        self.setObjectName("attention_page")
        self.message.setObjectName("attention_message")
        self.confirm = ConfirmPanel("attention")
        self.list = QWidget()
        self._box = QVBoxLayout(self.list)
        self._box.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.list)
        drag_to_scroll(scroll.viewport())
        self.refresh_button = theme.BigButton("", "", "attention_refresh")
        self.refresh_button.clicked.connect(self.load)
        self._sales: list[SaleRecord] = []
        self._open: list[RefundRecord] = []
        self.buttons: dict[str, theme.BigButton] = {}
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.message)
        box.addWidget(self.confirm)
        box.addWidget(scroll, 1)
        box.addWidget(self.refresh_button)

    def load(self) -> None:
        def job(desk: OperatorDesk) -> tuple[list[SaleRecord], list[RefundRecord]]:
            return desk.attention(), desk.open_refunds()

        self.ask(job, self._show)

    def _show(self, result: object) -> None:
        assert isinstance(result, tuple)
        self._sales, self._open = result
        self._render()
        self.changed.emit(len(self._sales))

    def _render(self) -> None:
        clear_layout(self._box)
        self.buttons = {}
        desk = self._desk()
        refunds = desk is not None and desk.scheme != "basic"
        for record in self._open:
            self._box.addWidget(self._open_card(record))
        for sale in self._sales:
            self._box.addWidget(self._sale_card(sale, refunds))
        self._box.addStretch(1)
        if not self._sales and not self._open and not self.message.text():
            self.say(tr("svc.attention.none", self.lang))

    def _card(self, text: str) -> tuple[QFrame, ButtonRow]:
        """The sale in words, its buttons under them (a row, or stacked where narrow)."""
        card = QFrame()
        card.setProperty("role", "card")
        column = QVBoxLayout(card)
        label = QLabel(text)
        label.setProperty("role", "small")
        label.setWordWrap(True)
        row = ButtonRow()
        column.addWidget(label)
        column.addWidget(row)
        return card, row

    def _button(self, row: ButtonRow, name: str, text: str, role: str) -> theme.BigButton:
        button = theme.BigButton(text, role, name)
        self.buttons[name] = button
        row.add(button)
        return button

    def _sale_card(self, sale: SaleRecord, refunds: bool) -> QWidget:
        card, row = self._card(sale_line(sale, self.lang))
        sale_id, payment = sale.sale_id, sale.qr_payment_id
        if refunds and payment is not None:
            refund = self._button(
                row, f"attention_refund_{sale_id}", tr("svc.attention.refund", self.lang), "primary"
            )
            refund.clicked.connect(lambda _=False, p=payment: self.refund_requested.emit(p))
        handed = self._button(
            row, f"attention_handed_{sale_id}", tr("svc.attention.handed_over", self.lang), ""
        )
        handed.clicked.connect(lambda _=False, s=sale_id: self._on_handed_clicked(s))
        return card

    def _open_card(self, record: RefundRecord) -> QWidget:
        text = tr(
            "svc.refund.open",
            self.lang,
            amount=format_amount(record.amount, self.lang),
            payment=record.qr_payment_id,
        )
        card, row = self._card(text)
        rid = record.refund_id
        done = self._button(row, f"open_done_{rid}", tr("svc.refund.went_through", self.lang), "")
        done.clicked.connect(lambda _=False, r=rid: self.check_refund(r, True))
        failed = self._button(row, f"open_failed_{rid}", tr("svc.refund.did_not", self.lang), "")
        failed.clicked.connect(lambda _=False, r=rid: self.check_refund(r, False))
        return card

    def _on_handed_clicked(self, sale_id: int) -> None:
        question = tr("svc.attention.confirm_hand_over", self.lang, sale=sale_id)
        self.confirm.ask(question, lambda: self.hand_over(sale_id), self.lang)

    def hand_over(self, sale_id: int) -> None:
        self.ask(lambda desk: desk.hand_over(sale_id), lambda _r: self.load())

    def check_refund(self, refund_id: int, went_through: bool) -> None:
        self.ask(lambda desk: desk.check_refund(refund_id, went_through), lambda _r: self.load())

    def retranslate(self, lang: str) -> None:
        super().retranslate(lang)
        self.refresh_button.setText(tr("service.refresh", lang))
        self._render()
