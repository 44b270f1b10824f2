"""Local HTTP API for a vending-machine controller: charge an amount, learn for sure it was paid.

Plain HTTP/1.1 + JSON on 127.0.0.1 only, standard library only, no Qt. The
server never touches the kiosk directly: it calls a `SaleGateway`, which the
GUI side implements (thread-safe, blocking until the GUI thread answers).

Every call needs `Authorization: Bearer <host_api.token>`.

    GET  /v1/health                 kiosk and bank health
    GET  /v1/state                  {"screen", "sale_id"}
    POST /v1/sales                  {"amount": 350, "external_id": "order-17"} -> 201 + Location
    GET  /v1/sales/{id}[?wait=S[&state=X]]
                                    the sale; with wait (0 < S <= 60) a long-poll that answers
                                    as soon as the state differs from X (default: the state at
                                    request time), or after S with the same state
    POST /v1/sales/{id}/cancel      cancel before the scan; 409 not_cancellable after it

Idempotency: a controller that retries `POST /v1/sales` after a timeout must send
the same `external_id`; when a sale with that external_id already exists the
answer is 200 with that sale and nothing new is charged. The same external_id
with a different amount is refused (409 external_id_conflict), because answering
with the old sale would let the controller believe the new amount was charged.
Use a fresh external_id for every purchase: an old id returns the old sale, even
a failed one. Without an external_id a retry starts a second sale.

Errors are `{"error": "<code>", "message": "<text>"}`; the controller acts on
the code, a person reads the message.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import json
import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, cast
from urllib.parse import parse_qs, urlsplit

from kiosk import __version__

log = logging.getLogger("kiosk.hostapi")

MAX_BODY = 16 * 1024
#: An unused body up to this size is read and dropped before answering (see _discard_body);
#: a bigger one closes the connection instead.
MAX_DISCARD = 1024 * 1024
MAX_WAIT = 60.0
MAX_EXTERNAL_ID = 64
#: A slow or silent client must not hold a server thread for ever; long-polls wait in the
#: gateway, not on the socket, so they are not cut by this.
SOCKET_TIMEOUT = 30.0

_TIYN = Decimal("0.01")
_NUMERIC_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_SALE_ID = re.compile(r"[1-9][0-9]{0,17}")  # fits in a signed 64-bit integer


class GatewayBusy(Exception):
    """Another sale is running, or the kiosk is in service mode: no new sale now."""

    def __init__(self, message: str, sale_id: int | None = None) -> None:
        super().__init__(message)
        self.sale_id = sale_id


class GatewayUnavailable(Exception):
    """The kiosk is out of service (no bank, broken journal, stopping)."""


class NotCancellable(Exception):
    """The sale can no longer be cancelled: it was scanned, or it has ended."""


class SaleGateway(Protocol):
    """The kiosk as the host API sees it; called from the server's threads.

    Sale records are JSON-safe dicts: sale_id, amount (decimal string), external_id,
    state (pending | qr | awaiting | processed | failed | cancelled | unknown), reason,
    qr_payment_id, needs_refund, recovered, created_at, updated_at.
    """

    def health(self) -> dict[str, Any]: ...

    def state(self) -> dict[str, Any]: ...

    def amount_limits(self) -> tuple[Decimal, Decimal]: ...

    def start_sale(self, amount: Decimal, external_id: str | None) -> dict[str, Any]: ...

    def find_by_external_id(self, external_id: str) -> dict[str, Any] | None: ...

    def get_sale(self, sale_id: int) -> dict[str, Any] | None: ...

    def wait_for_change(
        self, sale_id: int, state: str, timeout: float
    ) -> dict[str, Any] | None: ...

    def cancel_sale(self, sale_id: int) -> dict[str, Any]: ...


class ApiError(Exception):
    """An answer other than success, raised anywhere in a request's handling."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra


def validate_amount(raw: Any) -> Decimal:
    """The amount field as exact tenge (2 decimals); ApiError 422 invalid_amount otherwise.

    JSON numbers arrive as Decimal (the parser is told so), never as float, so
    19.99 stays 19.99. The gateway's min/max are checked separately.
    """
    if raw is None:
        raise _bad_amount("is required")
    if isinstance(raw, bool):  # before the number check: True is an int in Python
        raise _bad_amount("must be a number, not true/false")
    if isinstance(raw, str):
        text = raw.strip()
        if not _NUMERIC_TEXT.fullmatch(text):
            raise _bad_amount(f'must be a number like 350 or "350.50", not {raw[:32]!r}')
        value = Decimal(text)
    elif isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    else:
        raise _bad_amount(f"must be a number, not {type(raw).__name__}")
    if not value.is_finite():
        raise _bad_amount("must be a finite number")
    if value <= 0:
        raise _bad_amount("must be more than 0")
    # Digits past the tiyn must all be zero ("1.230" is fine). Read from the digits, not with
    # quantize() or normalize(): those round to 28 digits or raise on 1e999999.
    _sign, digits, exponent = value.as_tuple()
    if isinstance(exponent, int) and exponent < -2 and any(digits[exponent + 2 :]):
        raise _bad_amount("has more than two decimals (tiyn)")
    return value


def check_limits(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    """`value` quantized to tiyn when low <= value <= high; ApiError 422 otherwise."""
    limits = {"min": _money(low), "max": _money(high)}
    if value < low:
        raise _bad_amount(f"is below the minimum of {_money(low)} tenge", **limits)
    if value > high:
        raise _bad_amount(f"is above the maximum of {_money(high)} tenge", **limits)
    return value.quantize(_TIYN)


def validate_external_id(raw: Any) -> str | None:
    """None, or text of 1..64 printable characters; ApiError 422 invalid_external_id otherwise."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise _bad_external_id(f"must be a string, not {_json_type(raw)}")
    if not raw:
        raise _bad_external_id("must not be empty (leave it out instead)")
    if len(raw) > MAX_EXTERNAL_ID:
        raise _bad_external_id(f"must be at most {MAX_EXTERNAL_ID} characters")
    if not raw.isprintable():
        raise _bad_external_id("must contain printable characters only")
    return raw


def _bad_amount(reason: str, **extra: Any) -> ApiError:
    return ApiError(422, "invalid_amount", f"amount {reason}", **extra)


def _bad_external_id(reason: str) -> ApiError:
    return ApiError(422, "invalid_external_id", f"external_id {reason}")


def _money(value: Decimal) -> str:
    return str(value.quantize(_TIYN))


def _json_type(raw: Any) -> str:
    names = {dict: "an object", list: "an array", bool: "true/false", Decimal: "a number"}
    return names.get(type(raw), "a number" if isinstance(raw, int) else type(raw).__name__)


def _parse_constant(name: str) -> Decimal:
    # NaN/Infinity are not JSON, but Python's parser accepts them: turn them into values
    # validate_amount refuses with a reason, instead of floats that slip through.
    return Decimal(name)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def _sale_id(text: str) -> int:
    if not _SALE_ID.fullmatch(text):
        raise ApiError(404, "not_found", f"no sale {text[:32]!r}")
    return int(text)


#: The states a sale has in this API (the journal's `creating` is `pending` here).
SALE_STATES = ("pending", "qr", "awaiting", "processed", "failed", "cancelled", "unknown")


def _seen_state(query: str) -> str | None:
    """`state=`: the state the controller last saw; a long-poll answers at once if it moved on.

    Without it the wait compares with the state at request time, and a short state
    (qr) passed between two polls would go unseen.
    """
    values = parse_qs(query, keep_blank_values=True).get("state")
    if values is None:
        return None
    if len(values) != 1 or values[0] not in SALE_STATES:
        raise ApiError(400, "bad_request", f"state must be one of {', '.join(SALE_STATES)}")
    return values[0]


def _wait_seconds(query: str) -> float | None:
    values = parse_qs(query, keep_blank_values=True).get("wait")
    if values is None:
        return None
    problem = f"wait must be seconds, more than 0 and at most {MAX_WAIT:g}"
    if len(values) != 1:
        raise ApiError(400, "bad_request", problem)
    try:
        wait = float(values[0])
    except ValueError:
        raise ApiError(400, "bad_request", problem) from None
    if not 0 < wait <= MAX_WAIT:  # also false for nan
        raise ApiError(400, "bad_request", problem)
    return wait


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # On Windows SO_REUSEADDR lets a second program bind the same port and steal
    # connections; there, ask for the port exclusively instead.
    allow_reuse_address = sys.platform != "win32"

    gateway: SaleGateway
    token: bytes
    create_lock: threading.Lock

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Open connections, so stop() can end kept-alive ones: otherwise a controller's
        # keep-alive connection would go on being served by a stopped server's thread.
        self.open_connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self.open_connections.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        with self._connections_lock:
            connections = list(self.open_connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def server_bind(self) -> None:
        if sys.platform == "win32":
            exclusive = getattr(socket, "SO_EXCLUSIVEADDRUSE", None)
            if exclusive is not None:
                self.socket.setsockopt(socket.SOL_SOCKET, exclusive, 1)
        super().server_bind()


_Route = Callable[["_Handler", dict[str, str], str], tuple[int, dict[str, Any], dict[str, str]]]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one send (flushed after each request): two small
    # writes on a kept-alive connection met TCP's delayed ACK and cost ~40 ms each.
    wbufsize = 64 * 1024
    server_version = f"kiosk-hostapi/{__version__}"
    timeout = SOCKET_TIMEOUT

    _started = 0.0
    _body_left = 0
    _responded = False

    # -- plumbing ---------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET

    def _handle(self) -> None:
        self._started = time.monotonic()
        self._responded = False
        self._body_left = 0
        try:
            try:
                self._body_left = self._content_length()
                self._authorize()
                if self._body_left > MAX_BODY:
                    raise ApiError(413, "too_large", f"the body must be at most {MAX_BODY} bytes")
                self._send(*self._dispatch())
            except ApiError as exc:
                body = {"error": exc.code, "message": exc.message, **exc.extra}
                self._send(exc.status, body, exc.headers)
        except (ConnectionError, TimeoutError) as exc:
            self.close_connection = True
            log.info("%s %s: the client went away (%s)", self.command, self._log_path(), exc)
        except Exception:
            log.exception("host API failed on %s %s", self.command, self._log_path())
            self.close_connection = True
            if not self._responded:
                self._send_quietly(
                    500,
                    {"error": "internal", "message": "internal error; the kiosk log has details"},
                )

    def _send_quietly(self, status: int, body: dict[str, Any]) -> None:
        try:
            self._send(status, body)
        except OSError as exc:
            log.info("%s %s: the client went away (%s)", self.command, self._log_path(), exc)

    def _content_length(self) -> int:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True  # a chunked body we do not read would poison keep-alive
            raise ApiError(411, "length_required", "send the body with a Content-Length")
        raw = self.headers.get("Content-Length")
        if raw is None:
            return 0
        if not raw.strip().isdigit():
            self.close_connection = True
            raise ApiError(400, "bad_request", "Content-Length is not a number")
        return int(raw)

    def _discard_body(self) -> None:
        """Read an unused body, so the answer is not lost to a reset and keep-alive works."""
        left, self._body_left = self._body_left, 0
        if left > MAX_DISCARD:
            self.close_connection = True
            return
        try:
            while left > 0:
                chunk = self.rfile.read(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)
        except OSError:
            self.close_connection = True

    def _read_body(self) -> bytes:
        length, self._body_left = self._body_left, 0
        data = self.rfile.read(length) if length else b""
        if len(data) != length:
            self.close_connection = True
            raise ApiError(400, "bad_request", "the body is shorter than its Content-Length")
        return data

    def _authorize(self) -> None:
        server = cast(_Server, self.server)
        scheme, _, presented = (self.headers.get("Authorization") or "").strip().partition(" ")
        # Header text arrives decoded as Latin-1: encode back to the bytes that were sent.
        given = presented.strip().encode("latin-1", "replace")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given, server.token):
            raise ApiError(
                401,
                "unauthorized",
                "a valid Authorization: Bearer token is required",
                headers={"WWW-Authenticate": "Bearer"},
            )

    def _dispatch(self) -> tuple[int, dict[str, Any], dict[str, str]]:
        url = urlsplit(self.path)
        for pattern, methods in _ROUTES:
            match = pattern.fullmatch(url.path)
            if match is None:
                continue
            route = methods.get(self.command)
            if route is None:
                allow = ", ".join(methods)
                raise ApiError(
                    405,
                    "method_not_allowed",
                    f"{self.command} is not allowed here; use {allow}",
                    headers={"Allow": allow},
                )
            return route(self, match.groupdict(), url.query)
        raise ApiError(404, "not_found", "no such endpoint")

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body, ensure_ascii=False, default=_json_default).encode("utf-8")
        if self._body_left:
            self._discard_body()
        # Logged before the answer leaves, so the line is there when the client has it.
        ms = (time.monotonic() - self._started) * 1000
        log.info("%s %s %d %.0f ms", self.command, self._log_path(), status, ms)
        self._responded = True
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # http.server's own errors (bad request line, unknown method, huge headers) as JSON
        # instead of its HTML page.
        self.close_connection = True
        self._started = time.monotonic()
        if not getattr(self, "command", None):
            self.command = ""
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "error"
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = "HTTP/1.0"  # a garbled request line still gets a status line
        self._send_quietly(
            code, {"error": re.sub(r"[^a-z]+", "_", phrase.lower()), "message": message or phrase}
        )

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request is written by _send, to the kiosk log, not stderr

    def _log_path(self) -> str:
        path = getattr(self, "path", "") or "-"
        return path[:200].encode("unicode_escape").decode("ascii")  # no forged log lines

    @property
    def _gateway(self) -> SaleGateway:
        return cast(_Server, self.server).gateway

    # -- endpoints --------------------------------------------------------------------------

    def _health(
        self, _args: dict[str, str], _query: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        return 200, self._call(self._gateway.health), {}

    def _state(
        self, _args: dict[str, str], _query: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        return 200, self._call(self._gateway.state), {}

    def _create(
        self, _args: dict[str, str], _query: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        body = self._json_object()
        amount = validate_amount(body.get("amount"))
        external_id = validate_external_id(body.get("external_id"))
        gateway = self._gateway
        # One creation at a time, so two copies of the same retried request cannot both
        # miss find_by_external_id and start two sales.
        with cast(_Server, self.server).create_lock:
            if external_id is not None:
                existing = self._call(gateway.find_by_external_id, external_id)
                if existing is not None:
                    return 200, self._same_sale(existing, amount, external_id), _location(existing)
            low, high = self._call(gateway.amount_limits)
            amount = check_limits(amount, low, high)
            record = self._call(gateway.start_sale, amount, external_id)
        return 201, record, _location(record)

    def _get(self, args: dict[str, str], query: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        sale_id = _sale_id(args["sale_id"])
        wait = _wait_seconds(query)
        seen = _seen_state(query)
        record = self._sale(sale_id)
        if wait is not None and (seen is None or record["state"] == seen):
            changed = self._call(self._gateway.wait_for_change, sale_id, str(record["state"]), wait)
            if changed is None:
                # Read again after a quiet wait: fields other than the state may have moved.
                changed = self._call(self._gateway.get_sale, sale_id)
            record = changed or record
        return 200, record, {}

    def _cancel(
        self, args: dict[str, str], _query: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        sale_id = _sale_id(args["sale_id"])
        self._read_body()  # ignored, but read so the connection stays usable
        self._sale(sale_id)
        return 200, self._call(self._gateway.cancel_sale, sale_id), {}

    # -- helpers ----------------------------------------------------------------------------

    def _json_object(self) -> dict[str, Any]:
        raw = self._read_body()
        try:
            body = json.loads(
                raw.decode("utf-8"),
                parse_float=Decimal,
                parse_int=Decimal,
                parse_constant=_parse_constant,
            )
        except (UnicodeDecodeError, ValueError, RecursionError, InvalidOperation):
            raise ApiError(400, "bad_json", "the body must be a JSON object in UTF-8") from None
        if not isinstance(body, dict):
            kind = _json_type(body)
            raise ApiError(400, "bad_json", f"the body must be a JSON object, not {kind}")
        return body

    def _sale(self, sale_id: int) -> dict[str, Any]:
        record = self._call(self._gateway.get_sale, sale_id)
        if record is None:
            raise ApiError(404, "not_found", f"no sale {sale_id}")
        return record

    def _same_sale(
        self, existing: dict[str, Any], amount: Decimal, external_id: str
    ) -> dict[str, Any]:
        try:
            same = Decimal(str(existing.get("amount"))) == amount
        except InvalidOperation:
            same = False
        if not same:
            sale_id = existing.get("sale_id")
            raise ApiError(
                409,
                "external_id_conflict",
                f"external_id {external_id!r} was used for sale {sale_id} "
                f"of {existing.get('amount')} tenge; use a new external_id",
                sale_id=sale_id,
            )
        return existing

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        """Call the gateway, turning its refusals into answers."""
        try:
            return method(*args)
        except GatewayBusy as exc:
            raise ApiError(
                409, "busy", str(exc) or "the kiosk is busy", sale_id=exc.sale_id
            ) from None
        except GatewayUnavailable as exc:
            raise ApiError(
                503, "out_of_service", str(exc) or "the kiosk is out of service"
            ) from None
        except NotCancellable as exc:
            raise ApiError(
                409, "not_cancellable", str(exc) or "the sale can no longer be cancelled"
            ) from None
        except (ConnectionError, TimeoutError) as exc:
            # Not the client going away (that is how _handle reads these): a gateway that
            # gave up waiting for the GUI thread. It must reach the client as a 500.
            raise RuntimeError(f"the gateway failed: {exc!r}") from exc


def _location(record: dict[str, Any]) -> dict[str, str]:
    return {"Location": f"/v1/sales/{int(record['sale_id'])}"}


_ROUTES: list[tuple[re.Pattern[str], dict[str, _Route]]] = [
    (re.compile(r"/v1/health"), {"GET": _Handler._health}),
    (re.compile(r"/v1/state"), {"GET": _Handler._state}),
    (re.compile(r"/v1/sales"), {"POST": _Handler._create}),
    (re.compile(r"/v1/sales/(?P<sale_id>[^/]+)"), {"GET": _Handler._get}),
    (re.compile(r"/v1/sales/(?P<sale_id>[^/]+)/cancel"), {"POST": _Handler._cancel}),
]


class HostApiServer:
    """The host API on 127.0.0.1:`port`, served from a daemon thread."""

    def __init__(
        self, gateway: SaleGateway, *, token: str, port: int, host: str = "127.0.0.1"
    ) -> None:
        try:
            loopback = ipaddress.ip_address(host)
        except ValueError:
            loopback = None
        # An IP literal only: a name (even "localhost") resolves through files an
        # attacker might edit, and the controller is on this machine anyway.
        if not (isinstance(loopback, ipaddress.IPv4Address) and loopback.is_loopback):
            raise ValueError(f"the host API listens on 127.0.0.1 only, not {host!r}")
        if not token:
            raise ValueError("the host API needs a token (host_api.token)")
        if not 0 <= port < 65536:
            raise ValueError(f"not a TCP port: {port}")
        self._gateway = gateway
        self._token = token.encode("utf-8")
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port listened on (the real one after start(), also when 0 was asked for)."""
        return self._port

    @property
    def host(self) -> str:
        return self._host

    def start(self) -> None:
        """Bind now (OSError naming the port when it is taken) and serve in a daemon thread."""
        if self._server is not None:
            return
        try:
            server = _Server((self._host, self._port), _Handler)
        except OSError as exc:
            raise OSError(
                exc.errno,
                f"the host API cannot listen on {self._host}:{self._port}: "
                f"{exc.strerror or exc} (is another program or kiosk using the port? "
                f"change host_api.port)",
            ) from exc
        server.gateway = self._gateway
        server.token = self._token
        server.create_lock = threading.Lock()
        self._server = server
        self._port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.25},
            name="kiosk-hostapi",
            daemon=True,
        )
        self._thread.start()
        log.info("host API listening on http://%s:%d", self._host, self._port)

    def stop(self) -> None:
        """Stop accepting, free the port and join the serving thread.

        Requests in flight (a long-poll) finish on their own daemon threads.
        """
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_open_connections()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        log.info("host API stopped")
