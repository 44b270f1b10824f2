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
from typing import TYPE_CHECKING, Protocol, TypedDict, TypeVar

from PySide6.QtCore import QObject, Signal

from kiosk import __version__
from kiosk.config import Config
from kiosk.hostapi.contract import HostSale, HostState, KioskHealth, KioskState
from kiosk.journal import Journal
from kiosk.payment.sale import NotCancellable, OutOfService

if TYPE_CHECKING:
    from kiosk.gui.sale.controller import SaleController
    from kiosk.gui.screens.navigator import Page
    from kiosk.gui.shell.health import HealthMonitor

T = TypeVar("T")


class HealthInfo(TypedDict):
    """GET /v1/health's view of the kiosk, read on the GUI thread (kiosk.gui.shell.host_bridge)."""

    ok: bool
    bank_reachable: bool | None
    last_check: str | None
    last_error: str | None
    screen: Page
    journal_ok: bool
    problem: str | None
    attention: int | None
    mdb: str


class StateInfo(TypedDict):
    """GET /v1/state's view: the page on the screen and the running sale, if any."""

    screen: Page
    sale_id: int | None


class HostedKiosk(Protocol):
    """What the host API reads and asks of the running kiosk (kiosk.gui.shell.kiosk.KioskShell)."""

    @property
    def config(self) -> Config | None: ...
    @property
    def journal(self) -> Journal | None: ...
    @property
    def health(self) -> HealthMonitor | None: ...
    @property
    def controller(self) -> SaleController | None: ...

    def health_info(self) -> HealthInfo: ...

    def state_info(self) -> StateInfo: ...

    def start_sale(self, amount: Decimal, external_id: str | None, source: str) -> int: ...


class _GuiCall(QObject):
    """Runs functions on the thread this object lives in (the GUI thread)."""

    requested = Signal(object, object)  # (fn, future): Python objects cross only as `object`

    def __init__(self) -> None:
        super().__init__()
        self.requested.connect(self._run)

    def _run(self, fn: Callable[[], object], future: Future[object]) -> None:
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
            raise OutOfService("the kiosk did not answer in time") from None


class KioskGateway:
    """SaleGateway (kiosk.hostapi.contract), backed by the running kiosk.

    One gateway for the kiosk's whole life, reading the journal the kiosk has now: a
    controller's keep-alive connection is still served by the host API of an earlier
    start-up, and must not read (or answer a new sale from) the journal it closed.
    """

    def __init__(self, shell: HostedKiosk) -> None:
        self._shell = shell
        self._gui = _GuiCall()
        self._changed = threading.Condition()

    @property
    def _journal(self) -> Journal:
        journal = self._shell.journal
        if journal is None:
            raise OutOfService("the kiosk is starting")
        return journal

    def notify(self, _sale_id: int = 0) -> None:
        """A sale changed: wake the long-polls (called on the GUI thread)."""
        with self._changed:
            self._changed.notify_all()

    def wake(self) -> None:
        """The host API is stopping: its long-polls check again and return."""
        self.notify()

    def health(self) -> KioskHealth:
        info = self._gui.call(self._shell.health_info)
        health = self._shell.health
        cert = health.certificate if health is not None else None  # immutable: safe to read
        # Field by field: what the host is shown is the contract's choice, not the shell's.
        return KioskHealth(
            ok=info["ok"],
            bank_reachable=info["bank_reachable"],
            last_check=info["last_check"],
            last_error=info["last_error"],
            screen=info["screen"],
            journal_ok=info["journal_ok"],
            problem=info["problem"],
            attention=info["attention"],
            mdb=info["mdb"],
            version=__version__,
            certificate_days_left=cert.days_left if cert is not None else None,
            certificate_warning=cert.sentence("en") if cert is not None else None,
        )

    def state(self) -> KioskState:
        info = self._gui.call(self._shell.state_info)
        return KioskState(screen=info["screen"], sale_id=info["sale_id"])

    def amount_limits(self) -> tuple[Decimal, Decimal]:
        config = self._shell.config
        if config is None:  # the gateway is made only after a config loaded
            raise OutOfService("the kiosk is starting")
        return config.sale.min_amount, config.sale.max_amount

    def start_sale(self, amount: Decimal, external_id: str | None) -> HostSale:
        sale_id = self._gui.call(lambda: self._shell.start_sale(amount, external_id, "host"))
        sale = self.get_sale(sale_id)
        assert sale is not None
        return sale

    def find_by_external_id(self, external_id: str) -> HostSale | None:
        record = self._journal.find_by_external_id(external_id)
        return HostSale.from_record(record) if record else None

    def get_sale(self, sale_id: int) -> HostSale | None:
        record = self._journal.get(sale_id)
        return HostSale.from_record(record) if record else None

    def wait_for_change(
        self, sale_id: int, state: HostState, timeout: float, stop: Callable[[], bool]
    ) -> HostSale | None:
        def changed() -> bool:
            sale = self.get_sale(sale_id)
            return sale is None or sale.state != state

        with self._changed:
            if not self._changed.wait_for(lambda: stop() or changed(), timeout) or stop():
                return None
        return self.get_sale(sale_id)

    def cancel_sale(self, sale_id: int) -> HostSale:
        if self.get_sale(sale_id) is None:
            raise KeyError(sale_id)
        if not self._gui.call(lambda: self._cancel(sale_id)):
            raise NotCancellable("the sale can no longer be cancelled (scanned, or ended)")
        sale = self.get_sale(sale_id)
        assert sale is not None
        return sale

    def _cancel(self, sale_id: int) -> bool:
        """On the GUI thread: the running sale cancelled, if it is this one and not scanned."""
        controller = self._shell.controller
        return controller is not None and controller.cancel(sale_id)
