"""The screen after the scan: the customer confirms the payment on the phone.

There is no Cancel here on purpose: once the QR is scanned only the customer's
phone (or the bank's confirmation timeout) can end the payment, and a kiosk
button that pretended otherwise could leave a paid sale behind.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.gui.kit import theme
from kiosk.gui.kit.widgets import Countdown, FitLabel, Spinner, centre_column, make_label
from kiosk.i18n import format_amount, tr


class AwaitingScreen(theme.Screen):
    """ "Confirm the payment in the Kaspi.kz app", the amount and the time left.

    Signals:
        activity(): inherited; not watched on this screen.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("awaiting_screen")
        self._amount = Decimal(0)

        self.spinner = Spinner()
        self.title = make_label("title", "awaiting_title")
        self.hint = make_label("body", "awaiting_hint")
        self.caption = make_label("hint")
        self.amount_label = FitLabel("amount", "awaiting_amount")
        self.countdown = Countdown()

        self._root = QVBoxLayout(self)
        box = self._root
        box.addStretch(2)
        box.addWidget(self.spinner, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addSpacing(48)
        box.addWidget(self.title)
        box.addSpacing(16)
        box.addWidget(self.hint)
        box.addSpacing(48)
        box.addWidget(self.caption)
        box.addWidget(self.amount_label)
        box.addStretch(3)
        box.addWidget(self.countdown)

        self.on_scale_changed(self.scale)
        self.retranslate(self.lang)

    def show(self, amount: Decimal | None = None) -> None:
        """Fill in `amount`; a top-level screen (tests, previews) is also shown.

        Inside the window's stack the controller switches pages, so a page is not
        shown over the current one here.
        """
        if amount is not None:
            self.show_amount(amount)
        if amount is None or self.parentWidget() is None:
            super().show()

    def show_amount(self, amount: Decimal) -> None:
        self._amount = Decimal(amount)
        self.countdown.time.setText("")
        self.countdown.bar.setValue(self.countdown.bar.maximum())
        self._refresh()

    def set_seconds_left(self, seconds: float, total: float) -> None:
        self.countdown.set_seconds_left(seconds, total)

    def retranslate(self, lang: str) -> None:
        super().retranslate(lang)
        self.title.setText(tr("awaiting.title", lang))
        self.hint.setText(tr("awaiting.hint", lang))
        self.caption.setText(tr("qr.to_pay", lang))
        self.countdown.caption.setText(tr("awaiting.time", lang))
        self._refresh()

    def _refresh(self) -> None:
        self.amount_label.setText(format_amount(self._amount, self.lang))

    def on_scale_changed(self, scale: float) -> None:
        self.amount_label.set_base_px(theme.font_px("amount", scale))
        self.spinner.set_diameter(round(190 * scale))

    def on_resized(self, width: int, height: int) -> None:
        centre_column(self._root, width, self.scale)
