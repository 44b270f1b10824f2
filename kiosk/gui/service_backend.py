"""What service mode shows and does, taken from the running kiosk. Never a secret.

Every method may block (journal, bank), so the screen calls them through
`run`, which uses a worker thread of its own.
"""

from __future__ import annotations

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
from kiosk.gui.worker import Worker
from kiosk.journal import Journal, SaleRecord

T = TypeVar("T")


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

    def info(self) -> dict[str, str]:
        shell = self._shell
        config = shell.config
        if config is None:
            return {"Config": f"not loaded: {shell.problem}", "Version": __version__}
        k = config.kaspi
        out = {
            "Version": __version__,
            "Config file": str(shell.config_path),
            "Scheme": k.scheme,
            "Base URL": k.base_url,
            "Device": f"{config.device.device_id} at trade point {config.device.trade_point_id}",
            "Registered": "yes" if k.device_token else "no (kiosk register)",
            "Journal": str(shell.journal.path) if shell.journal else "not open",
            "Problem": shell.problem or "none",
        }
        health = shell.health
        if health is not None:
            reach = {True: "yes", False: "NO", None: "not checked yet"}[health.reachable]
            when = health.last_check.astimezone().strftime("%H:%M:%S") if health.last_check else ""
            out["Bank reachable"] = f"{reach} {when}".strip()
        if k.scheme != "basic":
            out["Certificate"] = _certificate_line(config)
        if shell.host_api is not None:
            out["Host API"] = f"http://127.0.0.1:{shell.host_api.port}/v1/"
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

    def check_connection(self) -> str:
        config = self._shell.config
        if config is None:
            return f"Not connected: {self._shell.problem or 'the kiosk has not started'}"
        from kiosk.kaspi.client import KaspiClient  # not needed before the first screen

        # Its own client: this runs on the service worker, and sessions are not shared.
        started = datetime.now(UTC)
        with KaspiClient(kaspi_settings(config)) as client:
            client.ping()
        ms = (datetime.now(UTC) - started).total_seconds() * 1000
        return f"The bank answers ({ms:.0f} ms, new TLS connection included)"


def _certificate_line(config: Config) -> str:
    from kiosk.config import ConfigError
    from kiosk.kaspi import tls

    try:
        info = tls.load_identity(kaspi_settings(config)).info
    except ConfigError as exc:
        return f"unusable: {exc}"
    return f"{info.subject}, until {info.not_after:%Y-%m-%d} ({info.days_left()} days left)"
