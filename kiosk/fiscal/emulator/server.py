"""The emulated Webkassa register over HTTP on loopback, with faults to inject.

    POST /api/v4/Authorize | Check | ZReport | Ticket/PrintFormat | Cashboxes
         the register's calls (register.py), `x-api-key` required on each
    GET    /emulator/receipts   every receipt made: external number, operation, total, Data
    POST   /emulator/faults     {"mode", "count", "path_contains", "delay"}
    DELETE /emulator/faults     clear every fault
    POST   /emulator/tokens/expire          every token becomes unknown (code 2)
    POST   /emulator/shift/age  {"hours": 25}  the open shift is that old (code 11)
    POST   /emulator/offline    {"hours": 0}   receipts made offline; {"online": true} ends it

Fault modes, on /api/ paths only: `http500` (answered 500 before anything is
done), `drop` (the request is carried out, then the connection is closed with
no answer: the lost answer), `slow` (answered after `delay` s), `nonjson`
(HTTP 200 with an HTML page, nothing done). `count` 0 lasts until cleared.
Answers to the API are HTTP 200 with the envelope, errors included, as the
register's own local server does. A missing or wrong `x-api-key` answers 401
with no envelope (what the cloud answers is uncertain).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kiosk.fiscal.emulator.register import Json, Refused, RegisterState, lower_keys
from kiosk.sandbox.faults import Fault, FaultQueue

log = logging.getLogger("kiosk.fiscal.emulator")

FAULT_MODES = ("http500", "drop", "slow", "nonjson")
MAX_BODY = 1 << 20
DEFAULT_PORT = 8590


@dataclass(frozen=True)
class Seen:
    """One API request as the register saw it; status 0: dropped unanswered."""

    path: str
    body: object
    status: int
    codes: tuple[int, ...]


def _number(value: str) -> Decimal:
    return Decimal(value)


class WebkassaEmulator:
    """A register on 127.0.0.1 (port 0: any free one); `state` is its memory."""

    def __init__(
        self,
        *,
        api_key: str = "WKD-EMULATOR-0000",
        login: str = "kiosk@example.kz",
        password: str = "emulator-password",
        cashbox: str = "SWK00000001",
        port: int = 0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.state = RegisterState(api_key=api_key, login=login, password=password, cashbox=cashbox)
        if clock is not None:
            self.state.clock = clock
        self.port = port
        self.faults = FaultQueue()  # the bank sandbox's own kind of fault queue
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- life ---

    def start(self) -> WebkassaEmulator:
        emulator = self

        class Handler(_Handler):
            owner = emulator

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self._server = server
        self.port = int(server.server_address[1])
        self._thread = threading.Thread(
            target=server.serve_forever, name="webkassa-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> WebkassaEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config_values(self) -> dict[str, str | int | float]:
        """The `[fiscal]` keys a kiosk needs to send its receipts here."""
        s = self.state
        return {
            "provider": "webkassa",
            "base_url": self.base_url,
            "api_key": s.api_key,
            "login": s.login,
            "password": s.password,
            "cashbox": s.cashbox,
            "vat_percent": 12,
            "timeout": 5.0,
        }

    # --- faults and what was seen ---

    def inject(
        self, mode: str, *, count: int = 1, path_contains: str = "", delay: float = 3.0
    ) -> None:
        if mode not in FAULT_MODES:
            raise ValueError(f"fault mode must be one of {', '.join(FAULT_MODES)}")
        self.faults.add(Fault(mode, count or None, path_contains, delay))

    def clear_faults(self) -> None:
        self.faults.clear()

    def take_fault(self, path: str) -> Fault | None:
        return self.faults.take(path)

    def note(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def checks_of(self, external_number: str) -> list[Seen]:
        """Every Check request that carried this ExternalCheckNumber."""
        with self._lock:
            return [
                s
                for s in self.seen
                if s.path.lower() == "/api/v4/check"
                and isinstance(s.body, dict)
                and s.body.get("externalchecknumber") == external_number
            ]

    # --- the API ---

    def answer(self, path: str, body: Json) -> Json:
        """The envelope for one API call (Data, Errors, or both for a duplicate)."""
        state = self.state
        routes: dict[str, Callable[[Json], Json]] = {
            "/api/v4/authorize": state.authorize,
            "/api/v4/check": state.check,
            "/api/v4/zreport": state.zreport,
            "/api/v4/ticket/printformat": state.print_format,
            "/api/v4/cashboxes": state.cashboxes,
        }
        route = routes.get(path.lower())
        if route is None:
            return {"Errors": [{"Code": -1, "Text": f"Метод {path} не найден"}]}
        try:
            return {"Data": route(body)}
        except Refused as exc:
            envelope: Json = {"Errors": [{"Code": exc.code, "Text": exc.text}]}
            if exc.data is not None:
                envelope["Data"] = exc.data
            return envelope

    def control(self, method: str, path: str, body: object) -> tuple[int, object]:
        state = self.state
        values = body if isinstance(body, dict) else {}
        if method == "GET" and path == "/emulator/receipts":
            with state.lock:
                made = [
                    {
                        "external_number": r.external_number,
                        "operation": r.operation,
                        "total": str(r.total),
                        "data": r.data,
                    }
                    for r in state.receipts
                ]
            return 200, made
        if method == "POST" and path == "/emulator/faults":
            try:
                self.inject(
                    str(values.get("mode")),
                    count=int(values.get("count", 1)),
                    path_contains=str(values.get("path_contains", "")),
                    delay=float(values.get("delay", 3.0)),
                )
            except (TypeError, ValueError) as exc:
                return 400, {"error": str(exc)}
            return 200, {"ok": True}
        if method == "DELETE" and path == "/emulator/faults":
            self.clear_faults()
            return 200, {"ok": True}
        if method == "POST" and path == "/emulator/tokens/expire":
            state.expire_tokens()
            return 200, {"ok": True}
        if method == "POST" and path == "/emulator/shift/age":
            state.age_shift(float(values.get("hours", 25)))
            return 200, {"ok": True}
        if method == "POST" and path == "/emulator/offline":
            if values.get("online"):
                state.go_online()
            else:
                state.go_offline(float(values.get("hours", 0)))
            return 200, {"ok": True}
        return 404, {"error": "not found"}


def start_embedded(port: int = DEFAULT_PORT) -> WebkassaEmulator:
    """The register for `kiosk sandbox` and the demo: on `port`, or any free one if taken."""
    try:
        return WebkassaEmulator(port=port).start()
    except OSError:
        return WebkassaEmulator(port=0).start()


class _Handler(BaseHTTPRequestHandler):
    owner: WebkassaEmulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def _body(self) -> object:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("too large")
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        return json.loads(raw.decode("utf-8-sig"), parse_float=_number)

    def _send(self, status: int, payload: object, content_type: str = "application/json") -> None:
        if isinstance(payload, bytes):
            data = payload
        else:
            data = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        status, payload = self.owner.control("GET", self.path, None)
        self._send(status, payload)

    def do_DELETE(self) -> None:
        status, payload = self.owner.control("DELETE", self.path, None)
        self._send(status, payload)

    def do_POST(self) -> None:
        try:
            body = self._body()
        except ValueError:
            self._send(400, {"Errors": [{"Code": 9, "Text": "Тело запроса не JSON"}]})
            return
        if self.path.startswith("/emulator/"):
            status, payload = self.owner.control("POST", self.path, body)
            self._send(status, payload)
            return
        self._api(body)

    def _api(self, body: object) -> None:
        owner, path = self.owner, self.path
        if self.headers.get("x-api-key") != owner.state.api_key:
            owner.note(Seen(path, body, 401, ()))
            self._send(401, b"API-key missing or not found", "text/plain")
            return
        fault = owner.take_fault(path)
        if fault is not None and fault.mode == "http500":
            owner.note(Seen(path, lower_keys(body), 500, ()))
            self._send(500, b"<html><body>500 Internal Server Error</body></html>", "text/html")
            return
        if fault is not None and fault.mode == "nonjson":
            owner.note(Seen(path, lower_keys(body), 200, ()))
            self._send(200, b"<html><body>Service is under maintenance</body></html>", "text/html")
            return
        lowered = lower_keys(body)
        envelope = owner.answer(path, lowered if isinstance(lowered, dict) else {})
        errors = envelope.get("Errors")
        codes = tuple(int(str(e.get("Code"))) for e in (errors if isinstance(errors, list) else []))
        if fault is not None and fault.mode == "drop":
            # Carried out, but the answer never reaches the kiosk.
            owner.note(Seen(path, lowered, 0, codes))
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if fault is not None and fault.mode == "slow":
            time.sleep(fault.delay)
        owner.note(Seen(path, lowered, 200, codes))
        self._send(200, envelope)
