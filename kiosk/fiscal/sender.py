"""The receipt sender: a thread that gets every owed receipt registered, however long it takes.

Each pass writes a pending row for every receipt owed (kiosk/journal/receipts.py:
committed before any call), then sends the pending ones, oldest first, each
with its own ExternalCheckNumber, the same on every pass:

- an answer (or the register's "already registered" with the original) -> done;
- a refusal that repeating cannot change (bad cashbox, login, data) -> failed,
  for the operator, with the register's text;
- anything else stays pending and is sent again: no answer, a 5xx, a lost
  answer, a timeout, offline over 72 h, a code the digest does not list. An
  expired token is renewed by the client; a shift over 24 h is closed with a
  Z-report here and the receipt sent again at once.

While the register does not answer, passes come after a back-off that doubles
from 1 s up to 15 s (RETRY_CAP); otherwise every 15 s, or at once when woken
(`wake()`: a sale was just paid, a refund just done). The first pass runs at
start. The customer never waits for any of it; `on_done` tells the screen.

No Qt: the GUI adapts `on_done` to a signal.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kiosk.fiscal import errors
from kiosk.fiscal.client import WebkassaClient
from kiosk.fiscal.models import Operation, Receipt, ReceiptRequest, ReturnBasis
from kiosk.fiscal.settings import FiscalSettings
from kiosk.journal import Answer, Journal, JournalError, ReceiptKind, ReceiptRecord

log = logging.getLogger("kiosk.fiscal")

#: Longest wait between passes while a receipt is pending and the register unreachable.
RETRY_CAP = 15.0
#: Between passes with nothing pending: owed receipts are also found without a wake-up.
IDLE = 15.0
FIRST_RETRY = 1.0

#: Told of each receipt that became done or failed (on the sender's thread).
ReceiptHook = Callable[[ReceiptRecord], None]


def backoff(failed_passes: int) -> float:
    """Seconds before the next pass after `failed_passes` passes in a row found no register."""
    if failed_passes <= 0:
        return IDLE
    return min(RETRY_CAP, FIRST_RETRY * 2 ** (failed_passes - 1))


@dataclass(frozen=True)
class Reachability:
    """What the last call to the register showed (metrics, service mode)."""

    reachable: bool | None  # None: not asked yet
    error: str | None
    at: float | None  # time.monotonic() of the last call


class ReceiptSender:
    """Sends the journal's owed receipts to the register on its own thread."""

    def __init__(
        self,
        journal: Journal,
        settings: FiscalSettings,
        *,
        client: WebkassaClient | None = None,
        on_done: ReceiptHook | None = None,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.journal = journal
        self.settings = settings
        self.client = client or WebkassaClient(settings)
        self._on_done = on_done
        self._now = now
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._pass_lock = threading.Lock()  # one pass at a time: the thread's or an operator's
        self._failed_passes = 0
        self.reachability = Reachability(None, None, None)

    # --- life ---

    def start(self) -> ReceiptSender:
        self.journal.receipts.owe_from_now()
        self._thread = threading.Thread(target=self._run, name="fiscal-sender", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Ends the thread, waiting `timeout` s for a call in flight to be answered.

        Not longer: the GUI thread calls this on quit and on a reload. A call still out
        when the journal closes cannot write its answer; its receipt stays pending and
        the next sender sends the same number again, which the register answers with
        the receipt it made (never a second one).
        """
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.client.close()

    def wake(self) -> None:
        """Look for owed receipts now (a sale was paid, a refund done)."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                delay = self.run_pass()
            except Exception:
                # A bug must not end receipts for the kiosk's life: log it, try again later.
                log.exception("the receipt sender's pass failed")
                delay = RETRY_CAP
            self._wake.wait(delay)
            self._wake.clear()

    # --- one pass ---

    def run_pass(self) -> float:
        """Open owed receipts, send the pending ones; seconds until the next pass."""
        with self._pass_lock:
            try:
                self.journal.receipts.open_owed()
                pending = self.journal.receipts.pending()
            except JournalError as exc:
                log.error("receipts cannot be read from the journal: %s", exc)
                return RETRY_CAP
            self._daily_zreport()
            for record in pending:
                if self._stopping.is_set():
                    break
                if not self._send(record):
                    # The register is out of reach: the rest waits for the next pass.
                    self._failed_passes += 1
                    return backoff(self._failed_passes)
            self._failed_passes = 0
            return IDLE

    def _send(self, record: ReceiptRecord) -> bool:
        """One receipt; False when the register could not be reached (try the rest later)."""
        try:
            request = self._request(record)
        except ValueError as exc:
            self._finish(record, None, str(exc))
            return True
        receipts = self.journal.receipts
        receipts.attempt(record.receipt_id)
        try:
            try:
                result = self.client.check(request)
            except errors.RegisterError as exc:
                if not exc.shift_too_long:
                    raise
                log.warning("the register's shift is over 24 hours: closing it (Z-report)")
                self.client.zreport()
                result = self.client.check(request)
        except errors.FiscalError as exc:
            self._note_reach(exc)
            if exc.refused_for_good:
                text = exc.text if isinstance(exc, errors.RegisterError) else str(exc)
                self._finish(record, None, text)
                return True
            log.warning("receipt %s (sale %s) pending: %s", record.receipt_id, record.sale_id, exc)
            receipts.still_pending(record.receipt_id, str(exc))
            return not exc.outcome_unknown
        self._note_reach(None)
        self._finish(record, result.receipt, None)
        return True

    def _finish(self, record: ReceiptRecord, receipt: Receipt | None, refusal: str | None) -> None:
        receipts = self.journal.receipts
        if receipt is not None:
            receipts.done(
                record.receipt_id,
                Answer(
                    check_number=receipt.number,
                    date_time=receipt.date_time,
                    registration_number=receipt.registration_number,
                    ticket_url=receipt.ticket_url,
                    offline=receipt.offline,
                    answer=receipt.answer,
                ),
            )
            log.info(
                "receipt %s (%s of sale %s): fiscal sign %s",
                record.receipt_id,
                record.kind.value,
                record.sale_id,
                receipt.number,
            )
        else:
            log.error(
                "receipt %s (sale %s) refused: %s", record.receipt_id, record.sale_id, refusal
            )
            receipts.failed(record.receipt_id, refusal or "refused")
            self.wake()  # a return waiting on this sale's receipt is decided too
        finished = receipts.get(record.receipt_id)
        if finished is not None and self._on_done is not None:
            try:
                self._on_done(finished)
            except Exception:
                log.exception("the receipt hook failed")

    def _request(self, record: ReceiptRecord) -> ReceiptRequest:
        s = self.settings
        sale = self.journal.get(record.sale_id)
        name = s.position_name
        if sale is not None and sale.product:
            name = f"{name} №{sale.product}"
        basis = None
        if record.kind is ReceiptKind.RETURN:
            original = self.journal.receipts.sale_receipt(record.sale_id)
            if original is None or original.check_number is None:
                raise ValueError(f"sale {record.sale_id} has no sale receipt to return against")
            if not original.registration_number or not original.date_time:
                raise ValueError(f"sale {record.sale_id}'s receipt lacks its РНМ or time")
            basis = ReturnBasis(
                check_number=original.check_number,
                date_time=original.date_time,
                registration_number=original.registration_number,
                total=original.amount,
                is_offline=original.offline,
            )
        return ReceiptRequest(
            external_number=record.external_number,
            operation=Operation.SALE if record.kind is ReceiptKind.SALE else Operation.SALE_RETURN,
            amount=record.amount,
            position_name=name,
            payment_type=s.payment_type,
            vat_percent=s.vat_percent,
            order_number=str(record.sale_id),
            basis=basis,
        )

    def _note_reach(self, error: errors.FiscalError | None) -> None:
        # An Errors answer is the register speaking: it is reachable, whatever it said.
        reached = error is None or isinstance(error, errors.RegisterError)
        text = str(error) if error is not None else None
        self.reachability = Reachability(reached, text, time.monotonic())

    # --- the operator ---

    def retry(self, receipt_id: int) -> None:
        """A failed receipt goes back to pending and out at once (same ExternalCheckNumber)."""
        self.journal.receipts.retry(receipt_id)
        self.wake()

    def zreport(self) -> dict[str, object]:
        """Close the register's shift now (the operator); the report's Data."""
        try:
            report = self.client.zreport()
        except errors.FiscalError as exc:
            self._note_reach(exc)
            raise
        self._note_reach(None)
        return report

    def _daily_zreport(self) -> None:
        at = self.settings.zreport_time
        if not at:
            return
        now = self._now()
        hour, minute = (int(part) for part in at.split(":"))
        due = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        day = now.date().isoformat()
        if now < due or self.journal.receipts.last_zreport_day() == day:
            return
        try:
            self.zreport()
        except errors.FiscalError as exc:
            log.warning("the daily Z-report failed (tried again next pass): %s", exc)
            return
        self.journal.receipts.zreport_done(day)
        log.info("the daily Z-report closed the register's shift")
