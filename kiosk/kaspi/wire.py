"""Whether a request may have reached the bank when its exchange failed.

A failure is "nothing moved" only if it happened before the first byte of the
request was written: the TCP connect, the proxy's tunnel or the TLS handshake
(a certificate refused, an unknown CA, a connection refused). Once the kiosk
starts writing the request the bank may read it and act on it, so any later
failure — a connection reset, a TLS record cut short, a read timeout — leaves
the outcome unknown. The exception types cannot tell these apart (a TLS EOF
after the request and a handshake failure are both SSLError), so the
connection itself says when it started to write.

The mark is per thread: requests is synchronous, so the thread that sends is
the thread that reads the mark back.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from urllib3 import PoolManager
from urllib3._base_connection import _TYPE_BODY
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool

_state = threading.local()


def reset() -> None:
    """Before a request: nothing has been written yet."""
    _state.written = False


def request_written() -> bool:
    """The request on this thread started to be written after the connection was made."""
    return bool(getattr(_state, "written", False))


class MarkingHTTPSConnection(HTTPSConnection):
    """An HTTPS connection that notes when it starts writing a request (after its handshake)."""

    def request(  # type: ignore[override]  # as urllib3 2 itself declares it
        self,
        method: str,
        url: str,
        body: _TYPE_BODY | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        chunked: bool = False,
        preload_content: bool = True,
        decode_content: bool = True,
        enforce_content_length: bool = True,
    ) -> None:
        if self.sock is None:
            # Connect (and hand-shake) first, so that its failures stay "before".
            self.connect()
        _state.written = True
        super().request(
            method,
            url,
            body,
            headers,
            chunked=chunked,
            preload_content=preload_content,
            decode_content=decode_content,
            enforce_content_length=enforce_content_length,
        )


class MarkingHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = MarkingHTTPSConnection


def install(manager: PoolManager) -> None:
    """Make a urllib3 pool manager (direct or proxy) open marking connections."""
    manager.pool_classes_by_scheme = {
        **manager.pool_classes_by_scheme,
        "https": MarkingHTTPSConnectionPool,
    }
