"""The metrics exporter: `GET /metrics` on its own port, optionally behind a bearer token.

prometheus_client renders the page (text format, or OpenMetrics when the
scraper asks for it) and its threaded WSGI server serves it, exactly as its
own `start_http_server` does; this module only adds what a kiosk needs on a
shop's network: one path, a token compared in constant time, no access log,
and a bind that neither waits for reverse DNS nor shares its port.
"""

from __future__ import annotations

import hmac
import ipaddress
import socket
import socketserver
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

METRICS_PATH = "/metrics"

_StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def _plain(
    start_response: _StartResponse, status: str, text: str, *extra: tuple[str, str]
) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), *extra])
    return [text.encode()]


def metrics_app(registry: CollectorRegistry, token: str = "") -> Callable[..., Iterable[bytes]]:
    """The WSGI app: /metrics (and only that), with `Authorization: Bearer <token>` if set."""
    render = make_wsgi_app(registry)
    expected = f"Bearer {token}".encode()

    def app(environ: dict[str, Any], start_response: _StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != METRICS_PATH:
            return _plain(start_response, "404 Not Found", "not found: use GET /metrics\n")
        if token:
            sent = environ.get("HTTP_AUTHORIZATION", "").encode("latin-1", "replace")
            if not hmac.compare_digest(sent, expected):
                return _plain(
                    start_response,
                    "401 Unauthorized",
                    "missing or wrong bearer token\n",
                    ("WWW-Authenticate", 'Bearer realm="kiosk-metrics"'),
                )
        result: Iterable[bytes] = render(environ, start_response)
        return result

    return app


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: Prometheus scrapes every few seconds."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingWSGIServer):
    # On Windows SO_REUSEADDR lets a second program bind a port already listened on;
    # a taken port must fail loudly instead, as it does elsewhere.
    allow_reuse_address = sys.platform != "win32"

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks reverse DNS for the address's name, which can
        # take seconds on a shop network without DNS, on the kiosk's start-up path.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)
        self.setup_environ()


class _Server6(_Server):
    address_family = socket.AF_INET6


class MetricsServer:
    """Serves a registry on `bind:port` from a daemon thread; `port` 0 picks a free one."""

    def __init__(
        self, registry: CollectorRegistry, *, bind: str, port: int, token: str = ""
    ) -> None:
        self.bind = bind
        self._requested_port = port
        self._app = metrics_app(registry, token)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_port) if self._httpd else self._requested_port

    @property
    def url(self) -> str:
        host = f"[{self.bind}]" if ":" in self.bind else self.bind
        return f"http://{host}:{self.port}{METRICS_PATH}"

    def start(self) -> None:
        """Listen, or raise OSError (the port is taken, the address is not this machine's)."""
        server = _Server6 if ipaddress.ip_address(self.bind).version == 6 else _Server
        self._httpd = make_server(
            self.bind, self._requested_port, self._app, server, handler_class=_QuietHandler
        )
        # A quarter-second poll: stop() (at exit, on the GUI thread) waits at most that long.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.25,), name="kiosk-metrics", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
