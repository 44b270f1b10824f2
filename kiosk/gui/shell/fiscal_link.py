"""The running kiosk's fiscal receipts: the sender started with the sale parts, its news on screen.

With `[fiscal] provider = "none"` attach() returns None and imports nothing of
the register. Otherwise the sender's thread starts with the controller; a sale
that ends paid wakes it at once (the customer never waits: the success screen
is up already), so does a refund recorded done (its return receipt is owed), and
a receipt that comes back while that sale's success screen still shows puts its
QR there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal

from kiosk.fiscal.service import start_for
from kiosk.payment.sale import SaleState

if TYPE_CHECKING:
    from kiosk.config import Config
    from kiosk.fiscal.sender import ReceiptSender
    from kiosk.gui.sale.controller import SaleController, SaleEnd
    from kiosk.gui.sale.view import SaleView
    from kiosk.gui.shell.metrics_link import MetricsLink
    from kiosk.journal import Journal, ReceiptRecord


class FiscalLink(QObject):
    """The receipt sender of one start-up, told of paid sales, telling the screen.

    A child of the sale controller: kiosk.gui.shell.startup.close_parts stops it with the
    controller, before the journal closes.

    Signals:
        receipt_done(int, str, str): sale id, state ("done"/"failed"), TicketUrl or "".
    """

    receipt_done = Signal(int, str, str)

    def __init__(
        self, metrics: MetricsLink, journal: Journal, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.sender_: ReceiptSender | None = None
        self._metrics = metrics
        self._journal = journal

    def reachable(self) -> bool | None:
        """Whether the register answered the last call (None: not asked yet)."""
        sender = self.sender_
        return sender.reachability.reachable if sender is not None else None

    def on_receipt(self, record: ReceiptRecord) -> None:
        """The sender's thread: only a signal crosses to the GUI thread."""
        if record.kind.value == "sale":
            self.receipt_done.emit(record.sale_id, record.state.value, record.ticket_url or "")

    def on_sale_ended(self, end: SaleEnd) -> None:
        if end.state is SaleState.PROCESSED and self.sender_ is not None:
            self.sender_.wake()

    def on_refund_done(self) -> None:
        """Any thread (the journal's hook): the refund's return receipt is owed now."""
        sender = self.sender_
        if sender is not None:
            sender.wake()

    def stop(self) -> None:
        """Before the journal closes: the call in flight is answered and journalled first."""
        self._metrics.watch_register(None)
        hooks = self._journal.refund_done_hooks
        if self.on_refund_done in hooks:
            hooks.remove(self.on_refund_done)
        if self.sender_ is not None:
            self.sender_.stop()
            self.sender_ = None


class _Shell(Protocol):
    """What attach() needs of the running kiosk (kiosk.gui.shell.kiosk.KioskShell)."""

    journal: Journal | None
    controller: SaleController | None
    view: SaleView
    metrics: MetricsLink


def attach(shell: _Shell, config: Config) -> FiscalLink | None:
    """The receipts of this start-up's sales, or None when no register is configured."""
    journal, controller, view, metrics = shell.journal, shell.controller, shell.view, shell.metrics
    assert journal is not None and controller is not None
    if not config.fiscal.enabled:
        view.fiscal = False
        return None
    link = FiscalLink(metrics, journal, controller)
    metrics.watch_register(link.reachable)
    link.sender_ = start_for(config.fiscal, journal, on_done=link.on_receipt)
    journal.refund_done_hooks.append(link.on_refund_done)
    controller.sale_ended.connect(link.on_sale_ended)
    link.receipt_done.connect(view.show_receipt)
    view.fiscal = True
    return link
