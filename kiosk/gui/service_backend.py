"""What service mode shows and does, taken from the running kiosk. Never a secret.

`enter_service_mode` opens it on the operator's gesture.

Every method may block (journal, bank), so the screen calls them through
`run`, which uses a worker thread of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QObject

from kiosk import __version__
from kiosk.access import PinLock
from kiosk.config import Config, kaspi_settings
from kiosk.gui.health import HealthMonitor
from kiosk.gui.screens.service import ServiceScreen
from kiosk.gui.texts import Message
from kiosk.gui.worker import Worker
from kiosk.journal import Journal, SaleRecord
from kiosk.mode import Mode

T = TypeVar("T")
log = logging.getLogger("kiosk.shell")


class RunningKiosk(Protocol):
    """What service mode reads of the running kiosk (kiosk.gui.kiosk.KioskShell)."""

    @property
    def config_path(self) -> Path: ...
    @property
    def config(self) -> Config | None: ...
    @property
    def journal(self) -> Journal | None: ...
    @property
    def health(self) -> HealthMonitor | None: ...
    @property
    def host_api(self) -> Any: ...
    @property
    def problem(self) -> str | None: ...
    @property
    def last_problem(self) -> Message | None: ...


def problem_of(kiosk: RunningKiosk) -> Message | str | None:
    """Why the kiosk does not sell, translatable when its cause is known."""
    known, reason = kiosk.last_problem, kiosk.problem
    return known if known is not None and known.render("en") == reason else reason


def enter_service_mode(shell: Any, on_exit: Callable[[], None]) -> None:
    """The operator's gesture on the running kiosk (kiosk.gui.kiosk.KioskShell): service mode,
    unless no PIN is set or a sale runs; `on_exit` when the operator leaves it."""
    if shell.config is None or not shell.pin_lock.configured:
        log.info("service gesture ignored: kiosk.service_pin is not set")
        return
    if shell.mode.mode in (Mode.SELLING, Mode.SERVICE):
        log.info("service gesture ignored while %s", shell.mode.mode.value)
        return
    screen = service_screen(shell, shell.pin_lock, shell)
    screen.retranslate(shell.view.lang)  # the customer's language choice applies here too
    screen.exit_requested.connect(on_exit)
    screen.quit_requested.connect(shell.quit)
    shell.window.set_service_screen(screen)
    shell.view.stop_result()
    if shell.health is not None:
        shell.health.pause(True)
    shell.mode.enter_service()
    shell.window.move_to("service")


def service_screen(kiosk: RunningKiosk, lock: PinLock, parent: QObject) -> ServiceScreen:
    """A fresh service screen over the running kiosk; the PIN lock is the kiosk's own."""
    return ServiceScreen(ShellServiceBackend(kiosk, parent), lock)


class ShellServiceBackend:
    """ServiceBackend (kiosk.gui.screens.service) over the running kiosk."""

    def __init__(self, shell: RunningKiosk, parent: QObject) -> None:
        self._shell = shell
        self._worker = Worker("kiosk-service", parent)

    def run(
        self, job: Callable[[], T], on_done: Callable[[T | None, BaseException | None], None]
    ) -> None:
        self._worker.submit(job, on_done)

    def info(self) -> dict[str, Message | str]:
        """The Status tab: label ids with values to translate, or plain text (paths, URLs)."""
        shell = self._shell
        config = shell.config
        problem: Message | str = problem_of(shell) or Message("status.no_problem")
        if config is None:
            return {
                "status.config": Message("status.config_not_loaded", {"problem": problem}),
                "status.version": __version__,
            }
        k = config.kaspi
        device = {"device": config.device.device_id, "trade_point": config.device.trade_point_id}
        out: dict[str, Message | str] = {
            "status.version": __version__,
            "status.config_file": str(shell.config_path),
            "status.scheme": k.scheme,
            "status.base_url": k.base_url,
            "status.device": Message("status.device_value", device),
            "status.registered": Message(
                "status.yes" if k.device_token else "status.not_registered"
            ),
            "status.journal": str(shell.journal.path)
            if shell.journal
            else Message("status.journal_closed"),
            "status.problem": problem,
        }
        health = shell.health
        if health is not None:
            when = health.last_check.astimezone().strftime("%H:%M:%S") if health.last_check else ""
            out["status.bank"] = (
                Message("status.bank_unchecked")
                if health.reachable is None
                else Message(
                    "status.bank_yes" if health.reachable else "status.bank_no", {"time": when}
                )
            )
        if k.scheme != "basic":
            out["status.certificate"] = _certificate_line(config)
        if shell.host_api is not None:
            out["status.host_api"] = f"http://127.0.0.1:{shell.host_api.port}/v1/"
        return out

    def recent_sales(self) -> list[SaleRecord]:
        journal = self._shell.journal
        return journal.list(limit=50) if journal else []

    def attention(self) -> list[SaleRecord]:
        journal = self._shell.journal
        return journal.unsettled() if journal else []

    def resolve(self, sale_id: int, note: str) -> None:
        journal = self._shell.journal
        if journal is None:
            raise RuntimeError("the journal is not open")
        journal.settle(sale_id, note)

    def check_connection(self) -> Message:
        config = self._shell.config
        if config is None:
            problem = problem_of(self._shell) or Message("service.not_started")
            return Message("service.check_failed", {"error": problem})
        from kiosk.kaspi.client import KaspiClient  # not needed before the first screen

        # Its own client: this runs on the service worker, and sessions are not shared.
        started = datetime.now(UTC)
        with KaspiClient(kaspi_settings(config)) as client:
            client.ping()
        ms = (datetime.now(UTC) - started).total_seconds() * 1000
        return Message("service.check_ok", {"ms": f"{ms:.0f}"})


def _certificate_line(config: Config) -> Message:
    from kiosk.config import ConfigError
    from kiosk.kaspi import tls

    try:
        info = tls.load_identity(kaspi_settings(config)).info
    except ConfigError as exc:
        return Message("status.certificate_bad", {"error": str(exc)})
    values = {"subject": info.subject, "date": f"{info.not_after:%Y-%m-%d}"}
    return Message("status.certificate_value", {**values, "days": info.days_left()})
