"""A real HTTP CONNECT proxy on loopback, for the client's outbound-proxy setting.

Every socket is closed by the thread that waits on it, and stop() joins every thread:
a socket closed under a thread blocked in accept() or select() does not wake it on
Linux, and its number, reused by the next open() in the process, would be read next.
"""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

POLL = 0.05  # seconds a thread waits before it looks at the stop flag again


class ConnectProxy:
    """Tunnels CONNECT requests; remembers which host:port each tunnel went to."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.tunnels: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="test-proxy", daemon=True)
        self._tunnels: list[threading.Thread] = []

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """End every thread; the listening socket is closed (the port free) when this returns."""
        self._stop.set()
        self._thread.join(10)
        for tunnel in self._tunnels:
            tunnel.join(10)
        if self._thread.is_alive() or any(t.is_alive() for t in self._tunnels):
            raise RuntimeError("the test proxy's threads did not stop")

    def _serve(self) -> None:
        with self._server:
            while not self._stop.is_set():
                ready, _, _ = select.select([self._server], [], [], POLL)
                if not ready:
                    continue
                client, _ = self._server.accept()
                tunnel = threading.Thread(
                    target=self._tunnel, args=(client,), name="test-proxy-tunnel", daemon=True
                )
                self._tunnels.append(tunnel)
                tunnel.start()

    def _tunnel(self, client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                if self._stop.is_set():
                    return
                if not select.select([client], [], [], POLL)[0]:
                    continue
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            line = head.split(b"\r\n", 1)[0].decode()
            method, target, _ = line.split(" ", 2)
            if method != "CONNECT":
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            host, port = target.rsplit(":", 1)
            self.tunnels.append(target)
            try:
                upstream = socket.create_connection((host, int(port)), timeout=5)
            except OSError:
                client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            with upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                pair = {client: upstream, upstream: client}
                while not self._stop.is_set():
                    ready, _, _ = select.select(list(pair), [], [], POLL)
                    for sock in ready:
                        data = sock.recv(65536)
                        if not data:
                            return
                        pair[sock].sendall(data)


@contextmanager
def connect_proxy() -> Iterator[ConnectProxy]:
    proxy = ConnectProxy()
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
