"""Follows one payment at the bank: the pure PaymentFlow on a Qt timer, reads on the worker.

Polls never overlap: the single-shot timer is re-armed only when the previous
answer (or failure) has come back, and the flow itself refuses a read that is
not due. The timer is precise because a coarse Qt timer may fire up to 5 %
early, which would only cost an extra wake-up, but precise costs nothing here.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from kiosk.gui.kit.worker import Worker
from kiosk.kaspi.errors import KaspiError
from kiosk.payment.flow import Change, PaymentFlow

log = logging.getLogger("kiosk.tracker")


class PaymentTracker(QObject):
    """Drives one PaymentFlow until it stops watching.

    Signals:
        changed(object): a flow Change (state, QR removal, late events after a cancel).
        status_read(str): every status text the bank answered, for the journal.
        finished(): the flow stopped watching; no more reads will be sent.
    """

    changed = Signal(object)
    status_read = Signal(str)
    finished = Signal()

    def __init__(
        self,
        flow: PaymentFlow,
        read_status: Callable[[], str],
        worker: Worker,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.flow = flow
        self._read_status = read_status
        self._worker = worker
        self._clock = clock
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._pump)

    def start(self) -> None:
        self._pump()

    def stop(self) -> None:
        """Stop reading (the kiosk is closing); an answer in flight is dropped."""
        self._stopped = True
        self._timer.stop()

    def cancel(self) -> bool:
        """The customer cancels before the scan; the flow keeps watching in the background."""
        ok = self.flow.cancel(self._clock())
        self._pump()
        return ok

    def _pump(self) -> None:
        if self._stopped:
            return
        now = self._clock()
        self._emit(self.flow.on_tick(now))
        if self.flow.poll_due(now):
            self.flow.poll_sent(now)
            self._worker.submit(self._read_status, self._on_answer)
        self._arm()

    def _arm(self) -> None:
        if self._stopped:
            return
        wait = self.flow.next_wakeup(self._clock())
        if wait is None:
            self._timer.stop()
            if not self.flow.watching:
                self._stopped = True
                self.finished.emit()
            return
        self._timer.start(max(0, math.ceil(wait * 1000)))

    def _on_answer(self, status: str | None, error: BaseException | None) -> None:
        if self._stopped:
            return
        now = self._clock()
        if error is None and isinstance(status, str):
            self.status_read.emit(status)
            self._emit(self.flow.on_status(status, now))
        else:
            if not isinstance(error, KaspiError):
                # A bug, not the bank: log it loudly, but the sale must not be lost over it.
                log.error("payment %s: status read crashed", self.flow.payment_id, exc_info=error)
            else:
                log.warning("payment %s: status read failed: %s", self.flow.payment_id, error)
            failure = error if isinstance(error, Exception) else RuntimeError("no status")
            self._emit(self.flow.on_transport_error(failure, now))
        self._pump()

    def _emit(self, changes: list[Change]) -> None:
        for change in changes:
            self.changed.emit(change)
