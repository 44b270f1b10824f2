"""A sale on the screens: the controller's typed events become QR, waiting and result pages.

Only what the customer sees; whether the kiosk may sell, and what comes after
the result, is the running kiosk's business (kiosk.gui.shell.kiosk with kiosk.payment.mode).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.gui.screens.navigator import Page
from kiosk.gui.screens.window import KioskWindow
from kiosk.i18n import reason_text
from kiosk.payment.sale import SaleState

if TYPE_CHECKING:
    # Types only: the controller (and the bank's models) are imported after the first
    # screen is up, when the bank clients are made (kiosk.gui.shell.kiosk).
    from kiosk.gui.sale.controller import SaleController, SaleEnd
    from kiosk.kaspi.models import QrPayment


#: How long "the product was not given" stays: two sentences to read, more than a "Paid".
NOT_DISPENSED_SECONDS = 20.0


class SaleView(QObject):
    """Shows a sale on the window's screens; counts the result screen down.

    Signals:
        result_done(): the result screen's countdown ran out (or the customer pressed OK).
    """

    result_done = Signal()

    def __init__(self, window: KioskWindow, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self.lang = "ru"
        self.result_seconds = 5.0
        self._left = 0
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._on_timer_timeout)
        window.result_done.connect(self.result_done)

    def follow(self, controller: SaleController, result_seconds: float) -> None:
        """Show this start-up's sales (the result, and what follows it, is the kiosk's call)."""
        self.result_seconds = result_seconds
        controller.qr_requested.connect(self.show_preparing)
        controller.qr_ready.connect(self.show_qr)
        controller.qr_expired.connect(self._window.qr_screen.hide_qr)
        controller.scanned.connect(self.show_scanned)
        controller.countdown.connect(self.set_seconds_left)

    def show_preparing(self, amount: Decimal, product: str | None = None) -> None:
        self._window.qr_screen.show_preparing(amount, product)
        self._window.move_to(Page.QR)

    def show_qr(self, payment: QrPayment, amount: Decimal, product: str | None = None) -> None:
        screen = self._window.qr_screen
        screen.show_payment(payment.qr_token, amount, payment.payment_methods, product)
        self._window.move_to(Page.QR)

    def show_scanned(self, amount: Decimal) -> None:
        self._window.awaiting_screen.show_amount(amount)
        self._window.move_to(Page.AWAITING)

    def show_result(self, end: SaleEnd) -> None:
        """Success or the reason it failed, counting down to the next customer."""
        screen = self._window.result_screen
        if end.state is SaleState.PROCESSED and not end.recorded:
            # Paid, but the kiosk could not write it down: not a plain success.
            screen.show_unrecorded(end.amount)
            page = Page.ERROR
        elif end.state is SaleState.PROCESSED and end.reason is None:
            screen.show_success(end.amount)
            page = Page.SUCCESS
        else:
            screen.show_error(lambda lang: reason_text(end.reason, end.state, lang))
            page = Page.ERROR
        self._count_down(page, self.result_seconds)

    def _count_down(self, page: Page, seconds: float) -> None:
        self._left = max(1, round(seconds))
        self._window.result_screen.set_seconds_left(self._left)
        self._window.move_to(page)
        self._timer.start()

    def show_not_dispensed(self, amount: Decimal, refunded_at_once: bool) -> None:
        """The vending machine did not give the paid product: say so, and what happens to the
        money, for long enough to read (the success screen may be up already: it gives way)."""
        self._window.result_screen.show_not_dispensed(amount, refunded_at_once)
        self._count_down(Page.ERROR, max(self.result_seconds, NOT_DISPENSED_SECONDS))

    @property
    def seconds_left(self) -> int:
        """Whole seconds until the result screen gives way to the next customer."""
        return self._left

    def stop_result(self) -> None:
        self._timer.stop()

    def set_seconds_left(self, seconds: float, total: float) -> None:
        """The running sale's countdown, on whichever of its pages shows."""
        w = self._window
        if w.screen_name is Page.QR:
            w.qr_screen.set_seconds_left(seconds, total)
        elif w.screen_name is Page.AWAITING:
            w.awaiting_screen.set_seconds_left(seconds, total)

    def retranslate(self, lang: str) -> None:
        self.lang = lang
        w = self._window
        for screen in (w.qr_screen, w.awaiting_screen, w.result_screen, w.out_of_service_screen):
            screen.retranslate(lang)

    def _on_timer_timeout(self) -> None:
        self._left -= 1
        if self._left <= 0:
            self._timer.stop()
            self.result_done.emit()
        else:
            self._window.result_screen.set_seconds_left(self._left)
