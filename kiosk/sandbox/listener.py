"""One scheme's listening socket: TLS negotiated in each connection's own thread.

A stalled client never blocks the accept loop, and `close_connections()` wakes
every connection thread so that `server_close()` can join them all.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import socketserver
import ssl
import sys
import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any, cast

from kiosk.sandbox.pki import Pki, certificate_subject
from kiosk.sandbox.service import ConnInfo, Service

log = logging.getLogger(__name__)

HANDSHAKE_TIMEOUT = 10.0

#: Serves one connection: (TLS socket, client address, the server, the connection's info).
ConnectionHandler = Callable[[Any, Any, "SchemeServer", ConnInfo], object]


class SandboxError(Exception):
    """The sandbox cannot start."""


class PortInUseError(SandboxError):
    def __init__(self, scheme: str, host: str, port: int, reason: str) -> None:
        self.scheme, self.host, self.port = scheme, host, port
        super().__init__(f"cannot listen on {host}:{port} for scheme {scheme}: {reason}")


class SchemeServer(ThreadingHTTPServer):
    """One scheme's listening socket; TLS is negotiated in each connection's thread."""

    daemon_threads = True
    # On Windows SO_REUSEADDR lets a second server bind a port already in use.
    allow_reuse_address = sys.platform != "win32"
    request_queue_size = 64

    def __init__(
        self,
        address: tuple[str, int],
        scheme: str,
        service: Service,
        context: ssl.SSLContext,
        family: socket.AddressFamily,
        handler: ConnectionHandler,
    ) -> None:
        self.address_family = family
        self.handler = handler
        self.scheme = scheme
        self.service = service
        self.context = context
        self._live: set[ssl.SSLSocket] = set()
        self._live_lock = threading.Lock()
        self._workers: list[threading.Thread] = []
        # Connections are served by finish_request, never through RequestHandlerClass.
        super().__init__(address, socketserver.BaseRequestHandler)

    def server_bind(self) -> None:
        if sys.platform == "win32":
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        # HTTPServer.server_bind would call getfqdn(), a DNS lookup that can take seconds.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def finish_request(self, request: Any, client_address: Any) -> None:
        raw = cast(socket.socket, request)
        raw.settimeout(HANDSHAKE_TIMEOUT)
        with contextlib.suppress(OSError):
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            tls = self.context.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
        except OSError:
            return
        with self._live_lock:
            self._live.add(tls)
        try:
            if self.service.stopping.is_set():
                return
            try:
                tls.do_handshake()
            except (ssl.SSLError, OSError) as exc:
                with self.service.lock:
                    self.service.failed_handshakes[self.scheme] += 1
                log.info("%s: TLS handshake with %s failed: %s", self.scheme, client_address, exc)
                return
            der = tls.getpeercert(binary_form=True)
            subject = certificate_subject(der) if der else None
            conn = self.service.open_connection(self.scheme, subject)
            self.handler(tls, client_address, self, conn)
        finally:
            with self._live_lock:
                self._live.discard(tls)
            with contextlib.suppress(OSError):
                tls.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Resets and timeouts of clients are routine for a test bank; keep them out of stderr.
        log.debug(
            "%s: connection from %s ended with an error", self.scheme, client_address, exc_info=True
        )

    def process_request(self, request: Any, client_address: Any) -> None:
        # Our own bookkeeping: ThreadingMixIn.server_close() in Python 3.11 joins only the
        # first thread (all() over join()'s None), leaving the others running.
        worker = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"sandbox-{self.scheme}-connection",
            daemon=True,
        )
        with self._live_lock:
            self._workers = [t for t in self._workers if t.is_alive()]
            self._workers.append(worker)
        worker.start()

    def server_close(self) -> None:
        socketserver.TCPServer.server_close(self)
        with self._live_lock:
            workers = list(self._workers)
        for worker in workers:
            worker.join()

    def close_connections(self) -> None:
        """Wake every connection thread blocked on a read, so server_close() can join it."""
        with self._live_lock:
            live = list(self._live)
        for sock in live:
            with contextlib.suppress(OSError):
                # The plain socket's shutdown: SSLSocket.shutdown would race the reader's TLS state.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


def server_context(scheme: str, pki: Pki) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(pki.server_cert, pki.server_key)
    if scheme != "basic":
        # The bank's mutual TLS is 1.2; under 1.3 a rejected client certificate would
        # surface only at the client's first read instead of in the handshake.
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.verify_mode = ssl.CERT_OPTIONAL
        # The intermediate is loaded too: clients send only their leaf, as the bank's PFX holds.
        ctx.load_verify_locations(cafile=str(pki.ca_bundle))
    return ctx
