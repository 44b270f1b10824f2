"""Starts the host API for the running kiosk: one gateway for its life, one server per start-up.

The gateway (kiosk.gui.gateway) adapts the kiosk to the host API's SaleGateway;
this module only wires it to a server and says where it listens.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from kiosk.config import Config

if TYPE_CHECKING:
    from kiosk.gui.controller import SaleController
    from kiosk.gui.health import HealthMonitor
    from kiosk.journal import Journal

log = logging.getLogger("kiosk.shell")


def open_gateway(shell: Any, gateway: Any, controller: SaleController) -> Any:
    """The kiosk's one gateway (made on first use), woken by every journal change."""
    if gateway is None:
        from kiosk.gui.gateway import KioskGateway

        gateway = KioskGateway(shell)
    controller.sale_updated.connect(gateway.notify)
    return gateway


def health_info(
    problem: str | None,
    screen: str,
    controller: SaleController | None,
    health: HealthMonitor | None,
    journal: Journal | None,
) -> dict[str, Any]:
    """GET /v1/health's view of the kiosk."""
    h = health
    return {
        "ok": problem is None and controller is not None,
        "bank_reachable": h.reachable if h else None,
        "last_check": h.last_check.isoformat() if h and h.last_check else None,
        "last_error": h.last_error if h else None,
        "screen": screen,
        "journal_ok": controller is not None and not controller.journal_problem,
        "problem": problem,
        "attention": len(journal.unsettled()) if journal else None,
    }


def state_info(screen: str, controller: SaleController | None) -> dict[str, Any]:
    """GET /v1/state's view of the kiosk: the page shown and the running sale, if any."""
    current = controller.current if controller is not None else None
    return {"screen": screen, "sale_id": current.sale_id if current is not None else None}


def start_host_api(config: Config, gateway: Any) -> Any:
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
