"""The vending controller's side of a kiosk: its host API client and a free port.

One copy for the tests (tests/helpers) and the benchmarks (bench/ puts tests/ on its
path): no pytest and no Qt import here, so a benchmark script can use it as it is.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import requests

from kiosk import config as cfg


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HostApi:
    """The vending controller's side of the host API, for the tests and the benchmarks.

    With `qtbot` (an in-process kiosk), `get` and `post` run on another thread while the
    test's thread keeps the Qt loop going: the host API answers through the GUI thread.
    `keep_alive=False` opens a new TCP connection per request, as the benchmarks do: on a
    kept-alive connection each answer waits about 40 ms for the client's delayed ACK (the
    host API writes headers and body in two sends; README, "host API round trip").
    """

    def __init__(self, config_path: Path, qtbot: Any = None, *, keep_alive: bool = True) -> None:
        self._qtbot = qtbot
        config = cfg.load(config_path)
        self.base = f"http://127.0.0.1:{config.host_api.port}/v1"
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.headers["Authorization"] = f"Bearer {config.host_api.token}"
        if not keep_alive:
            self.session.headers["Connection"] = "close"

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self._send(lambda: self.session.get(self.base + path, timeout=70, **kwargs))

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self._send(lambda: self.session.post(self.base + path, timeout=10, **kwargs))

    def _send(self, call: Callable[[], requests.Response]) -> requests.Response:
        if self._qtbot is None:
            return call()
        return off_thread(self._qtbot, call, timeout=75)

    def clone(self) -> HostApi:
        """Another session to the same kiosk, for a long-poll beside other calls."""
        other = HostApi.__new__(HostApi)
        other._qtbot = self._qtbot
        other.base = self.base
        other.session = requests.Session()
        other.session.trust_env = False
        other.session.headers.update(self.session.headers)
        return other

    def state(self, timeout: float = 5.0) -> dict[str, Any]:
        r = self.session.get(self.base + "/state", timeout=timeout)
        r.raise_for_status()
        return dict(r.json())

    def health(self, timeout: float = 5.0) -> dict[str, Any]:
        r = self.session.get(self.base + "/health", timeout=timeout)
        r.raise_for_status()
        return dict(r.json())

    def create(self, amount: int | str, external_id: str) -> requests.Response:
        return self.session.post(
            self.base + "/sales", timeout=15, json={"amount": amount, "external_id": external_id}
        )

    def sale(
        self, sale_id: int, wait: float | None = None, state: str | None = None
    ) -> dict[str, Any]:
        """GET the sale; with `wait` a long-poll, and `state` the state last seen."""
        query = f"?wait={wait:g}" + (f"&state={state}" if state else "") if wait else ""
        r = self.session.get(f"{self.base}/sales/{sale_id}{query}", timeout=(wait or 0) + 15)
        r.raise_for_status()
        return dict(r.json())

    def cancel(self, sale_id: int) -> requests.Response:
        return self.session.post(f"{self.base}/sales/{sale_id}/cancel", timeout=15)

    def wait_until(
        self,
        sale_id: int,
        states: Iterable[str],
        timeout: float = 30.0,
        *,
        known: str | None = None,
        wait: float = 10.0,
    ) -> tuple[dict[str, Any], float, bool]:
        """Long-poll until the sale's state is one of `states`: (record, when seen, late).

        Each long-poll sends `state=` the state last seen, so a change that falls
        between two requests is answered at once. `late` is True when an answer with
        a wanted state came only at the end of its wait (the server missed the change:
        a regression of that); `when seen` is then not the time of the change.
        Without `known` (the state the caller has just read) a plain GET comes first,
        and if it already shows a wanted state, `when seen` is simply now.
        TimeoutError when the sale does not get there in `timeout` seconds.
        """
        wanted = set(states)
        end = time.monotonic() + timeout
        if known is None:
            record = self.sale(sale_id)
            if record["state"] in wanted:
                return record, time.monotonic(), False
            known = str(record["state"])
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"sale {sale_id} is not {sorted(wanted)} after {timeout:g} s")
            step = min(left, wait)
            sent = time.monotonic()
            record = self.sale(sale_id, wait=step, state=known)
            seen = time.monotonic()
            if record["state"] in wanted:
                # A change answers before the server's wait ends; a miss answers at its end.
                return record, seen, seen - sent >= step
            known = str(record["state"])

    def poll_until(
        self, sale_id: int, states: Iterable[str], step: float = 0.002, timeout: float = 30.0
    ) -> tuple[dict[str, Any], float]:
        """Plain GETs every `step` s until the state is one of `states`: (record, when seen)."""
        wanted = set(states)
        end = time.monotonic() + timeout
        while True:
            record = self.sale(sale_id)
            seen = time.monotonic()
            if record["state"] in wanted:
                return record, seen
            if seen > end:
                raise TimeoutError(f"sale {sale_id} is {record['state']}, not {sorted(wanted)}")
            time.sleep(step)

    def close(self) -> None:
        self.session.close()


def off_thread(qtbot: Any, call: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Run `call` (an HTTP request to the in-process kiosk) on another thread.

    The host API answers through the GUI thread, which is this test's thread: it must
    keep running the Qt event loop while the request waits.
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = call()
        except BaseException as exc:  # noqa: BLE001 (re-raised on the test's thread)
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=int(timeout * 1000))
    if "error" in box:
        raise box["error"]
    return box["result"]
