"""The kiosk's sale controller: journal first, bank calls on the worker, screens follow the flow.

Order of every sale, so that a crash at any point leaves the truth behind:
1. the journal records the sale (CREATING) — if it cannot, no QR is made;
2. qr/create runs on the worker; the payment id is journalled before the QR
   is shown;
3. a PaymentTracker polls the status; every status and state goes to the
   journal before the screen changes;
4. on Processed, payment/details confirms the amount before the sale is
   recorded as PROCESSED (what the host API reads).
A sale the customer cancels keeps being watched in the background; if it is
paid anyway the journal records PROCESSED with needs_refund.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.config import Config
from kiosk.gui.kit.worker import Worker
from kiosk.gui.sale.tracker import PaymentTracker
from kiosk.journal import Journal, JournalError
from kiosk.kaspi.models import QrPayment
from kiosk.payment.flow import Change, PaymentFlow, seconds_to_expiry
from kiosk.payment.sale import Busy, OutOfService, Reason, SaleState

if TYPE_CHECKING:
    # Only for its type: the client module pulls in requests, which start-up defers.
    from kiosk.kaspi.client import KaspiClient

log = logging.getLogger("kiosk.controller")


@dataclass(frozen=True)
class SaleEnd:
    """How the sale on the screen ended: what the result screen (or the amount screen) shows."""

    sale_id: int
    amount: Decimal
    state: SaleState
    reason: Reason | None
    error: BaseException | None = None
    #: False when the bank said paid but the journal could not record it (a full disk):
    #: the customer is told the money arrived and staff will settle it, not "success".
    recorded: bool = True


@dataclass
class ActiveSale:
    sale_id: int
    amount: Decimal
    external_id: str | None
    source: str
    payment: QrPayment | None = None
    tracker: PaymentTracker | None = None
    cancelled_early: bool = False  # cancelled while qr/create was still running
    product: str | None = None  # MDB: the vending machine's product
    abandoned: bool = False  # MDB: the buyer stopped waiting; a payment now needs a refund


def journal_payment(journal: Journal, sale_id: int, payment: QrPayment, created: datetime) -> None:
    """The payment id before its QR is shown, with the kiosk's own deadlines for recovery
    (an ExpireDate may have no offset, so it cannot be the only deadline on disk)."""
    journal.payment_created(
        sale_id,
        payment.payment_id,
        payment.expire_date.isoformat(),
        poll_interval=payment.behavior.poll_interval,
        scan_deadline=created + timedelta(seconds=payment.behavior.scan_timeout),
        confirm_timeout=payment.behavior.confirm_timeout,
    )


def log_created(sale_id: int, payment: QrPayment) -> None:
    log.info(
        "sale %s: payment %s created; poll %ss, scan %ss, confirm %ss",
        sale_id,
        payment.payment_id,
        payment.behavior.poll_interval,
        payment.behavior.scan_timeout,
        payment.behavior.confirm_timeout,
    )


class SaleController(QObject):
    """Runs sales one at a time and tells the view what to show.

    Signals:
        qr_requested(Decimal, object): a sale started; its QR is being made (the amount,
            and the vending machine's product or None).
        qr_ready(QrPayment, Decimal, object): the QR to show, the amount, the product or None.
        qr_expired(): the scan deadline passed; the QR must go.
        scanned(Decimal): the customer scanned; waiting for the confirmation (the amount).
        sale_ended(SaleEnd): the sale on the screen ended.
        sale_updated(int): a sale's journal record changed (the host API long-poll wakes up).
        countdown(float, float): seconds left and total of the current stage (4 times a second).
    """

    qr_requested = Signal(Decimal, object)
    qr_ready = Signal(QrPayment, Decimal, object)
    qr_expired = Signal()
    scanned = Signal(Decimal)
    sale_ended = Signal(SaleEnd)
    sale_updated = Signal(int)
    countdown = Signal(float, float)

    def __init__(
        self,
        config: Config,
        journal: Journal,
        client: KaspiClient,
        *,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.journal = journal
        self.client = client
        self._clock = clock
        self._worker = Worker("kiosk-sale", self)
        self.current: ActiveSale | None = None
        self._background: dict[int, ActiveSale] = {}
        self.journal_problem: str | None = None
        self._countdown = QTimer(self)
        self._countdown.setInterval(250)
        self._countdown.timeout.connect(self._on_countdown_timeout)

    # --- starting and cancelling -----------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.current is not None

    def start_sale(
        self, amount: Decimal, external_id: str | None, source: str, product: str | None = None
    ) -> int:
        """Record the sale, then ask the bank for its QR. Raises Busy or OutOfService."""
        if self.current is not None:
            raise Busy("another sale is running", self.current.sale_id)
        try:
            # The probe first: the sale row may still fit in a page with room while its
            # later writes (payment id, outcome) would not. A disk that full refuses the
            # sale now, before a QR exists, not mid-sale.
            self.journal.check_writable()
            sale_id = self.journal.begin_sale(
                amount,
                external_id=external_id,
                source=source,
                scheme=self.config.kaspi.scheme,
                device_id=self.config.device.device_id,
                product=product,  # MDB
            )
        except JournalError as exc:
            # No record, no sale: never take money the kiosk cannot account for.
            self.journal_problem = str(exc)
            log.error("sale refused, journal not writable: %s", exc)
            raise OutOfService(f"the journal cannot be written: {exc}") from exc
        sale = ActiveSale(sale_id, amount, external_id, source, product=product)
        self.current = sale
        log.info("sale %s: %s ₸ from %s, external id %s", sale_id, amount, source, external_id)
        self.sale_updated.emit(sale_id)
        self.qr_requested.emit(amount, product)
        self._worker.submit(
            lambda: self.client.create_qr(amount, external_id),
            lambda result, error: self._on_qr_created(sale, result, error),
        )
        return sale_id

    def cancel(self, sale_id: int | None = None) -> bool:
        """Cancel the current sale before the scan; False when it is too late or not running."""
        sale = self.current
        if sale is None or (sale_id is not None and sale.sale_id != sale_id):
            return False
        if sale.tracker is None:
            # qr/create still running: the cancel stands now; the payment the bank may
            # still make is watched to its deadline once it exists (_on_qr_created).
            sale.cancelled_early = True
            log.info("sale %s: cancelled while qr/create runs", sale.sale_id)
        elif sale.tracker.cancel():
            log.info(
                "sale %s: cancelled before the scan; watching payment %s until its deadline",
                sale.sale_id,
                sale.tracker.flow.payment_id,
            )
        else:
            return False
        self._journal(
            sale.sale_id,
            lambda: self.journal.set_state(sale.sale_id, SaleState.CANCELLED, Reason.CANCELLED),
        )
        self._background[sale.sale_id] = sale
        self._finish_current(sale, SaleState.CANCELLED, None)
        return True

    def abandon(self, sale_id: int) -> bool:
        """MDB: the buyer (the vending machine) stopped waiting for this running sale.

        For a sale too far on to cancel (scanned): it is followed to its end as
        usual, but a payment is recorded as paid-needs-refund, never as a sale.
        """
        sale = self.current
        if sale is None or sale.sale_id != sale_id:
            return False
        sale.abandoned = True
        log.warning("sale %s: the buyer stopped waiting; a payment now needs a refund", sale_id)
        return True

    # --- the bank's answers ----------------------------------------------------------------

    def _on_qr_created(
        self, sale: ActiveSale, payment: QrPayment | None, error: BaseException | None
    ) -> None:
        if error is not None or not isinstance(payment, QrPayment):
            reason = str(error) if error is not None else "no answer"
            log.warning("sale %s: qr/create failed: %s", sale.sale_id, reason)
            # The customer never saw a QR, so nothing can have been paid.
            if not sale.cancelled_early:  # a cancelled sale stays cancelled
                self._journal(
                    sale.sale_id,
                    lambda: self.journal.set_state(
                        sale.sale_id, SaleState.FAILED, Reason.CREATE_FAILED
                    ),
                )
            self._journal(
                sale.sale_id, lambda: self.journal.add_note(sale.sale_id, f"qr/create: {reason}")
            )
            self._background.pop(sale.sale_id, None)
            self._finish_current(sale, SaleState.FAILED, Reason.CREATE_FAILED, error)
            return
        sale.payment = payment
        created = datetime.now(UTC)
        try:
            journal_payment(self.journal, sale.sale_id, payment, created)
        except JournalError as exc:
            # A QR whose payment id is not on disk could be paid and then forgotten by a
            # crash: it is never shown. Unseen, it cannot be paid.
            self.journal_problem = str(exc)
            log.critical(
                "sale %s: payment %s not journalled, QR withheld: %s",
                sale.sale_id,
                payment.payment_id,
                exc,
            )
            self._background.pop(sale.sale_id, None)
            self._finish_current(sale, SaleState.FAILED, Reason.CREATE_FAILED, exc)
            return
        self.sale_updated.emit(sale.sale_id)
        # The QR leaves at the earlier of creation + scan timeout and an offset-aware ExpireDate.
        expires_in = seconds_to_expiry(payment.expire_date, created)
        flow = PaymentFlow(
            payment.payment_id, payment.behavior, self._clock(), expires_in=expires_in
        )
        tracker = PaymentTracker(
            flow, lambda: self._read_status(payment.payment_id), self._worker, self._clock, self
        )
        sale.tracker = tracker
        tracker.changed.connect(lambda change: self._on_tracker_changed(sale, change))
        tracker.status_read.connect(
            lambda status: self._journal(
                sale.sale_id, lambda: self.journal.record_status(sale.sale_id, status)
            )
        )
        tracker.finished.connect(lambda: self._on_tracker_finished(sale))
        log_created(sale.sale_id, payment)
        self.sale_updated.emit(sale.sale_id)
        if sale.cancelled_early:
            # Never shown, but followed to its deadline like any cancelled QR.
            flow.cancel(self._clock())
            tracker.start()
            return
        self.qr_ready.emit(payment, sale.amount, sale.product)
        self._countdown.start()
        tracker.start()

    def _read_status(self, payment_id: int) -> str:
        # Retries would stretch the interval; the flow itself re-reads at the interval.
        return self.client.payment_status(payment_id, retry=False).status

    def _on_tracker_changed(self, sale: ActiveSale, change: Change) -> None:
        flow = sale.tracker.flow if sale.tracker else None
        if flow is None:
            return
        on_screen = sale is self.current
        if change.old is change.new:
            if on_screen and not flow.qr_visible and flow.state is SaleState.QR:
                log.info("sale %s: scan deadline passed, QR removed", sale.sale_id)
                self.qr_expired.emit()
            elif change.status:
                self._journal(
                    sale.sale_id,
                    lambda: self.journal.add_note(
                        sale.sale_id, f"after cancel the bank said {change.status}"
                    ),
                )
            return
        log.info(
            "sale %s: %s -> %s (%s)",
            sale.sale_id,
            change.old.value,
            change.new.value,
            change.reason.value if change.reason else change.status,
        )
        if change.new is SaleState.AWAITING:
            self._journal(
                sale.sale_id, lambda: self.journal.set_state(sale.sale_id, SaleState.AWAITING)
            )
            if on_screen:
                self.scanned.emit(sale.amount)
            return
        if change.new is SaleState.PROCESSED:
            self._on_processed(sale, flow)
            return
        # FAILED or UNKNOWN: the customer sees why; nothing was (known to be) paid.
        if not flow.cancelled:
            self._journal(
                sale.sale_id,
                lambda: self.journal.set_state(sale.sale_id, change.new, change.reason),
            )
            self._finish_current(sale, change.new, change.reason, flow.last_error)

    def _on_processed(self, sale: ActiveSale, flow: PaymentFlow) -> None:
        if self.config.sale.check_paid_amount and self.config.kaspi.scheme != "basic":
            self._worker.submit(
                lambda: self.client.payment_details(flow.payment_id),
                lambda result, error: self._on_details(sale, flow, result, error),
            )
        else:
            self._record_paid(sale, flow)

    def _on_details(
        self, sale: ActiveSale, flow: PaymentFlow, details: object, error: BaseException | None
    ) -> None:
        total = getattr(details, "total_amount", None)
        if error is None and isinstance(total, Decimal):
            flow.on_paid_amount(total, sale.amount, self._clock())
            if flow.amount_mismatch:
                self._journal(
                    sale.sale_id,
                    lambda: self.journal.add_note(
                        sale.sale_id, f"paid {total} ₸ but the sale was {sale.amount} ₸"
                    ),
                )
        else:
            # Processed is the bank's word; the extra check only could not be made.
            log.warning("sale %s: paid amount not checked: %s", sale.sale_id, error)
            self._journal(
                sale.sale_id,
                lambda: self.journal.add_note(sale.sale_id, f"paid amount not checked: {error}"),
            )
        self._record_paid(sale, flow)

    def _record_paid(self, sale: ActiveSale, flow: PaymentFlow) -> None:
        needs_refund = flow.needs_refund or flow.amount_mismatch or sale.abandoned  # MDB
        reason = flow.reason or (Reason.PAID_AFTER_CANCEL if sale.abandoned else None)  # MDB
        recorded = self._journal(
            sale.sale_id,
            lambda: self.journal.set_state(
                sale.sale_id, SaleState.PROCESSED, reason, needs_refund=needs_refund
            ),
        )
        if needs_refund:
            log.warning(
                "sale %s: PAID but needs the operator (%s): refund or hand over",
                sale.sale_id,
                reason.value if reason else "?",
            )
        if not recorded:
            log.critical("sale %s: PAID but not recorded: hand over or refund", sale.sale_id)
        if sale is self.current:
            self._finish_current(sale, SaleState.PROCESSED, reason, recorded=recorded)

    def _on_tracker_finished(self, sale: ActiveSale) -> None:
        self._background.pop(sale.sale_id, None)
        if sale.tracker is not None:
            sale.tracker.deleteLater()

    # --- ending a sale ---------------------------------------------------------------------

    def _finish_current(
        self,
        sale: ActiveSale,
        state: SaleState,
        reason: Reason | None,
        error: BaseException | None = None,
        recorded: bool = True,
    ) -> None:
        if sale is not self.current:
            return
        self.current = None
        self._countdown.stop()
        self.sale_updated.emit(sale.sale_id)
        self.sale_ended.emit(SaleEnd(sale.sale_id, sale.amount, state, reason, error, recorded))

    def _journal(self, sale_id: int, write: Callable[[], None]) -> bool:
        """A journal write during a running sale: the sale goes on even if the disk fails.

        Every write is announced (sale_updated), so host API long-polls answer at once.
        False when the disk refused it.
        """
        try:
            write()
            self.sale_updated.emit(sale_id)
        except JournalError as exc:
            self.journal_problem = str(exc)
            log.critical("journal write failed during a sale: %s", exc)
            return False
        except ValueError as exc:  # an impossible transition: a bug, keep the sale going
            log.error("journal refused a change: %s", exc)
        return True

    def _on_countdown_timeout(self) -> None:
        sale = self.current
        if sale is None or sale.tracker is None or sale.payment is None:
            return
        flow = sale.tracker.flow
        b = sale.payment.behavior
        total = b.confirm_timeout if flow.state is SaleState.AWAITING else b.scan_timeout
        self.countdown.emit(flow.seconds_left(self._clock()), total)

    # --- shutting down -----------------------------------------------------------------------

    @property
    def watching(self) -> list[int]:
        """Sales still followed in the background (cancelled before the scan)."""
        return sorted(self._background)

    def shutdown(self) -> None:
        for sale in [self.current, *self._background.values()]:
            if sale is not None and sale.tracker is not None:
                sale.tracker.stop()
        self._countdown.stop()
        self._worker.close(wait=False)
