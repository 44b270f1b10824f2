"""The host API's view of the kiosk: reads from the journal, sale commands on the GUI thread.

The host API serves from its own threads. Reads go straight to the journal
(which is thread-safe and is the truth, surviving restarts); commands that
change the screen are handed to the GUI thread through a queued signal and
the server thread waits for the answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from decimal import Decimal
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from kiosk import __version__
from kiosk.hostapi import GatewayBusy, GatewayUnavailable, NotCancellable
from kiosk.journal import Journal, SaleRecord
from kiosk.sale import SaleState

T = TypeVar("T")

# What the host is told for each journal state.
HOST_STATES = {SaleState.CREATING: "pending"}


def host_record(record: SaleRecord) -> dict[str, Any]:
    """A journal record as the host API shows it."""
    return {
        "sale_id": record.sale_id,
        "amount": format(record.amount.quantize(Decimal("0.01")), "f"),
        "external_id": record.external_id,
        "state": HOST_STATES.get(record.state, record.state.value),
        "reason": record.reason.value if record.reason else None,
        "qr_payment_id": record.qr_payment_id,
        "needs_refund": record.needs_attention,
        "refunded_amount": format(record.refunded_amount, "f"),
        "recovered": record.recovered,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    }


class _GuiCall(QObject):
    """Runs functions on the thread this object lives in (the GUI thread)."""

    requested = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.requested.connect(self._run)

    def _run(self, fn: Callable[[], Any], future: Future[Any]) -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(fn())
        except BaseException as exc:  # noqa: BLE001 (handed back to the server thread)
            future.set_exception(exc)

    def call(self, fn: Callable[[], T], timeout: float = 10.0) -> T:
        future: Future[T] = Future()
        self.requested.emit(fn, future)
        try:
            return future.result(timeout)
        except FutureTimeout:
            future.cancel()
            raise GatewayUnavailable("the kiosk did not answer in time") from None


class KioskGateway:
    """SaleGateway for kiosk.hostapi, backed by the running kiosk (see kiosk.gui.kiosk).

    One gateway for the kiosk's whole life, reading the journal the kiosk has now: a
    controller's keep-alive connection is still served by the host API of an earlier
    start-up, and must not read (or answer a new sale from) the journal it closed.
    """

    def __init__(self, shell: Any) -> None:
        self._shell = shell
        self._gui = _GuiCall()
        self._changed = threading.Condition()

    @property
    def _journal(self) -> Journal:
        journal: Journal | None = self._shell.journal
        if journal is None:
            raise GatewayUnavailable("the kiosk is starting")
        return journal

    def notify(self, _sale_id: int = 0) -> None:
        """A sale changed: wake the long-polls (called on the GUI thread)."""
        with self._changed:
            self._changed.notify_all()

    def health(self) -> dict[str, Any]:
        info = self._gui.call(self._shell.health_info)
        return {**info, "version": __version__}

    def state(self) -> dict[str, Any]:
        return self._gui.call(self._shell.state_info)

    def amount_limits(self) -> tuple[Decimal, Decimal]:
        sale = self._shell.config.sale
        return Decimal(str(sale.min_amount)), Decimal(str(sale.max_amount))

    def start_sale(self, amount: Decimal, external_id: str | None) -> dict[str, Any]:
        sale_id = self._gui.call(lambda: self._shell.start_host_sale(amount, external_id))
        record = self.get_sale(sale_id)
        assert record is not None
        return record

    def find_by_external_id(self, external_id: str) -> dict[str, Any] | None:
        record = self._journal.find_by_external_id(external_id)
        return host_record(record) if record else None

    def get_sale(self, sale_id: int) -> dict[str, Any] | None:
        record = self._journal.get(sale_id)
        return host_record(record) if record else None

    def wait_for_change(self, sale_id: int, state: str, timeout: float) -> dict[str, Any] | None:
        def changed() -> bool:
            record = self.get_sale(sale_id)
            return record is None or record["state"] != state

        with self._changed:
            if not self._changed.wait_for(changed, timeout):
                return None
        return self.get_sale(sale_id)

    def cancel_sale(self, sale_id: int) -> dict[str, Any]:
        if self.get_sale(sale_id) is None:
            raise KeyError(sale_id)
        if not self._gui.call(lambda: self._shell.cancel_host_sale(sale_id)):
            raise NotCancellable("the sale can no longer be cancelled (scanned, or ended)")
        record = self.get_sale(sale_id)
        assert record is not None
        return record


__all__ = ["GatewayBusy", "GatewayUnavailable", "KioskGateway", "NotCancellable", "host_record"]
