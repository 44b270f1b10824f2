"""The QR screen: "preparing" while the bank creates the QR, then the QR to scan.

The QR is painted crisp at a whole number of pixels per module (qrimage) and
removed at once by `hide_qr` when the token dies: a customer must never scan a
dead code. Portrait windows stack the amount, the QR and the details; landscape
windows put the QR on the left and the details on the right.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.gui.kit import theme
from kiosk.gui.kit.qrimage import QrView
from kiosk.gui.kit.widgets import Countdown, FitLabel, FlowLayout, Spinner, make_label
from kiosk.i18n import format_amount, method_label, tr


class QrScreen(theme.Screen):
    """Shows "creating the QR", then the QR, the amount, the payment methods and the time left.

    States: "idle" (nothing shown yet), "preparing", "payment", "expired" (the QR was
    removed by `hide_qr`).

    Signals:
        cancel_requested(): the customer pressed Cancel while the QR was shown.
    """

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("qr_screen")
        self._state = "idle"
        self._amount = Decimal(0)
        self._product: str | None = None
        self._methods: list[str] = []
        self._chip_labels: list[QLabel] = []

        # --- preparing ---------------------------------------------------------------------------
        self.preparing_page = QWidget()
        self.prep_caption = make_label("hint")
        self.prep_amount = FitLabel("amount", "preparing_amount")
        self.spinner = Spinner()
        self.prep_text = make_label("title", "preparing_text")
        prep = QVBoxLayout(self.preparing_page)
        prep.addStretch(2)
        prep.addWidget(self.prep_caption)
        prep.addWidget(self.prep_amount)
        prep.addSpacing(40)
        prep.addWidget(self.spinner, 0, Qt.AlignmentFlag.AlignHCenter)
        prep.addSpacing(40)
        prep.addWidget(self.prep_text)
        prep.addStretch(3)

        # --- payment -----------------------------------------------------------------------------
        self.payment_page = QWidget()
        self.amount_block = QWidget()
        self.caption = make_label("hint")
        self.amount_label = FitLabel("amount", "qr_amount")
        amount_layout = QVBoxLayout(self.amount_block)
        amount_layout.setContentsMargins(0, 0, 0, 0)
        amount_layout.setSpacing(0)
        amount_layout.addWidget(self.caption)
        amount_layout.addWidget(self.amount_label)

        self.qr_view = QrView("qr_image")
        self.instruction = make_label("title", "qr_instruction")
        self.instruction_hint = make_label("hint")
        self.chips = QWidget()
        self.chips.setObjectName("qr_methods")
        self._chips_layout = FlowLayout(self.chips)
        self._chips_layout.setContentsMargins(0, 0, 0, 0)
        self.countdown = Countdown()
        self.cancel_button = theme.BigButton("", "", "cancel_button")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)

        self._qr_col = QVBoxLayout()
        self._qr_col.addWidget(self.qr_view, 1)
        self._info_col = QVBoxLayout()
        self._info_col.addStretch(1)
        self._info_col.addWidget(self.instruction)
        self._info_col.addWidget(self.instruction_hint)
        self._info_col.addWidget(self.chips)
        self._info_col.addStretch(1)
        self._info_col.addWidget(self.countdown)
        # Cancel sits at the top, never where Pay was: Pay is at the bottom of the amount
        # screen at every size, and a double tap on Pay must not cancel the sale it started.
        self.cancel_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._top_bar = QHBoxLayout()
        self._top_bar.setContentsMargins(0, 0, 0, 0)
        self._top_bar.addStretch(1)
        self._top_bar.addWidget(self.cancel_button)
        self._payment_root = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._payment_root.setContentsMargins(0, 0, 0, 0)
        self._payment_root.addLayout(self._qr_col, 1)
        self._payment_root.addLayout(self._info_col, 1)
        payment_box = QVBoxLayout(self.payment_page)
        payment_box.setContentsMargins(0, 0, 0, 0)
        payment_box.addLayout(self._top_bar)
        payment_box.addLayout(self._payment_root, 1)

        self._pages = QStackedWidget()
        self._pages.addWidget(self.preparing_page)
        self._pages.addWidget(self.payment_page)
        self._pages.setCurrentWidget(self.preparing_page)
        self._root = QVBoxLayout(self)
        self._root.addWidget(self._pages)

        self.on_scale_changed(self.scale)
        self.on_orientation_changed(False)
        self.retranslate(self.lang)

    # --- what the controller calls --------------------------------------------------------------

    @property
    def state(self) -> str:
        return self._state

    def show_preparing(self, amount: Decimal, product: str | None = None) -> None:
        """The QR is being created: the amount and a spinner, no QR and no Cancel yet."""
        self.set_product(product)
        self._state = "preparing"
        self._amount = Decimal(amount)
        self._methods = []
        self.qr_view.show_text("")
        self.cancel_button.setEnabled(False)
        self._pages.setCurrentWidget(self.preparing_page)
        self._refresh()

    def show_payment(
        self,
        qr_content: str,
        amount: Decimal,
        methods: Sequence[str],
        product: str | None = None,
    ) -> None:
        """The QR to scan, the amount (of `product` on a vending machine), methods, Cancel."""
        self.set_product(product)
        self._state = "payment"
        self._amount = Decimal(amount)
        self._methods = [str(m) for m in methods]
        self.qr_view.set_content(qr_content)
        self.cancel_button.setEnabled(True)
        self.countdown.time.setText("")
        self.countdown.bar.setValue(self.countdown.bar.maximum())
        self._pages.setCurrentWidget(self.payment_page)
        self._refresh()

    def set_product(self, product: str | None) -> None:
        """The vending machine's product the amount pays for (None: an amount alone)."""
        self._product = product
        self.retranslate(self.lang)

    def hide_qr(self) -> None:
        """Remove the QR at once (the token is dead or the sale is over); Cancel is disabled."""
        self.qr_view.show_text(tr("qr.expired", self.lang) if self._state == "payment" else "")
        if self._state == "payment":
            self._state = "expired"
        self.cancel_button.setEnabled(False)
        self._refresh()

    def on_leave(self) -> None:
        self.hide_qr()  # the QR never outlives its screen

    def set_seconds_left(self, seconds: float, total: float) -> None:
        self.countdown.set_seconds_left(seconds, total)

    def has_qr(self) -> bool:
        return self.qr_view.has_qr()

    def _on_cancel_clicked(self) -> None:
        if self._state == "payment":
            self.cancel_requested.emit()

    # --- look ------------------------------------------------------------------------------------

    def retranslate(self, lang: str) -> None:
        super().retranslate(lang)
        caption = tr("qr.to_pay", lang)
        if self._product is not None:
            caption = tr("qr.to_pay_product", lang).format(product=self._product)
        self.prep_caption.setText(caption)
        self.prep_text.setText(tr("qr.preparing", lang))
        self.caption.setText(caption)
        self.instruction.setText(tr("qr.scan", lang))
        self.instruction_hint.setText(tr("qr.scan_hint", lang))
        self.countdown.caption.setText(tr("qr.time", lang))
        self.cancel_button.setText(tr("qr.cancel", lang))
        if self._state == "expired":
            self.qr_view.show_text(tr("qr.expired", lang))
        self._refresh()

    def _refresh(self) -> None:
        lang = self.lang
        text = format_amount(self._amount, lang)
        self.prep_amount.setText(text)
        self.amount_label.setText(text)
        expired = self._state == "expired"
        for widget in (self.instruction, self.instruction_hint, self.chips, self.countdown):
            widget.setVisible(not expired)
        self._set_chips([method_label(m, lang) for m in self._methods])

    def _set_chips(self, labels: list[str]) -> None:
        self._chip_labels = []
        while self._chips_layout.count():
            item = self._chips_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # at once: deleteLater waits for the event loop
                widget.deleteLater()
        self.chips.setVisible(bool(labels) and self._state != "expired")
        for text in labels:
            chip = QLabel(text)
            chip.setObjectName("method_chip")
            chip.setProperty("role", "chip")
            chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._chips_layout.addWidget(chip)
            chip.show()  # now, not on the next event loop pass
            self._chip_labels.append(chip)

    def method_texts(self) -> list[str]:
        """The chips' texts, in order (for tests and diagnostics)."""
        return [chip.text() for chip in self._chip_labels]

    def on_scale_changed(self, scale: float) -> None:
        margin = round(48 * scale)
        self._root.setContentsMargins(margin, margin, margin, margin)
        self._payment_root.setSpacing(round(56 * scale))
        self._info_col.setSpacing(round(22 * scale))
        self._qr_col.setSpacing(round(22 * scale))
        self._chips_layout.setSpacing(round(14 * scale))
        self.spinner.set_diameter(round(150 * scale))
        self.cancel_button.setMinimumHeight(theme.touch_px(scale, 96))
        self.cancel_button.setMinimumWidth(round(300 * scale))
        for label in (self.prep_amount, self.amount_label):
            label.set_base_px(theme.font_px("amount", scale))
        self._update_qr_cap()

    def on_orientation_changed(self, portrait: bool) -> None:
        self._payment_root.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        # Portrait: the amount heads the screen above the QR; landscape: it heads the details.
        target = self._qr_col if portrait else self._info_col
        for column in (self._qr_col, self._info_col):
            column.removeWidget(self.amount_block)
        target.insertWidget(0, self.amount_block)
        self._payment_root.setStretch(0, 3 if portrait else 5)
        self._payment_root.setStretch(1, 2 if portrait else 4)
        self._update_qr_cap()

    def _update_qr_cap(self) -> None:
        # Much larger than a phone's camera view only makes customers step back.
        self.qr_view.set_limits(
            max_px=round(min(self.width(), self.height()) * 0.66), padding_px=round(24 * self.scale)
        )
