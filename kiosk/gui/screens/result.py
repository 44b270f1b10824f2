"""The end of a sale: a big green check with "Paid", or a red cross with the reason.

The reason comes from the controller already in the customer's words (see
kiosk.i18n.reason_text); this screen only lays it out. It goes back to the start by
itself (the controller counts down) or at once with the Done button.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.gui.kit import theme
from kiosk.gui.kit.qrimage import QrView
from kiosk.gui.kit.widgets import FitLabel, StatusIcon, centre_column, make_label
from kiosk.i18n import format_amount, tr, whole_seconds


class ResultScreen(theme.Screen):
    """Success or error, a "back to start in 5 s" line and a Done button.

    Signals:
        done(): Done was pressed; the customer does not want to wait for the countdown.
    """

    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("result_screen")
        self._kind = "success"
        self._amount: Decimal | None = None
        self._message: str | Callable[[str], str] = ""
        self._seconds: int | None = None
        #: The fiscal receipt under a success: "off" (no register), "pending", "done" (made,
        #: without a link) or its TicketUrl.
        self._receipt = "off"

        self.icon = StatusIcon("success")
        self.icon.setObjectName("result_icon")
        self.headline = make_label("headline", "result_headline")
        self.amount_label = FitLabel("amount", "result_amount")
        self.detail = make_label("body", "result_detail")
        self.receipt_qr = QrView("receipt_qr")
        # A fixed square: QrView's own policy (take what the layout leaves) would let the
        # caption beside it slide under it.
        self.receipt_qr.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.receipt_qr.hide()
        self.receipt_caption = make_label("hint", "receipt_caption")  # "Receipt", under its QR
        self.receipt_caption.setWordWrap(False)
        self.receipt_caption.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.receipt_caption.hide()
        self.receipt_note = make_label("hint", "receipt_note")  # "will be sent", while it is not
        self.receipt_note.hide()
        self.back_in = make_label("hint", "result_back_in")
        self.done_button = theme.BigButton("", "primary", "done_button")
        self.done_button.clicked.connect(self.done.emit)

        self._root = QVBoxLayout(self)
        box = self._root
        box.addStretch(2)
        box.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignHCenter)
        # The receipt's QR takes the check mark's place: the screen keeps its height.
        self.receipt_box = QWidget()
        row = QHBoxLayout(self.receipt_box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        row.addWidget(self.receipt_qr)
        row.addWidget(self.receipt_caption)
        row.addStretch(1)
        self.receipt_box.hide()
        box.addWidget(self.receipt_box)
        box.addSpacing(48)
        box.addWidget(self.headline)
        box.addSpacing(12)
        box.addWidget(self.amount_label)
        box.addSpacing(12)
        box.addWidget(self.detail)
        box.addWidget(self.receipt_note)
        box.addStretch(3)
        box.addWidget(self.back_in)
        box.addSpacing(12)
        box.addWidget(self.done_button)

        self.on_scale_changed(self.scale)
        self.retranslate(self.lang)

    @property
    def kind(self) -> str:
        """ "success", "error", "warning" (paid but not recorded) or "not_dispensed"."""
        return self._kind

    def show_success(self, amount: Decimal) -> None:
        """The payment went through."""
        self._kind = "success"
        self._amount = Decimal(amount)
        self._message = ""
        self._seconds = None
        self._receipt = "off"
        self._refresh()

    def show_receipt(self, url: str | None) -> None:
        """Under a success: the receipt's QR (the OFD's TicketUrl), or None: it is on its way.

        Only a receipt the register answered is shown as one; until then the customer is
        told it will be sent, never shown a receipt that does not exist yet. A receipt made
        without a link ("") ends that sentence and shows no QR.
        """
        self._receipt = "pending" if url is None else (url or "done")
        if url:
            self.receipt_qr.set_content(url)
        self._refresh()

    def show_unrecorded(self, amount: Decimal) -> None:
        """Paid at the bank but not recorded by the kiosk: staff hand over the goods or refund."""
        self._kind = "warning"
        self._amount = Decimal(amount)
        self._message = tr("customer.result.unrecorded", self.lang)
        self._seconds = None
        self._receipt = "off"
        self._refresh()

    def show_not_dispensed(self, amount: Decimal, refunded_at_once: bool) -> None:
        """Paid, but the vending machine gave nothing: never a thank-you; what happens to
        the money instead (returned at once, or by staff)."""
        self._kind = "not_dispensed"
        self._amount = Decimal(amount)
        detail = (
            "customer.result.not_dispensed.refund_now"
            if refunded_at_once
            else "customer.result.not_dispensed.staff"
        )
        self._message = lambda lang: tr(detail, lang)
        self._seconds = None
        self._receipt = "off"
        self._refresh()

    def show_error(
        self,
        message: str | Callable[[str], str],
        *,
        kind: str = "error",
        amount: Decimal | None = None,
    ) -> None:
        """The payment did not go through; `message` says why, in the customer's words: a
        text, or how to say it in a language (it then follows a change of language).

        `kind` "unknown": the bank may still complete it; "received": paid, but staff must
        look (an amount that differs): neither ever has a "failed" headline.
        """
        self._kind = kind
        self._amount = amount
        self._message = message
        self._seconds = None
        self._receipt = "off"
        self._refresh()

    def set_seconds_left(self, seconds: float) -> None:
        """ "Back to start in 5 s"."""
        self._seconds = whole_seconds(seconds)
        self._refresh_back_in()

    def retranslate(self, lang: str) -> None:
        super().retranslate(lang)
        self.done_button.setText(tr("customer.result.done", lang))
        self._refresh()

    def _refresh(self) -> None:
        lang = self.lang
        success = self._kind == "success"
        unrecorded = self._kind == "warning"
        not_dispensed = self._kind == "not_dispensed"
        warning = not_dispensed or self._kind in ("unknown", "received")
        self.icon.set_kind("warning" if warning else self._kind)
        headline = (
            "customer.result.paid"
            if success
            else "customer.result.unknown"
            if self._kind == "unknown"
            else "customer.result.received"
            if unrecorded or self._kind == "received"
            else "customer.result.not_dispensed"
            if not_dispensed
            else "customer.result.failed"
        )
        self.headline.setText(tr(headline, lang))
        theme.set_role(
            self.headline,
            "headline_error" if self._kind in ("error", "not_dispensed") else "headline",
        )
        if unrecorded:
            self._message = tr("customer.result.unrecorded", lang)
        self.amount_label.setText(
            format_amount(self._amount, lang) if self._amount is not None else ""
        )
        self.amount_label.setVisible(self._amount is not None)
        message = self._message(lang) if callable(self._message) else self._message
        self.detail.setText(tr("customer.result.thanks", lang) if success else message)
        receipt = self._receipt if success else "off"
        has_qr = receipt not in ("off", "pending", "done")
        self.icon.setVisible(not has_qr)
        self.receipt_box.setVisible(has_qr)
        self.receipt_qr.setVisible(has_qr)
        self.receipt_caption.setVisible(has_qr)
        self.receipt_caption.setText(tr("customer.result.receipt", lang))
        self.receipt_note.setVisible(receipt == "pending")
        self.receipt_note.setText(tr("customer.result.receipt_pending", lang))
        self._refresh_back_in()

    def _refresh_back_in(self) -> None:
        if self._seconds is None:
            self.back_in.setText("")
        else:
            self.back_in.setText(tr("customer.result.back_in", self.lang, n=self._seconds))

    def on_scale_changed(self, scale: float) -> None:
        self.amount_label.set_base_px(theme.font_px("amount", scale))
        self.icon.set_diameter(round(230 * scale))
        side = round(230 * scale)  # the check mark's size: the screen keeps its layout
        self.receipt_qr.setFixedSize(side, side)
        self.receipt_box.setFixedHeight(side)
        self.done_button.setMinimumHeight(theme.touch_px(scale, 130))

    def on_resized(self, width: int, height: int) -> None:
        centre_column(self._root, width, self.scale)
