"""What the sandbox's scheme ports share: the bank behind one lock, faults, the request log."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.kaspi.settings import SCHEMES
from kiosk.sandbox.faults import Fault, FaultQueue
from kiosk.sandbox.state import FAULT_MODES, Bank, Behaviour

MAX_RECORDS = 100_000  # the request log keeps the newest this many


@dataclass
class RequestRecord:
    """One request as the sandbox saw it; http_status 0 means it was dropped unanswered."""

    scheme: str
    method: str
    path: str
    query: str
    time: float  # time.monotonic() when the request arrived
    request_id: str | None  # the X-Request-ID header
    api_key_present: bool
    client_subject: str | None  # RFC 4514 subject of the client certificate
    connection_id: int
    body: Any = None  # the parsed JSON body, if it was JSON
    http_status: int = 0
    status_code: int | None = None  # the envelope's StatusCode, if one was sent


@dataclass(frozen=True)
class ConnInfo:
    id: int
    subject: str | None


class Service:
    """What the scheme ports share: the bank behind one lock, faults, the request log."""

    def __init__(
        self,
        bank: Bank,
        *,
        api_key: str,
        clock: Callable[[], float],
        on_devices_changed: Callable[[], None] = lambda: None,
    ) -> None:
        self.bank = bank
        self.api_key = api_key
        self.clock = clock
        self.offset = 0.0
        self.lock = threading.RLock()
        self.faults = FaultQueue()
        self.requests: list[RequestRecord] = []
        self.connections = dict.fromkeys(SCHEMES, 0)
        self.failed_handshakes = dict.fromkeys(SCHEMES, 0)
        self.stopping = threading.Event()
        self.on_devices_changed = on_devices_changed
        self._conn_ids = itertools.count(1)

    def now(self) -> float:
        return self.clock() + self.offset

    def set_behaviour(self, **changes: Any) -> Behaviour:
        with self.lock:
            self.bank.behaviour = self.bank.behaviour.with_changes(**changes)
            return self.bank.behaviour

    def add_fault(
        self, mode: str, *, count: int = 1, path_contains: str = "", delay: float = 3.0
    ) -> Fault:
        if mode not in FAULT_MODES:
            raise ValueError(f"fault mode must be one of {', '.join(FAULT_MODES)}, not {mode!r}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"count must be a whole number >= 0, not {count!r}")
        if not isinstance(path_contains, str):
            raise ValueError("path_contains must be text")
        if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
            raise ValueError(f"delay must be seconds >= 0, not {delay!r}")
        return self.faults.add(Fault(mode, count or None, path_contains, float(delay)))

    def clear_faults(self) -> None:
        self.faults.clear()

    def take_fault(self, path: str) -> Fault | None:
        return self.faults.take(path)

    def open_connection(self, scheme: str, subject: str | None) -> ConnInfo:
        with self.lock:
            self.connections[scheme] += 1
            return ConnInfo(next(self._conn_ids), subject)

    def record(self, record: RequestRecord) -> None:
        with self.lock:
            self.requests.append(record)
            if len(self.requests) > MAX_RECORDS:  # a sandbox left running for weeks
                del self.requests[: MAX_RECORDS // 10]
