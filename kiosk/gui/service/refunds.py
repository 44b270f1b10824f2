"""The refunds tab, by scheme.

- basic: one sentence — refunds are made in the Kaspi Pay app;
- enhanced (without the customer): a purchase from the journal, or its payment
  id typed on the keypad -> its details with AvailableReturnAmount -> the amount
  (full, or typed) -> a confirmation -> the refund -> the result;
- standard (with the customer): the return QR until the customer is identified
  -> the customer's purchases (return/operations) -> pick -> details -> amount
  -> confirmation -> refund -> result.

Every check that keeps a refund from the bank (above the available amount, not
the customer's purchase, an earlier refund still open) is the operator core's
(kiosk.refund.plan); this page only shows steps and sentences.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from kiosk.gui.kit import theme
from kiosk.gui.kit.widgets import make_label
from kiosk.gui.service.parts import (
    ChoiceList,
    ConfirmPanel,
    DeskSource,
    NumberEntry,
    Runner,
    ServicePage,
)
from kiosk.gui.service.return_qr import ReturnQrPanel
from kiosk.i18n import format_amount, tr
from kiosk.i18n.refusal import OperatorError
from kiosk.kaspi.models import PaymentDetails, ReturnOperation, ReturnQr
from kiosk.operator.desk import OperatorDesk
from kiosk.refund.plan import RefundPlan, parse_amount, plan_refund
from kiosk.refund.steps import RefundResult, ReturnVerdict, choose_payment

STEPS = ("start", "type_id", "qr", "customer", "amount", "result")


class RefundsPage(ServicePage):
    """Object names: refund_basic, refund_sales (sale_<payment id>), refund_type_id,
    refund_id_* keys and refund_id_next, refund_show_qr, return_qr, refund_customer
    (op_<payment id>), refund_details, refund_amount_* keys, refund_full, refund_send,
    refund_confirm (refund_yes / refund_no), refund_result, refund_new, refund_message.
    """

    def __init__(
        self,
        run: Runner,
        desk: DeskSource,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(run, desk, parent)
        self.setObjectName("refunds_page")
        self.message.setObjectName("refund_message")
        self._return: ReturnQr | None = None
        self._operations: list[ReturnOperation] | None = None
        self._details: PaymentDetails | None = None
        self._wanted: int | None = None  # a payment chosen before the customer identified
        self._steps = QStackedWidget()
        self._pages: dict[str, QWidget] = {}
        self._build_start()
        self._build_type_id()
        self.return_panel = ReturnQrPanel(run, desk, clock=clock)
        self.return_panel.finished.connect(self._on_return_panel_finished)
        self._add("qr", self.return_panel)
        self._build_customer()
        self._build_amount()
        self._build_result()
        self.confirm = ConfirmPanel("refund")
        self.back_button = theme.BigButton("", "", "refund_back")
        self.back_button.clicked.connect(self.reset)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.message)
        box.addWidget(self.confirm)
        box.addWidget(self._steps, 1)
        box.addWidget(self.back_button)

    # --- building -------------------------------------------------------------------------

    def _add(self, name: str, widget: QWidget) -> None:
        self._pages[name] = widget
        self._steps.addWidget(widget)

    def _column(self, name: str) -> QVBoxLayout:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        self._add(name, page)
        return box

    def _build_start(self) -> None:
        box = self._column("start")
        self.basic_text = make_label("body", "refund_basic")
        self.sales_caption = make_label("hint", "refund_sales_caption")
        self.sales = ChoiceList("sale")
        self.sales.setObjectName("refund_sales")
        self.sales.chosen.connect(self._on_sales_chosen)
        self.type_id_button = theme.BigButton("", "", "refund_type_id")
        self.type_id_button.clicked.connect(lambda: self._go("type_id"))
        self.show_qr_button = theme.BigButton("", "primary", "refund_show_qr")
        self.show_qr_button.clicked.connect(self.show_return_qr)
        for widget in (self.basic_text, self.sales_caption):
            box.addWidget(widget)
        box.addWidget(self.sales, 1)
        box.addWidget(self.type_id_button)
        box.addWidget(self.show_qr_button)

    def _build_type_id(self) -> None:
        box = self._column("type_id")
        self.id_caption = make_label("hint", "refund_id_caption")
        self.id_entry = NumberEntry("refund_id", decimals=False, max_digits=18)
        self.id_next = theme.BigButton("", "primary", "refund_id_next")
        self.id_next.clicked.connect(self._on_id_next_clicked)
        box.addWidget(self.id_caption)
        box.addWidget(self.id_entry, 1)
        box.addWidget(self.id_next)

    def _build_customer(self) -> None:
        box = self._column("customer")
        self.customer_caption = make_label("hint", "refund_customer_caption")
        self.customer = ChoiceList("op")
        self.customer.setObjectName("refund_customer")
        self.customer.chosen.connect(self._on_customer_chosen)
        box.addWidget(self.customer_caption)
        box.addWidget(self.customer, 1)

    def _build_amount(self) -> None:
        box = self._column("amount")
        self.details_label = make_label("body", "refund_details")
        self.amount_caption = make_label("hint", "refund_amount_caption")
        self.amount_entry = NumberEntry("refund_amount", decimals=True, max_digits=9)
        self.amount_entry.changed.connect(self._on_amount_entry_changed)
        self.full_button = theme.BigButton("", "", "refund_full")
        self.full_button.clicked.connect(self._on_full_clicked)
        self.send_button = theme.BigButton("", "primary", "refund_send")
        self.send_button.clicked.connect(self._on_send_clicked)
        for widget in (self.details_label, self.amount_caption):
            box.addWidget(widget)
        box.addWidget(self.amount_entry, 1)
        box.addWidget(self.full_button)
        box.addWidget(self.send_button)

    def _build_result(self) -> None:
        box = self._column("result")
        self.result_label = make_label("title", "refund_result")
        self.new_button = theme.BigButton("", "primary", "refund_new")
        self.new_button.clicked.connect(self.reset)
        box.addStretch(1)
        box.addWidget(self.result_label)
        box.addStretch(1)
        box.addWidget(self.new_button)

    # --- steps ----------------------------------------------------------------------------

    @property
    def step(self) -> str:
        current = self._steps.currentWidget()
        return next(name for name in STEPS if self._pages[name] is current)

    def _go(self, step: str) -> None:
        self._steps.setCurrentWidget(self._pages[step])
        self.back_button.setVisible(step not in ("start", "result"))

    def _scheme(self) -> str:
        desk = self._desk()
        return desk.scheme if desk is not None else "basic"

    def reset(self) -> None:
        """Back to the first step; a return QR on screen is dropped, its reads forgotten."""
        super().reset()
        self.return_panel.stop()
        self.confirm.hide()
        self._return = self._operations = self._details = None
        self._wanted = None
        self.id_entry.set_text("")
        self.amount_entry.set_text("")
        scheme = self._scheme()
        basic, standard = scheme == "basic", scheme == "standard"
        self.basic_text.setVisible(basic)
        self.sales_caption.setVisible(not basic and not standard)
        self.sales.setVisible(not basic and not standard)
        self.type_id_button.setVisible(scheme == "enhanced")
        self.show_qr_button.setVisible(standard)
        self.show_qr_button.setEnabled(True)
        self._go("start")
        if scheme == "enhanced":
            self.ask(lambda desk: desk.refundable_sales(), self._show_sales)

    def start_for_payment(self, payment_id: int) -> None:
        """The attention list's one-tap refund: this payment, all that is refundable."""
        self.reset()
        self._wanted = payment_id
        if self._scheme() == "standard":
            self.show_return_qr()
        elif self._scheme() == "enhanced":
            self._load_details(payment_id, full=True)

    def _show_sales(self, sales: object) -> None:
        assert isinstance(sales, list)
        items = [
            (s.qr_payment_id, f"№ {s.sale_id} · {format_amount(s.amount, self.lang)}")
            for s in sales
        ]
        self.sales.set_items(items)
        key = "svc.refund.pick_sale" if sales else "svc.refund.no_sales"
        self.sales_caption.setText(tr(key, self.lang))

    def _on_sales_chosen(self, payment_id: object) -> None:
        assert isinstance(payment_id, int)
        self._load_details(payment_id)

    def _on_id_next_clicked(self) -> None:
        text = self.id_entry.text()
        if text:
            self._load_details(int(text))

    # scheme standard: the customer first

    def show_return_qr(self) -> None:
        self.show_qr_button.setEnabled(False)

        def started(ret: object) -> None:
            assert isinstance(ret, ReturnQr)
            self._return = ret
            self._go("qr")
            self.return_panel.start(ret)

        self.ask(lambda desk: desk.start_return(), started)

    def _on_return_panel_finished(self, outcome: object) -> None:
        if outcome is not ReturnVerdict.IDENTIFIED or self._return is None:
            self.show_qr_button.setEnabled(True)
            return
        return_id = self._return.return_id
        self.ask(lambda desk: desk.customer_purchases(return_id), self._show_customer)

    def _show_customer(self, operations: object) -> None:
        assert isinstance(operations, list)
        self._operations = operations
        items = [
            (
                op.payment_id,
                f"{op.payment_id} · {format_amount(op.amount, self.lang)}"
                + (
                    f" · {op.transaction_date.astimezone():%d.%m %H:%M}"
                    if op.transaction_date
                    else ""
                ),
            )
            for op in operations
        ]
        self.customer.set_items(items)
        key = "svc.refund.customer_list" if operations else "svc.refund.customer_none"
        self.customer_caption.setText(tr(key, self.lang))
        self._go("customer")
        if self._wanted is not None:
            self._load_details(self._wanted, full=True)

    def _on_customer_chosen(self, payment_id: object) -> None:
        assert isinstance(payment_id, int)
        self._load_details(payment_id)

    # both schemes: details, amount, confirmation, the call

    def _load_details(self, payment_id: int, full: bool = False) -> None:
        operations = self._operations

        def job(desk: OperatorDesk) -> PaymentDetails:
            if operations is not None:  # refused before any other call
                choose_payment(operations, payment_id)
            return desk.details(payment_id)

        def done(details: object) -> None:
            assert isinstance(details, PaymentDetails)
            self._details = details
            self.details_label.setText(
                tr(
                    "svc.refund.details",
                    self.lang,
                    payment=details.payment_id,
                    total=format_amount(details.total_amount, self.lang),
                    available=format_amount(details.available_return_amount, self.lang),
                )
            )
            self.amount_entry.set_text("")
            self._go("amount")
            if full:
                self._on_full_clicked()
                self._on_send_clicked()

        self.ask(job, done)

    def _on_full_clicked(self) -> None:
        if self._details is not None:
            self.amount_entry.set_text(format(self._details.available_return_amount, "f"))

    def _on_amount_entry_changed(self, text: str) -> None:
        shown = format_amount(text, self.lang) if text else ""
        self.send_button.setText(tr("svc.refund.send", self.lang, amount=shown).strip())
        self.send_button.setEnabled(bool(text))

    def current_plan(self) -> RefundPlan:
        """The refund the operator typed, checked; OperatorError before any bank call."""
        if self._details is None:
            raise OperatorError("op.refund.zero")
        amount: Decimal = parse_amount(self.amount_entry.text())
        return_id = self._return.return_id if self._return is not None else None
        return plan_refund(self._details, amount, return_id=return_id, operations=self._operations)

    def _on_send_clicked(self) -> None:
        try:
            plan = self.current_plan()
        except OperatorError as exc:
            self.show_error(exc)
            return
        question = tr(
            "svc.refund.confirm",
            self.lang,
            amount=format_amount(plan.amount, self.lang),
            payment=plan.payment_id,
        )
        self.confirm.ask(question, lambda: self.send(plan), self.lang)

    def send(self, plan: RefundPlan) -> None:
        self.send_button.setEnabled(False)

        def job(desk: OperatorDesk) -> RefundResult:
            sale = desk.journal.find_by_payment(plan.payment_id) if desk.journal else None
            final = (
                plan
                if sale is None
                else RefundPlan(
                    plan.payment_id, plan.amount, plan.available, plan.return_id, sale.sale_id
                )
            )
            return desk.refund(final)

        def done(result: object) -> None:
            assert isinstance(result, RefundResult)
            self.result_label.setText(
                tr(
                    "op.refund.done",
                    self.lang,
                    amount=format_amount(result.amount, self.lang),
                    operation=result.return_operation_id,
                )
            )
            self._go("result")

        self.ask(job, done)

    def on_error(self, error: BaseException) -> None:
        self.send_button.setEnabled(bool(self.amount_entry.text()))
        self.show_qr_button.setEnabled(True)

    def retranslate(self, lang: str) -> None:
        super().retranslate(lang)
        self.return_panel.retranslate(lang)
        self.basic_text.setText(tr("svc.refund.basic", lang))
        self.type_id_button.setText(tr("svc.refund.type_id", lang))
        self.show_qr_button.setText(tr("svc.refund.show_qr", lang))
        self.id_caption.setText(tr("svc.refund.payment_id", lang))
        self.id_next.setText(tr("service.ok", lang))
        self.amount_caption.setText(tr("svc.refund.amount", lang))
        self.full_button.setText(tr("svc.refund.full", lang))
        self.new_button.setText(tr("svc.refund.new", lang))
        self.back_button.setText(tr("svc.back", lang))
        self._on_amount_entry_changed(self.amount_entry.text())
