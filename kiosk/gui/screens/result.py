"""The end of a sale: a big green check with "Paid", or a red cross with the reason.

The reason comes from the controller already in the customer's words (see
kiosk.i18n.reason_text); this screen only lays it out. It goes back to the start by
itself (the controller counts down) or at once with the Done button.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.gui.kit import theme
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

        self.icon = StatusIcon("success")
        self.icon.setObjectName("result_icon")
        self.headline = make_label("headline", "result_headline")
        self.amount_label = FitLabel("amount", "result_amount")
        self.detail = make_label("body", "result_detail")
        self.back_in = make_label("hint", "result_back_in")
        self.done_button = theme.BigButton("", "primary", "done_button")
        self.done_button.clicked.connect(self.done.emit)

        self._root = QVBoxLayout(self)
        box = self._root
        box.addStretch(2)
        box.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addSpacing(48)
        box.addWidget(self.headline)
        box.addSpacing(12)
        box.addWidget(self.amount_label)
        box.addSpacing(12)
        box.addWidget(self.detail)
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
        self._refresh()

    def show_unrecorded(self, amount: Decimal) -> None:
        """Paid at the bank but not recorded by the kiosk: staff hand over the goods or refund."""
        self._kind = "warning"
        self._amount = Decimal(amount)
        self._message = tr("result.unrecorded", self.lang)
        self._seconds = None
        self._refresh()

    def show_not_dispensed(self, amount: Decimal, refunded_at_once: bool) -> None:
        """Paid, but the vending machine gave nothing: never a thank-you; what happens to
        the money instead (returned at once, or by staff)."""
        self._kind = "not_dispensed"
        self._amount = Decimal(amount)
        detail = (
            "result.not_dispensed.refund_now" if refunded_at_once else "result.not_dispensed.staff"
        )
        self._message = lambda lang: tr(detail, lang)
        self._seconds = None
        self._refresh()

    def show_error(self, message: str | Callable[[str], str]) -> None:
        """The payment did not go through; `message` says why, in the customer's words: a
        text, or how to say it in a language (it then follows a change of language)."""
        self._kind = "error"
        self._amount = None
        self._message = message
        self._seconds = None
        self._refresh()

    def set_seconds_left(self, seconds: float) -> None:
        """ "Back to start in 5 s"."""
        self._seconds = whole_seconds(seconds)
        self._refresh_back_in()

    def retranslate(self, lang: str) -> None:
        super().retranslate(lang)
        self.done_button.setText(tr("result.done", lang))
        self._refresh()

    def _refresh(self) -> None:
        lang = self.lang
        success = self._kind == "success"
        unrecorded = self._kind == "warning"
        not_dispensed = self._kind == "not_dispensed"
        self.icon.set_kind("warning" if not_dispensed else self._kind)
        headline = (
            "result.paid"
            if success
            else "result.received"
            if unrecorded
            else "result.not_dispensed"
            if not_dispensed
            else "result.failed"
        )
        self.headline.setText(tr(headline, lang))
        theme.set_role(
            self.headline,
            "headline_error" if self._kind in ("error", "not_dispensed") else "headline",
        )
        if unrecorded:
            self._message = tr("result.unrecorded", lang)
        self.amount_label.setText(
            format_amount(self._amount, lang) if self._amount is not None else ""
        )
        self.amount_label.setVisible(self._amount is not None)
        message = self._message(lang) if callable(self._message) else self._message
        self.detail.setText(tr("result.thanks", lang) if success else message)
        self._refresh_back_in()

    def _refresh_back_in(self) -> None:
        if self._seconds is None:
            self.back_in.setText("")
        else:
            self.back_in.setText(tr("result.back_in", self.lang, n=self._seconds))

    def on_scale_changed(self, scale: float) -> None:
        self.amount_label.set_base_px(theme.font_px("amount", scale))
        self.icon.set_diameter(round(230 * scale))
        self.done_button.setMinimumHeight(theme.touch_px(scale, 130))

    def on_resized(self, width: int, height: int) -> None:
        centre_column(self._root, width, self.scale)
