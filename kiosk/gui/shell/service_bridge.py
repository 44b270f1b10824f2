"""Service mode over the running kiosk: its worker, the operator's desk, the bank's health.

`enter_service_mode` opens it on the operator's gesture.

Every desk method may block (journal, bank), so the screen runs them on this
backend's worker thread, one at a time; the desk's bank client lives on that
thread only. The desk follows the kiosk: after a reload or a new start-up it is
made again over the new config and journal. Nothing here shows a secret.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from PySide6.QtCore import QObject

from kiosk.config import Config
from kiosk.gui.kit.worker import Worker
from kiosk.gui.screens.navigator import Page
from kiosk.gui.service.screen import DEFAULT_IDLE_SECONDS, ServiceScreen
from kiosk.gui.shell.health import HealthMonitor
from kiosk.journal import Journal, SaleRecord
from kiosk.operator.access import PinLock
from kiosk.operator.desk import OperatorDesk
from kiosk.operator.reload import Reloaded
from kiosk.operator.status import BankReach
from kiosk.payment.mode import KioskMode, Mode

if TYPE_CHECKING:
    from kiosk.gui.sale.view import SaleView
    from kiosk.gui.screens.window import KioskWindow

T = TypeVar("T")
log = logging.getLogger("kiosk.service")


class RunningKiosk(Protocol):
    """What service mode reads of the running kiosk (kiosk.gui.shell.kiosk.KioskShell)."""

    @property
    def config_path(self) -> Path: ...
    @property
    def config(self) -> Config | None: ...
    @property
    def journal(self) -> Journal | None: ...
    @property
    def health(self) -> HealthMonitor | None: ...
    @property
    def problem(self) -> str | None: ...

    def boot(self, *, reload: bool = False) -> None: ...


class ServicedKiosk(RunningKiosk, Protocol):
    """What opening service mode needs besides: the PIN lock, the mode, the screens."""

    @property
    def pin_lock(self) -> PinLock: ...
    @property
    def mode(self) -> KioskMode: ...
    @property
    def view(self) -> SaleView: ...
    @property
    def window(self) -> KioskWindow: ...

    def quit(self) -> None: ...


def enter_service_mode(
    shell: ServicedKiosk, on_exit: Callable[[], None], *, parent: QObject
) -> None:
    """The operator's gesture on the running kiosk (kiosk.gui.shell.kiosk.KioskShell): service mode,
    unless no PIN is set or a sale runs; `on_exit` when the operator leaves it. The service
    screen's worker lives as long as `parent` (the kiosk)."""
    if shell.config is None or not shell.pin_lock.configured:
        log.info("service gesture ignored: kiosk.service_pin is not set")
        return
    if shell.mode.mode in (Mode.SELLING, Mode.SERVICE):
        log.info("service gesture ignored while %s", shell.mode.mode.value)
        return
    # In the customer's language: the choice on the amount screen applies here too.
    screen = service_screen(shell, shell.pin_lock, parent, shell.view.lang)
    screen.exit_requested.connect(on_exit)
    screen.quit_requested.connect(shell.quit)
    shell.window.set_service_screen(screen)
    shell.view.stop_result()
    if shell.health is not None:
        shell.health.pause(True)
    shell.mode.enter_service()
    shell.window.move_to(Page.SERVICE)


def service_screen(
    kiosk: RunningKiosk, lock: PinLock, parent: QObject, lang: str = "ru"
) -> ServiceScreen:
    """A fresh service screen over the running kiosk, in the customer's language.

    The PIN lock is the kiosk's own; the backend's worker ends with the screen.
    """
    backend = ShellServiceBackend(kiosk, parent)
    screen = ServiceScreen(backend, lock)
    screen.retranslate(lang)
    screen.destroyed.connect(backend.close)
    return screen


class ShellServiceBackend:
    """ServiceBackend (kiosk.gui.service.screen) over the running kiosk."""

    def __init__(self, shell: RunningKiosk, parent: QObject) -> None:
        self._shell = shell
        self._worker = Worker("kiosk-service", parent)
        self._desk: OperatorDesk | None = None

    @property
    def idle_seconds(self) -> float:
        config = self._shell.config
        return config.kiosk.service_idle_seconds if config is not None else DEFAULT_IDLE_SECONDS

    def run(
        self, job: Callable[[], T], on_done: Callable[[T | None, BaseException | None], None]
    ) -> None:
        self._worker.submit(job, on_done)

    def recent_sales(self) -> list[SaleRecord]:
        journal = self._shell.journal
        return journal.list(limit=50) if journal else []

    def desk(self) -> OperatorDesk | None:
        """The desk over the kiosk's current config and journal (None before a config)."""
        config, journal = self._shell.config, self._shell.journal
        if config is None or config.path is None:
            return None
        desk = self._desk
        if desk is None or desk.config is not config or desk.journal is not journal:
            if desk is not None:
                old = desk
                self._worker.submit(old.close, lambda *_: None)  # on the thread that used it
            desk = self._desk = OperatorDesk(config, journal)
        return desk

    def bank_reach(self) -> BankReach:
        health = self._shell.health
        if health is None:
            return BankReach(None)
        return BankReach(health.reachable, health.last_check, health.latency_ms, health.last_error)

    def apply(self, reloaded: Reloaded) -> None:
        """Run the kiosk on the checked config: its parts start again, nothing restarts."""
        log.info(
            "config reloaded from service mode; changed: %s", ", ".join(reloaded.changed) or "none"
        )
        self._shell.boot(reload=True)  # the start-up chain again, on the checked file

    def close(self) -> None:
        desk, self._desk = self._desk, None
        if desk is not None:
            self._worker.submit(desk.close, lambda *_: None)
        self._worker.close(wait=False)
