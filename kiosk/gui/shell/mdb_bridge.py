"""The vending machine's MDB adapter on the GUI thread: vend requests become sales, endings answers.

The driver (kiosk.mdb.qibixx) reads the adapter on its own thread; its events
arrive here through a queued signal. A vend request starts a sale through the
same entry point the host API uses (journalled before qr/create, shown on the
QR screen with its product); every change of that sale's journal record is
fed to the pure `Vend` (kiosk.mdb.vend), and the `Step` it returns is carried
out: the answer to the VMC, giving the sale up, and for a paid sale whose
product did not drop, the refund — at once in scheme enhanced, otherwise on the
attention list. That refund is the operator's refund without the customer
(kiosk.refund.steps): AvailableReturnAmount read, a row in the journal's refunds
table (source `mdb`) committed before payment/return and finished after; an
answer lost leaves it `unknown` for service mode to check, and the kiosk
refunds a sale on its own only once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.config import Config
from kiosk.gui.kit.worker import Worker
from kiosk.journal import Journal, JournalError, RefundPending, RefundRepeated, SaleRecord
from kiosk.mdb import protocol
from kiosk.mdb.qibixx import Driver, DriverEvent, LinkDown, LinkUp
from kiosk.mdb.vend import Answer, Step, Vend, amount_for
from kiosk.payment.mode import ADAPTER_AWAY, KioskMode
from kiosk.payment.sale import Reason, SaleRefused, SaleState
from kiosk.refund import steps as refund

if TYPE_CHECKING:
    from kiosk.gui.sale.controller import SaleController
    from kiosk.gui.sale.view import SaleView
    from kiosk.gui.shell.startup import Clients
    from kiosk.kaspi.client import KaspiClient

log = logging.getLogger("kiosk.mdb")

TICK_MS = 200
#: What /v1/health says in its "mdb" field.
CONNECTED, DISCONNECTED, DISABLED = "connected", "disconnected", "disabled"
#: The out-of-service reason while the adapter is away: the mode's hold (kiosk.payment.mode).
UNPLUGGED = ADAPTER_AWAY
#: The refunds table's source of the kiosk's own refund of a paid vend that did not drop.
AUTOMATIC = "mdb"
#: The VMC left the vend state by itself while it waited for the answer.
_GIVE_UP_STATES = frozenset({"INACTIVE", "DISABLED", "ENABLED", "IDLE"})


class VendingKiosk(Protocol):
    """What the vending machine's bridge needs of the running kiosk (kiosk.gui.shell.kiosk)."""

    @property
    def journal(self) -> Journal | None: ...
    @property
    def controller(self) -> SaleController | None: ...
    @property
    def mode(self) -> KioskMode: ...
    @property
    def view(self) -> SaleView: ...

    def start_sale(
        self, amount: Decimal, external_id: str | None, source: str, product: str | None = None
    ) -> int: ...

    def back_to_start(self) -> None: ...


class MdbBridge(QObject):
    """The kiosk as the vending machine's cashless device.

    Signals:
        event_received(object): a driver event (queued here from the driver's thread).
        link_changed(bool): the adapter connected (True) or went away (False).
        vend_finished(object): a Vend reached its final phase (the demo strip, tests).
        not_dispensed(object, bool): a paid vend gave nothing: the amount (a Decimal; Qt has
            no type for it) and whether the kiosk refunds it at once (else staff will).
        stopped(): the bridge stopped (its start-up is torn down).
    """

    event_received = Signal(object)
    link_changed = Signal(bool)
    vend_finished = Signal(object)
    not_dispensed = Signal(object, bool)
    stopped = Signal()

    def __init__(
        self,
        config: Config,
        driver: Driver,
        journal: Journal,
        controller: SaleController,
        start_sale: Callable[[Decimal, str], int],
        *,
        refund_client: KaspiClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._config = config
        self._driver = driver
        self._journal = journal
        self._controller = controller
        self._start_sale = start_sale
        self._refund_client = refund_client
        self._clock = clock
        self._worker = Worker("kiosk-mdb-refund", self)
        self._link = 0
        self.vend: Vend | None = None
        self._vend_link = 0
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.event_received.connect(self._on_event_received)
        controller.sale_updated.connect(self._on_controller_sale_updated)

    @property
    def connected(self) -> bool:
        return self._driver.connected

    @property
    def status(self) -> str:
        return CONNECTED if self._driver.connected else DISCONNECTED

    def start(self) -> None:
        self._driver.start(self.event_received.emit)

    def stop(self) -> None:
        self._timer.stop()
        self._driver.stop()
        # A refund in flight finishes on its thread; its result is still journalled.
        self._worker.close(wait=True)
        if self._refund_client is not None:
            self._refund_client.close()
        self.stopped.emit()

    # --- the adapter --------------------------------------------------------------------------

    def _on_event_received(self, event: DriverEvent) -> None:
        vend = self.vend
        if isinstance(event, LinkUp):
            self._link = event.link
            self.link_changed.emit(True)
        elif isinstance(event, LinkDown):
            if vend is not None:
                self._apply(vend, vend.vmc_gave_up(f"the adapter went away: {event.reason}"))
            self.link_changed.emit(False)
        elif isinstance(event, protocol.VendRequest):
            self._on_vend_request(event)
        elif isinstance(event, protocol.Status):
            if vend is not None and event.state in _GIVE_UP_STATES:
                self._apply(vend, vend.vmc_gave_up(f"the machine went {event.state}"))
        elif isinstance(event, protocol.VendSucceeded):
            if vend is not None:
                self._apply(vend, vend.dispensed())
            else:
                log.warning("MDB: a dispense was reported with no vend approved")
        elif isinstance(event, protocol.VendFailed):
            if vend is not None:
                self._apply(vend, vend.dispense_failed(event.detail))
            else:
                log.warning("MDB: a dispense failure (%s) with no vend approved", event.detail)
        elif isinstance(event, protocol.AdapterError):
            log.warning("MDB adapter error: %s", event.detail)

    def _on_vend_request(self, request: protocol.VendRequest) -> None:
        if self.vend is not None:
            # A new request means the VMC gave the old one up (its timeout, a reset).
            self._apply(self.vend, self.vend.vmc_gave_up("the machine asked for another vend"))
        m, s = self._config.mdb, self._config.sale
        now = self._clock()
        log.info("MDB: vend request, product %s at %s", request.product, request.price)
        try:
            amount = amount_for(
                request.price,
                Decimal(str(m.price_scale)),
                Decimal(str(s.min_amount)),
                Decimal(str(s.max_amount)),
            )
        except ValueError as exc:
            log.warning("MDB: vend of product %s denied: %s", request.product, exc)
            self._driver.deny(self._link)
            return
        vend = Vend(
            request.price,
            request.product,
            amount,
            now,
            vend_timeout=m.vend_timeout,
            dispense_timeout=m.dispense_timeout,
        )
        self.vend, self._vend_link = vend, self._link
        self._timer.start()
        try:
            sale_id = self._start_sale(amount, request.product)
        except SaleRefused as exc:
            log.warning("MDB: vend of product %s denied: %s", request.product, exc)
            self._apply(vend, vend.sale_refused(str(exc)))
            return
        vend.sale_started(sale_id)
        self._on_controller_sale_updated(sale_id)  # a sale refused at once ends here

    # --- the sale ---------------------------------------------------------------------------

    def _on_controller_sale_updated(self, sale_id: int) -> None:
        vend = self.vend
        if vend is None or vend.sale_id != sale_id:
            return
        record = self._read(sale_id)
        if record is not None:
            self._apply(vend, vend.sale_changed(record.state, record.needs_refund, self._clock()))

    def _on_timer_timeout(self) -> None:
        vend = self.vend
        if vend is None:
            self._timer.stop()
            return
        self._apply(vend, vend.on_tick(self._clock()))

    # --- carrying a step out -------------------------------------------------------------------

    def _apply(self, vend: Vend, step: Step) -> None:
        sale_id = vend.sale_id
        if step.answer is Answer.APPROVE:
            assert sale_id is not None
            # Journalled first: the machine drops the product on this answer.
            self._write(sale_id, lambda: self._journal.add_note(sale_id, self._said(vend, True)))
            self._driver.approve(vend.price, self._vend_link)
        elif step.answer is Answer.DENY:
            if sale_id is not None:
                note = self._said(vend, False)
                self._write(sale_id, lambda: self._journal.add_note(sale_id, note))
            self._driver.deny(self._vend_link)
        if step.give_up_sale and sale_id is not None:
            self._give_up(sale_id, step.why)
        if step.paid_after_give_up and sale_id is not None:
            self._needs_refund(sale_id, Reason.PAID_AFTER_CANCEL)
        if step.refund and sale_id is not None:
            self._not_dispensed(vend, sale_id, step.why)
        if vend.phase.is_final and self.vend is vend:
            log.info("MDB: vend of product %s ended %s (%s)", vend.product, vend.phase, vend.why)
            self.vend = None
            self._timer.stop()
            self.vend_finished.emit(vend)

    @staticmethod
    def _said(vend: Vend, approved: bool) -> str:
        word = f"approved C,VEND,{protocol.format_price(vend.price)}" if approved else "denied"
        return f"MDB: product {vend.product} {word} ({vend.why})"

    def _give_up(self, sale_id: int, why: str) -> None:
        c = self._controller
        if c.cancel(sale_id):
            log.info("MDB: sale %s cancelled: %s", sale_id, why)
        elif c.abandon(sale_id):
            log.warning("MDB: sale %s given up after the scan: %s", sale_id, why)

    def _read(self, sale_id: int) -> SaleRecord | None:
        try:
            return self._journal.get(sale_id)
        except JournalError as exc:
            log.critical("MDB: sale %s cannot be read: %s", sale_id, exc)
            return None

    def _needs_refund(self, sale_id: int, reason: Reason) -> None:
        record = self._read(sale_id)
        if record is None or record.state is not SaleState.PROCESSED:
            return
        if not record.needs_refund:
            self._write(
                sale_id,
                lambda: self._journal.set_state(
                    sale_id, SaleState.PROCESSED, reason, needs_refund=True
                ),
            )
        log.warning("MDB: sale %s PAID but nothing dispensed (%s)", sale_id, reason.value)

    def _not_dispensed(self, vend: Vend, sale_id: int, why: str) -> None:
        self._write(sale_id, lambda: self._journal.add_note(sale_id, f"MDB: {why}"))
        self._needs_refund(sale_id, Reason.NOT_DISPENSED)
        record = self._read(sale_id)
        client = self._refund_client
        if (
            record is None
            or record.state is not SaleState.PROCESSED
            or record.qr_payment_id is None
            or client is None
            or self._config.kaspi.scheme != "enhanced"
        ):
            log.warning("MDB: sale %s is on the attention list: refund it or hand over", sale_id)
            self.not_dispensed.emit(record.amount if record else vend.amount, False)
            return
        amount, payment_id = record.amount, record.qr_payment_id
        self.not_dispensed.emit(amount, True)
        log.warning("MDB: refunding %s ₸ of sale %s (payment %s)", amount, sale_id, payment_id)

        def job() -> refund.RefundResult:
            # The operator's refund without the customer: AvailableReturnAmount read, the
            # refunds row committed before payment/return; only the sale's first refund.
            return refund.refund_without_customer(
                client,
                self._journal,
                payment_id,
                amount,
                source=AUTOMATIC,
                sale_id=sale_id,
                first_of_sale=True,
            )

        def done(result: refund.RefundResult | None, error: BaseException | None) -> None:
            if error is not None:
                note = f"MDB: {refund_trouble(error)}"
                self._write(sale_id, lambda: self._journal.add_note(sale_id, note))
                log.error("MDB: sale %s not refunded automatically: %s", sale_id, error)
                return
            assert result is not None  # the job returned
            log.info("MDB: sale %s refunded: operation %s", sale_id, result.return_operation_id)
            self._controller.sale_updated.emit(sale_id)

        self._worker.submit(job, done)

    def _write(self, sale_id: int, write: Callable[[], None]) -> None:
        try:
            write()
        except (JournalError, ValueError) as exc:
            log.critical("MDB: journal write for sale %s failed: %s", sale_id, exc)
            return
        self._controller.sale_updated.emit(sale_id)


def refund_trouble(error: BaseException) -> str:
    """The sale's note when its automatic refund was not made (or may not have been)."""
    if isinstance(error, refund.RefundUnknown):
        return (
            f"the automatic refund's outcome is unknown ({error.detail}): check refund"
            f" {error.refund_id} in service mode before refunding again"
        )
    if isinstance(error, RefundPending | RefundRepeated | refund.RefundRefused):
        return f"not refunded automatically: {error}"
    return f"the automatic refund failed ({error}); refund by hand"


def attach(
    shell: VendingKiosk, config: Config, clients: Clients, *, parent: QObject
) -> MdbBridge | None:
    """The bridge for a booted kiosk when [mdb] is enabled (the kiosk's one wiring call).

    Until the adapter answers, and whenever it goes away, the kiosk's mode is held
    out of service (kiosk.payment.mode.ADAPTER_AWAY); the hold goes with the bridge.
    """
    if not config.mdb.enabled:
        return None
    journal, controller = shell.journal, shell.controller
    assert journal is not None and controller is not None  # attached once the kiosk booted
    from kiosk.mdb.qibixx import QibixxDriver

    driver = QibixxDriver(config.mdb.port, config.mdb.baudrate)
    refund_client = clients.another() if config.kaspi.scheme == "enhanced" else None
    bridge = MdbBridge(
        config,
        driver,
        journal,
        controller,
        lambda amount, product: shell.start_sale(amount, None, "mdb", product),
        refund_client=refund_client,
        parent=parent,
    )
    shell.mode.hold(ADAPTER_AWAY)
    bridge.link_changed.connect(lambda connected: on_link_changed(shell, connected))
    bridge.not_dispensed.connect(lambda amount, at_once: on_not_dispensed(shell, amount, at_once))
    bridge.stopped.connect(lambda: shell.mode.release(ADAPTER_AWAY))
    bridge.start()
    return bridge


def on_link_changed(shell: VendingKiosk, connected: bool) -> None:
    """Out of service while the adapter is away, back when it returns.

    The mode's hold refuses new sales at once; a sale already on the screen runs
    to its end (the vend itself is given up above), and its result screen counts
    down before the out-of-service screen shows.
    """
    mode = shell.mode
    if connected:
        if mode.release(ADAPTER_AWAY):
            shell.back_to_start()
        return
    mode.hold(ADAPTER_AWAY)
    if mode.waiting:  # starting and out of service meet the hold when they are ready
        shell.back_to_start()


def on_not_dispensed(shell: VendingKiosk, amount: Decimal, refunded_at_once: bool) -> None:
    """A paid vend gave nothing: its page counts down like a sale's result, which the mode
    is told (a hold or a lost bank waits for it, as for any result)."""
    shell.mode.result_shown()
    shell.view.show_not_dispensed(amount, refunded_at_once)
