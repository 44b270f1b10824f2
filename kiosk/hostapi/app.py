"""The host API's WSGI app and its server (waitress) on 127.0.0.1: routes, auth, JSON.

HTTP itself (framing, keep-alive, `Expect: 100-continue`, chunked bodies, the
listen backlog, a bounded pool of threads) is waitress's; this module is routes,
the bearer token and turning typed records and refusals into JSON.

    GET  /v1/health                 kiosk and bank health
    GET  /v1/state                  {"screen", "sale_id"}
    POST /v1/sales                  {"amount": 350, "external_id": "order-17"} -> 201 + Location
    GET  /v1/sales/{id}[?wait=S[&state=X]]
                                    the sale; with wait (0 < S <= 60) a long-poll that answers
                                    as soon as the state differs from X (default: the state at
                                    request time), or after S with the same state
    POST /v1/sales/{id}/cancel      cancel before the scan; 409 not_cancellable after it
    GET  /v1/openapi.json           this API described (docs/hostapi/openapi.yaml)

Every call needs `Authorization: Bearer <host_api.token>`.

Idempotency: a controller that retries `POST /v1/sales` after a timeout must send
the same `external_id`; when a sale with that external_id already exists the
answer is 200 with that sale and nothing new is charged. The same external_id
with a different amount is refused (409 external_id_conflict), because answering
with the old sale would let the controller believe the new amount was charged.
Use a fresh external_id for every purchase: an old id returns the old sale, even
a failed one. Without an external_id a retry starts a second sale.

Errors are `{"error": "<code>", "message": "<text>"}`, also for the HTTP parser's
own refusals (a bad Content-Length, a malformed chunk, headers too large); the
controller acts on the code, a person reads the message.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hmac
import ipaddress
import json
import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from http import HTTPStatus
from typing import Any

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

from kiosk import __version__
from kiosk.hostapi import document, validate
from kiosk.hostapi.contract import HostSale, SaleGateway
from kiosk.hostapi.validate import MAX_BODY, ApiError
from kiosk.payment.sale import Busy, NotCancellable, OutOfService, SaleRefused

log = logging.getLogger("kiosk.hostapi")

#: Server threads. A long-poll holds one for up to 60 s, so there are enough for 50
#: controllers each long-polling, with threads left over for their other calls.
THREADS = 64
#: Threads started before the server answers; start() adds the rest while it already
#: answers. Each thread start waits until the OS runs the new thread: 64 of them took
#: over 100 ms on a loaded machine, all of it before the kiosk's first answer.
FIRST_THREADS = 4
#: Long-polls waiting at once; past this one answers at once with the sale as it is
#: (a plain read), so long-polls can never take the threads every other call needs.
MAX_LONG_POLLS = THREADS - 8
#: Connections accepted by the OS before the server takes them: the default 5 reset
#: connections when 50 controllers called at once.
BACKLOG = 1024
#: Connections open at once; more wait in the backlog.
MAX_CONNECTIONS = 256
#: A connection silent this long (no request in progress) is closed. Long-polls wait
#: in the gateway with a request in progress, so they are not cut by this.
IDLE_TIMEOUT = 30
#: A body up to this size is read (and refused 413 too_large past MAX_BODY, keeping the
#: connection); past it the server refuses before reading and closes the connection.
MAX_READ = 1024 * 1024
#: Seconds stop() waits for the serving thread to close its sockets and end.
STOP_WAIT = 5.0
MAX_HEADERS = 64 * 1024

_JSON = "application/json; charset=utf-8"

_Answer = tuple[int, dict[str, Any], dict[str, str]]
_Route = Callable[["HostApiApp", "_Request"], _Answer]


@dataclasses.dataclass
class _Request:
    method: str
    path: str
    query: str
    args: dict[str, str]
    body: bytes


class HostApiApp:
    """The WSGI application: one call per request, on one of the server's threads."""

    def __init__(self, gateway: SaleGateway, token: str, stopping: threading.Event) -> None:
        self._gateway = gateway
        self._token = token.encode("utf-8")
        self._stopping = stopping
        # One creation at a time, so two copies of the same retried request cannot both
        # miss find_by_external_id and start two sales.
        self._create_lock = threading.Lock()
        self._long_polls = threading.BoundedSemaphore(MAX_LONG_POLLS)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        started = time.monotonic()
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        try:
            status, body, headers = self._handle(environ, method, path)
        except Exception:
            log.exception("host API failed on %s %s", method, _log_text(path))
            status, headers = 500, {}
            body = {"error": "internal", "message": "internal error; the kiosk log has details"}
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        log.info(
            "%s %s %d %.0f ms",
            method,
            _log_text(path),
            status,
            (time.monotonic() - started) * 1000,
        )
        start_response(
            f"{status} {_phrase(status)}",
            [
                ("Content-Type", _JSON),
                ("Content-Length", str(len(data))),
                ("Cache-Control", "no-store"),
                *headers.items(),
            ],
        )
        return [] if method == "HEAD" else [data]

    def _handle(self, environ: dict[str, Any], method: str, path: str) -> _Answer:
        try:
            self._authorize(environ.get("HTTP_AUTHORIZATION", ""))
            # The server has checked Content-Length (digits only, one value) and read the body.
            length = int(environ.get("CONTENT_LENGTH") or 0)
            if length > MAX_BODY:
                raise ApiError(413, "too_large", f"the body must be at most {MAX_BODY} bytes")
            route, args = _route(method, path)
            body = environ["wsgi.input"].read(length) if length else b""
            request = _Request(method, path, environ.get("QUERY_STRING", ""), args, body)
            return route(self, request)
        except ApiError as exc:
            return exc.status, {"error": exc.code, "message": exc.message, **exc.extra}, exc.headers
        except Busy as exc:
            message = str(exc) or "the kiosk is busy"
            return 409, {"error": "busy", "message": message, "sale_id": exc.sale_id}, {}
        except OutOfService as exc:
            message = str(exc) or "the kiosk is out of service"
            return 503, {"error": "out_of_service", "message": message}, {}
        except NotCancellable as exc:
            message = str(exc) or "the sale can no longer be cancelled"
            return 409, {"error": "not_cancellable", "message": message}, {}

    def _authorize(self, header: str) -> None:
        scheme, _, presented = header.strip().partition(" ")
        # WSGI hands header text decoded as Latin-1: encode back to the bytes that were sent.
        given = presented.strip().encode("latin-1", "replace")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given, self._token):
            raise ApiError(
                401,
                "unauthorized",
                "a valid Authorization: Bearer token is required",
                headers={"WWW-Authenticate": "Bearer"},
            )

    # -- endpoints --------------------------------------------------------------------------

    def _health(self, _request: _Request) -> _Answer:
        return 200, dataclasses.asdict(self._gateway.health()), {}

    def _state(self, _request: _Request) -> _Answer:
        return 200, dataclasses.asdict(self._gateway.state()), {}

    def _openapi(self, _request: _Request) -> _Answer:
        try:
            limits: tuple[Decimal, Decimal] | None = self._gateway.amount_limits()
        except SaleRefused:
            limits = None  # starting: the document's own (the config's defaults)
        return 200, document.document(limits), {}

    def _create(self, request: _Request) -> _Answer:
        body = validate.json_object(request.body)
        amount = validate.validate_amount(body.get("amount"))
        external_id = validate.validate_external_id(body.get("external_id"))
        gateway = self._gateway
        with self._create_lock:
            if external_id is not None:
                existing = gateway.find_by_external_id(external_id)
                if existing is not None:
                    _check_same_amount(existing, amount, external_id)
                    return 200, sale_json(existing), _location(existing)
            low, high = gateway.amount_limits()
            sale = gateway.start_sale(validate.check_limits(amount, low, high), external_id)
        return 201, sale_json(sale), _location(sale)

    def _get(self, request: _Request) -> _Answer:
        sale_id = validate.sale_id(request.args["sale_id"])
        wait = validate.wait_seconds(request.query)
        seen = validate.seen_state(request.query)
        sale = self._sale(sale_id)
        if wait is not None and (seen is None or sale.state == seen):
            changed = self._wait_for_change(sale, wait)
            # Read again after a quiet wait: fields other than the state may have moved.
            sale = changed or self._gateway.get_sale(sale_id) or sale
        return 200, sale_json(sale), {}

    def _cancel(self, request: _Request) -> _Answer:
        sale_id = validate.sale_id(request.args["sale_id"])
        self._sale(sale_id)
        return 200, sale_json(self._gateway.cancel_sale(sale_id)), {}

    # -- helpers ----------------------------------------------------------------------------

    def _wait_for_change(self, sale: HostSale, wait: float) -> HostSale | None:
        if not self._long_polls.acquire(blocking=False):
            log.warning("more than %d long-polls at once: answered without waiting", MAX_LONG_POLLS)
            return None
        try:
            return self._gateway.wait_for_change(
                sale.sale_id, sale.state, wait, self._stopping.is_set
            )
        finally:
            self._long_polls.release()

    def _sale(self, sale_id: int) -> HostSale:
        sale = self._gateway.get_sale(sale_id)
        if sale is None:
            raise ApiError(404, "not_found", f"no sale {sale_id}")
        return sale


def sale_json(sale: HostSale) -> dict[str, Any]:
    """A sale as the host API writes it: amounts as decimal strings, never floats."""
    return {
        "sale_id": sale.sale_id,
        "amount": validate.money(sale.amount),
        "external_id": sale.external_id,
        "state": sale.state.value,
        "reason": sale.reason.value if sale.reason else None,
        "qr_payment_id": sale.qr_payment_id,
        "needs_refund": sale.needs_refund,
        "refunded_amount": format(sale.refunded_amount, "f"),
        "recovered": sale.recovered,
        "created_at": sale.created_at,
        "updated_at": sale.updated_at,
    }


def _check_same_amount(existing: HostSale, amount: Decimal, external_id: str) -> None:
    if existing.amount != amount:
        raise ApiError(
            409,
            "external_id_conflict",
            f"external_id {external_id!r} was used for sale {existing.sale_id} "
            f"of {validate.money(existing.amount)} tenge; use a new external_id",
            sale_id=existing.sale_id,
        )


def _location(sale: HostSale) -> dict[str, str]:
    return {"Location": f"/v1/sales/{sale.sale_id}"}


_ROUTES: list[tuple[re.Pattern[str], dict[str, _Route]]] = [
    (re.compile(r"/v1/health"), {"GET": HostApiApp._health}),
    (re.compile(r"/v1/state"), {"GET": HostApiApp._state}),
    (re.compile(r"/v1/openapi\.json"), {"GET": HostApiApp._openapi}),
    (re.compile(r"/v1/sales"), {"POST": HostApiApp._create}),
    (re.compile(r"/v1/sales/(?P<sale_id>[^/]+)"), {"GET": HostApiApp._get}),
    (re.compile(r"/v1/sales/(?P<sale_id>[^/]+)/cancel"), {"POST": HostApiApp._cancel}),
]


def _route(method: str, path: str) -> tuple[_Route, dict[str, str]]:
    for pattern, methods in _ROUTES:
        match = pattern.fullmatch(path)
        if match is None:
            continue
        route = methods.get(method)
        if route is None:
            allow = ", ".join(methods)
            # Any other method, TRACE, QUERY or one never registered, is this path's 405:
            # a 5xx would tell the controller the kiosk failed.
            raise ApiError(
                405,
                "method_not_allowed",
                f"{_log_text(method[:16])} is not allowed here; use {allow}",
                headers={"Allow": allow},
            )
        return route, match.groupdict()
    raise ApiError(404, "not_found", "no such endpoint")


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _log_text(text: str) -> str:
    return text[:200].encode("unicode_escape").decode("ascii")  # no forged log lines


# -- the server ------------------------------------------------------------------------------


class _JsonErrorTask(ErrorTask):
    """waitress's own refusals (bad framing, headers too large) as JSON, like every answer."""

    def execute(self) -> None:
        error = self.request.error
        message = str(error.body or error.reason)
        code = re.sub(r"[^a-z]+", "_", str(error.reason).lower()).strip("_")
        data = json.dumps({"error": code, "message": message}).encode("utf-8")
        log.info("HTTP request refused by the parser: %d %s", error.code, _log_text(message))
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([("Content-Type", _JSON), ("Cache-Control", "no-store")])
        self.set_close_on_finish()
        self.content_length = len(data)
        self.write(data)


class _Channel(HTTPChannel):
    error_task_class = _JsonErrorTask


class _Server(TcpWSGIServer):
    channel_class = _Channel

    def set_reuse_addr(self) -> None:
        pass  # the socket comes bound, with its options set by _listen_socket


def _listen_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if sys.platform == "win32":
            # On Windows SO_REUSEADDR lets a second program bind the same port and steal
            # connections; there, ask for the port exclusively instead.
            exclusive = getattr(socket, "SO_EXCLUSIVEADDRUSE", None)
            if exclusive is not None:
                sock.setsockopt(socket.SOL_SOCKET, exclusive, 1)
        else:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(
            exc.errno,
            f"the host API cannot listen on {host}:{port}: {exc.strerror or exc} "
            f"(is another program or kiosk using the port? change host_api.port)",
        ) from exc
    return sock


class HostApiServer:
    """The host API on 127.0.0.1:`port`, served by waitress from a daemon thread."""

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
        self._token = token
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._map: dict[int, Any] = {}
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

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
        sock = _listen_socket(self._host, self._port)
        self._stopping = threading.Event()
        self._map = {}
        adjustments = Adjustments(
            sockets=[sock],
            threads=THREADS,
            backlog=BACKLOG,
            connection_limit=MAX_CONNECTIONS,
            channel_timeout=IDLE_TIMEOUT,
            cleanup_interval=IDLE_TIMEOUT // 3,
            max_request_body_size=MAX_READ,
            max_request_header_size=MAX_HEADERS,
            ident=f"kiosk-hostapi/{__version__}",
            expose_tracebacks=False,
            clear_untrusted_proxy_headers=False,  # no proxy in front: nothing to trust
            asyncore_use_poll=True,  # select() stops at 1024 descriptors
        )
        app = HostApiApp(self._gateway, self._token, self._stopping)
        dispatcher = ThreadedTaskDispatcher()
        dispatcher.set_thread_count(FIRST_THREADS)
        try:
            server = _Server(
                app,
                map=self._map,
                _sock=sock,
                dispatcher=dispatcher,
                adj=adjustments,
                bind_socket=False,
                sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()),
            )
        except BaseException:
            dispatcher.shutdown()
            sock.close()
            raise
        self._server = server
        self._port = sock.getsockname()[1]
        self._thread = threading.Thread(target=server.run, name="kiosk-hostapi", daemon=True)
        self._thread.start()
        dispatcher.set_thread_count(THREADS)  # all of them before start() returns
        log.info("host API listening on http://%s:%d", self._host, self._port)

    def stop(self) -> None:
        """Stop accepting, end every connection (kept-alive ones, long-polls), join the threads."""
        server, self._server = self._server, None
        if server is None:
            return
        channels = self._map
        self._stopping.set()
        self._gateway.wake()  # long-polls see _stopping and return
        # The sockets belong to the serving loop's thread: close them there.
        with contextlib.suppress(OSError):
            server.trigger.pull_trigger(lambda: wasyncore.close_all(channels))
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(STOP_WAIT)
        if thread is not None and thread.is_alive():
            # Still in its loop, maybe in poll() on these sockets: closed here, a number
            # could be reused by the next open() while it polls it. It closes them itself
            # when it gets to the trigger.
            log.error("host API: the server thread did not stop in %g s", STOP_WAIT)
        else:
            wasyncore.close_all(channels)  # a no-op unless the loop had already ended
        # Long-polls return at once (woken above) and reads take milliseconds; a call waiting
        # for the GUI thread, when stop() runs on it, must not hold the kiosk up for long.
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)
        log.info("host API stopped")
