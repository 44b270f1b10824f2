"""Starts the host API for the running kiosk: one gateway for its life, one server per start-up.

The gateway (kiosk.gui.shell.gateway) adapts the kiosk to the host API's SaleGateway;
this module only wires it to a server and says where it listens. The server is
asked for before the journal is opened (it starts on the start-up worker after the
window's first paint), so a journal the kiosk refuses (missing, replaced, damaged) is
reported on /v1/health instead of a closed port.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from kiosk.config import Config

if TYPE_CHECKING:
    # Types only: the gateway (and the host API's contract) is imported when the host API
    # is first enabled, not on the way to the first screen.
    from kiosk.gui.sale.controller import SaleController
    from kiosk.gui.screens.window import KioskWindow
    from kiosk.gui.shell.gateway import HealthInfo, HostedKiosk, KioskGateway, StateInfo
    from kiosk.gui.shell.health import HealthMonitor
    from kiosk.gui.shell.mdb_bridge import MdbBridge
    from kiosk.gui.shell.startup import BankCatchUp, HostApiHolder
    from kiosk.hostapi.app import HostApiServer
    from kiosk.journal import Journal

    class ServedKiosk(HostedKiosk, HostApiHolder, Protocol):
        """The running kiosk as the host API needs it: what its gateway reads and asks,
        and where the start-up worker hands the started server over."""


log = logging.getLogger("kiosk.shell")


class HealthSource(Protocol):
    """What GET /v1/health and /v1/state read of the running kiosk (kiosk.gui.shell.kiosk)."""

    @property
    def problem(self) -> str | None: ...
    @property
    def window(self) -> KioskWindow: ...
    @property
    def controller(self) -> SaleController | None: ...
    @property
    def health(self) -> HealthMonitor | None: ...
    @property
    def journal(self) -> Journal | None: ...
    @property
    def mdb(self) -> MdbBridge | None: ...


def start(
    shell: ServedKiosk, config: Config, gateway: KioskGateway | None, worker: BankCatchUp
) -> KioskGateway | None:
    """The kiosk's one gateway, made on first use (on the GUI thread, where it answers);
    its server starts on the start-up worker, which sets `shell.host_api` (None: disabled
    or its port taken). Called before the journal opens: it answers while the journal is
    refused, and while the kiosk starts (ok false, "starting")."""
    if not config.host_api.enabled:
        return gateway
    if gateway is None:
        from kiosk.gui.shell.gateway import KioskGateway

        gateway = KioskGateway(shell)
    worker.start_host_api(shell, lambda: start_host_api(config, gateway))
    return gateway


def follow(controller: SaleController, gateway: KioskGateway | None) -> None:
    """Every journal change the controller makes wakes the host's long-polls."""
    if gateway is not None:
        controller.sale_updated.connect(gateway.notify)


def health_info(kiosk: HealthSource) -> HealthInfo:
    """GET /v1/health's view of the kiosk."""
    h, controller, journal = kiosk.health, kiosk.controller, kiosk.journal
    problem = kiosk.problem
    return {
        "ok": problem is None and controller is not None,
        "bank_reachable": h.reachable if h else None,
        "last_check": h.last_check.isoformat() if h and h.last_check else None,
        "last_error": h.last_error if h else None,
        "screen": kiosk.window.screen_name,
        "journal_ok": controller is not None and not controller.journal_problem,
        "problem": problem,
        "attention": len(journal.unsettled()) if journal else None,
        "mdb": kiosk.mdb.status if kiosk.mdb is not None else "disabled",
    }


def state_info(kiosk: HealthSource) -> StateInfo:
    """GET /v1/state's view: the page on the screen and the running sale, if any."""
    c = kiosk.controller
    current = c.current.sale_id if c is not None and c.current is not None else None
    return {"screen": kiosk.window.screen_name, "sale_id": current}


def start_host_api(config: Config, gateway: KioskGateway) -> HostApiServer | None:
    """The started server, or None when disabled or its port is taken (logged)."""
    if not config.host_api.enabled:
        return None
    from kiosk.hostapi.app import HostApiServer

    server = HostApiServer(gateway, token=config.host_api.token, port=config.host_api.port)
    try:
        server.start()
    except OSError as exc:
        log.error("host API not started on 127.0.0.1:%s: %s", config.host_api.port, exc)
        return None
    log.info("host API on http://127.0.0.1:%s/v1/", server.port)
    return server
