"""The embedded Kaspi QR test bank: three HTTPS ports that behave like the bank's test host.

Integrators run the kiosk against it before they have a bank contract, and the
tests run against it with no network. `Sandbox(data_dir).start()` makes (once)
a PKI in `data_dir/pki`, serves scheme basic (r1, Api-Key), standard (r2,
mutual TLS) and enhanced (r3, mutual TLS + BIN) on their own ports, and writes a
ready kiosk config per scheme: `data_dir/kiosk-<scheme>.toml`. Devices and their
tokens persist in `data_dir/state.json`; payments live in memory.

Each scheme listens on its own port, like the bank's test host (8543/8544/8545),
and the TLS handshake runs in the connection's own thread, so a stalled client
never blocks the accept loop. stop() wakes and joins every connection thread,
so the ports are free when it returns.

The customer's side is driven in-process (`scan`, `confirm`, ...) or over HTTP
with the bank's own /test/payment/* endpoints; routes.py lists the sandbox-only
control endpoints, state.py the StatusCodes.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import ssl
import threading
import time
import tomllib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.kaspi.settings import SCHEMES
from kiosk.platform.private import private_dir
from kiosk.sandbox import state
from kiosk.sandbox.listener import PortInUseError, SandboxError, SchemeServer, server_context
from kiosk.sandbox.pki import Pki, ensure_pki
from kiosk.sandbox.routes import Handler
from kiosk.sandbox.service import RequestRecord, Service
from kiosk.sandbox.state import DEFAULT_PORTS, Bank, Behaviour

log = logging.getLogger("kiosk.sandbox")

DEVICE_ID = "KIOSK-001"
TRADE_POINT_ID = 1
_ID_BLOCK = 1_000_000  # ids reserved per run, so a restarted sandbox never reuses a payment id
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_WILDCARD = ("0.0.0.0", "::", "")


class Sandbox:
    """The three scheme servers, the bank behind them, and the files a kiosk needs."""

    def __init__(
        self,
        data_dir: Path,
        *,
        host: str = "127.0.0.1",
        ports: dict[str, int] | None = None,
        behaviour: Behaviour | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self._wanted = {**DEFAULT_PORTS, **(ports or {})}
        self.ports: dict[str, int] = {}
        self._bank = Bank(behaviour or Behaviour())
        self._service = Service(self._bank, api_key="", clock=clock, on_devices_changed=self._save)
        self._servers: list[SchemeServer] = []
        self._threads: list[threading.Thread] = []
        self._id_reserved = state.FIRST_ID
        self._pki: Pki | None = None

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        if self._servers:
            raise SandboxError("the sandbox is already running")
        private_dir(self.data_dir)
        self._load()
        extra = () if self.host in _WILDCARD else (self.host,)
        self._pki = ensure_pki(self.data_dir / "pki", extra)
        self._service.stopping.clear()
        try:
            for scheme in SCHEMES:
                self._listen(scheme)
        except BaseException:
            self.stop()
            raise
        self._write_configs()
        log.info("sandbox serving %s", ", ".join(self.base_url(s) for s in SCHEMES))

    def _listen(self, scheme: str) -> None:
        context = server_context(scheme, self.pki)
        bind_host = "127.0.0.1" if self.host == "localhost" else self.host
        port = self._wanted[scheme]
        server = self._bind(scheme, bind_host, port, context)
        self.ports[scheme] = int(server.server_address[1])
        if bind_host == "127.0.0.1" and socket.has_ipv6:
            # base_url says "localhost", which Windows resolves to ::1 first; without a
            # listener there each new connection would wait about 2 s for the refusal.
            try:
                self._start(
                    SchemeServer(
                        ("::1", self.ports[scheme]),
                        scheme,
                        self._service,
                        context,
                        socket.AF_INET6,
                        Handler,
                    )
                )
            except OSError as exc:
                log.debug("no IPv6 loopback listener for %s: %s", scheme, exc)
        self._start(server)

    def _bind(self, scheme: str, host: str, port: int, context: ssl.SSLContext) -> SchemeServer:
        try:
            family = (
                socket.AF_INET6
                if ipaddress.ip_address(host or "0.0.0.0").version == 6
                else socket.AF_INET
            )
        except ValueError:
            family = socket.AF_INET
        try:
            return SchemeServer((host, port), scheme, self._service, context, family, Handler)
        except OSError as exc:
            raise PortInUseError(scheme, host, port, exc.strerror or str(exc)) from None

    def _start(self, server: SchemeServer) -> None:
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox-{server.scheme}",
            daemon=True,
        )
        self._servers.append(server)
        self._threads.append(thread)
        thread.start()

    def stop(self) -> None:
        """Close every socket and join every thread; the ports are free when this returns."""
        self._service.stopping.set()
        # In parallel: each shutdown() waits up to one poll interval for its loop.
        stoppers = [threading.Thread(target=server.shutdown) for server in self._servers]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        for server in self._servers:
            server.close_connections()
            server.server_close()  # joins the connection threads
        for thread in self._threads:
            thread.join()
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what clients need ------------------------------------------------------------------

    @property
    def pki(self) -> Pki:
        """The certificate files and the client key's password (made by start())."""
        if self._pki is None:
            raise SandboxError("the sandbox has not been started")
        return self._pki

    @property
    def api_key(self) -> str:
        return self._service.api_key

    def base_url(self, scheme: str) -> str:
        host = "localhost" if self.host in (*_LOOPBACK, *_WILDCARD) else self.host
        if ":" in host:
            host = f"[{host}]"
        prefix = {"basic": "r1", "standard": "r2", "enhanced": "r3"}[scheme]
        return f"https://{host}:{self.ports[scheme]}/{prefix}/v01"

    def config_path(self, scheme: str) -> Path:
        if scheme not in SCHEMES:
            raise ValueError(f"unknown scheme {scheme!r}")
        return self.data_dir / f"kiosk-{scheme}.toml"

    @property
    def requests(self) -> list[RequestRecord]:
        return self._service.requests

    def connection_count(self, scheme: str) -> int:
        return self._service.connections[scheme]

    def failed_handshakes(self, scheme: str) -> int:
        return self._service.failed_handshakes[scheme]

    # --- run-time control -------------------------------------------------------------------

    @property
    def behaviour(self) -> Behaviour:
        return self._bank.behaviour

    @behaviour.setter
    def behaviour(self, value: Behaviour) -> None:
        with self._service.lock:
            self._bank.behaviour = value

    def set_behaviour(self, **changes: Any) -> None:
        self._service.set_behaviour(**changes)

    def inject_fault(
        self, mode: str, *, count: int = 1, path_contains: str = "", delay: float = 3.0
    ) -> None:
        self._service.add_fault(mode, count=count, path_contains=path_contains, delay=delay)

    def clear_faults(self) -> None:
        self._service.clear_faults()

    def advance(self, seconds: float) -> None:
        """Move the bank's clock forward: deadlines pass without waiting."""
        with self._service.lock:
            self._service.offset += seconds

    def set_trade_point(
        self, trade_point_id: int, *, enabled: bool | None = None, accepts_qr: bool | None = None
    ) -> None:
        with self._service.lock:
            point = self._bank.trade_point(state.SANDBOX_BIN, trade_point_id)
            if enabled is not None:
                point.enabled = enabled
            if accepts_qr is not None:
                point.accepts_qr = accepts_qr

    # --- the customer's side, in-process ----------------------------------------------------

    def scan(self, payment_id: int) -> None:
        self._customer(Bank.scan, payment_id)

    def confirm(self, payment_id: int, customer: str = state.TEST_CUSTOMER) -> None:
        with self._service.lock:
            self._bank.confirm(payment_id, self._service.now(), customer)

    def scan_error(self, payment_id: int) -> None:
        self._customer(Bank.scan_error, payment_id)

    def confirm_error(self, payment_id: int) -> None:
        self._customer(Bank.confirm_error, payment_id)

    def scan_return(self, return_id: int, customer: str = state.TEST_CUSTOMER) -> None:
        with self._service.lock:
            self._bank.scan_return(return_id, self._service.now(), customer)

    def _customer(self, action: Callable[[Bank, Any, float], Any], payment_id: int) -> None:
        with self._service.lock:
            action(self._bank, payment_id, self._service.now())

    def forget(self, payment_id: int) -> None:
        """The bank loses a payment (a bank-side reset): its status reads answer -1601."""
        with self._service.lock:
            self._bank.payments.pop(payment_id, None)

    def payment(self, payment_id: int) -> dict[str, Any]:
        """A snapshot; BankError(-1601) for an unknown id."""
        with self._service.lock:
            return self._bank.payment(payment_id, self._service.now()).snapshot()

    def register_device(
        self,
        device_id: str = DEVICE_ID,
        trade_point_id: int = TRADE_POINT_ID,
        organization_bin: str = state.SANDBOX_BIN,
    ) -> str:
        """Register a device as `device/register` would; its token."""
        with self._service.lock:
            device = self._bank.register_device(organization_bin, device_id, trade_point_id)
            self._save()
            return device.token

    # --- files ------------------------------------------------------------------------------

    @property
    def state_path(self) -> Path:
        return self.data_dir / "state.json"

    def _load(self) -> None:
        data: dict[str, Any] = {}
        if self.state_path.exists():
            try:
                data = json.loads(self.state_path.read_text(encoding="utf-8"))
                if not isinstance(data, dict):
                    raise ValueError("not an object")
                Bank().load_devices(list(data.get("devices") or []))  # readable at all?
            except (OSError, ValueError, KeyError, TypeError) as exc:
                bad = self.state_path.with_suffix(".json.bad")
                log.warning("%s is unreadable (%s); moved to %s", self.state_path, exc, bad.name)
                self.state_path.replace(bad)
                data = {}
        with self._service.lock:
            self._service.api_key = str(data.get("api_key") or f"test_{uuid.uuid4()}")
            first = max(int(data.get("next_id") or state.FIRST_ID), self._bank.next_id)
            self._bank.next_id = first
            self._id_reserved = first + _ID_BLOCK
            self._bank.load_devices(list(data.get("devices") or []))
            self._save()

    def _save(self) -> None:
        """Called with the service lock held (also by the HTTP layer after device changes)."""
        from kiosk.config import atomic_write_text

        private_dir(self.data_dir)
        doc = {
            "format": 1,
            "api_key": self._service.api_key,
            "next_id": max(self._id_reserved, self._bank.next_id),
            "devices": self._bank.devices_to_json(),
        }
        atomic_write_text(self.state_path, json.dumps(doc, ensure_ascii=False, indent=2) + "\n")

    def _write_configs(self) -> None:
        from kiosk.config import atomic_write_text

        for scheme in SCHEMES:
            path = self.config_path(scheme)
            atomic_write_text(path, self._config_text(scheme, self._kept_token(path)))

    def _kept_token(self, path: Path) -> str:
        try:
            old = tomllib.loads(path.read_text(encoding="utf-8-sig"))["kaspi"]["device_token"]
        except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError):
            return ""
        with self._service.lock:
            device = self._bank.devices.get(old) if isinstance(old, str) else None
            return old if device is not None and device.active else ""

    def _config_text(self, scheme: str, device_token: str) -> str:
        def q(value: str) -> str:
            return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string

        cert = scheme != "basic"
        lines = [
            f"# Written by `kiosk sandbox`: a ready config for scheme {scheme} against the"
            " embedded sandbox.",
            "# Rewritten at every sandbox start (ports can change); device_token is kept while",
            "# the sandbox knows it. Relative paths resolve against this file's folder.",
            "[kaspi]",
            f"scheme = {q(scheme)}",
            f"base_url = {q(self.base_url(scheme))}",
            f"status_api_version = {q('' if self.behaviour.api_version == 'v01' else 'v02')}",
            f"api_key = {q('' if cert else self.api_key)}",
            f"cert_file = {q('pki/client.pfx' if cert else '')}",
            'key_file = ""',
            f"key_password = {q(self.pki.password if cert else '')}",
            'ca_file = "pki/ca-bundle.pem"',
            f"organization_bin = {q(state.SANDBOX_BIN if scheme == 'enhanced' else '')}",
            f"device_token = {q(device_token)}",
            "",
            "[device]",
            f"device_id = {q(DEVICE_ID)}",
            f"trade_point_id = {TRADE_POINT_ID}",
            "",
            "[storage]",
            f"data_dir = {q('kiosk-data-' + scheme)}",
            "",
        ]
        return "\n".join(lines)
