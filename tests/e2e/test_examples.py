"""docs/examples/controller.py and controller.mjs sell through a real kiosk process.

Each is started together with the kiosk, so its first calls meet a port not yet open
and a kiosk still starting (503); the test plays the customer through the sandbox's
test endpoints once the QR is up. Through a proxy that loses the kiosk's answer to the
first create, each example must ask again with the same external_id and get the sale
it made: one sale in the journal, one payment at the bank.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from helpers.kiosk import kiosk_config
from helpers.kiosk_process import START_TIMEOUT, KioskProcess
from helpers.processes import process_env
from helpers.waiting import wait_until

from kiosk import config as cfg
from kiosk.journal import Journal
from kiosk.sandbox import Sandbox

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"
NODE = shutil.which("node")
#: Long enough for a scan on a loaded machine; the kiosk follows the bank's timeouts.
TIMEOUTS = {"poll_interval": 1, "scan_timeout": 30, "confirm_timeout": 30}

pytestmark = pytest.mark.slow


def _command(example: str) -> list[str]:
    if example == "controller.mjs":
        if NODE is None:
            pytest.skip("node not found: install Node.js 18+ to run the fetch example")
        return [NODE, str(EXAMPLES / example)]
    return [sys.executable, str(EXAMPLES / example)]


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    return sandbox_factory(**TIMEOUTS)


class LosingProxy(ThreadingHTTPServer):
    """Forwards to the kiosk; its answer to the first POST /v1/sales it took never arrives."""

    daemon_threads = True

    def __init__(self, target: str) -> None:
        super().__init__(("127.0.0.1", 0), _Forward)
        self.target = target
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.creates: list[tuple[int, str]] = []  # (the kiosk's status, the body sent)


class _Forward(BaseHTTPRequestHandler):
    server: LosingProxy

    def do_GET(self) -> None:
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        try:
            answer = requests.request(
                self.command, self.server.target + self.path, data=body, headers=headers, timeout=70
            )
        except requests.ConnectionError:
            self.close_connection = True  # the kiosk is not listening yet: nor is the proxy
            return
        if self.command == "POST" and self.path == "/v1/sales":
            self.server.creates.append((answer.status_code, body.decode()))
            made = [status for status, _ in self.server.creates].count(201)
            if answer.status_code == 201 and made == 1:
                self.close_connection = True  # the sale is made; its answer is lost
                return
        self.send_response(answer.status_code)
        for name in ("Content-Type", "Content-Length", "Location"):
            if name in answer.headers:
                self.send_header(name, answer.headers[name])
        self.end_headers()
        self.wfile.write(answer.content)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def proxy_for() -> Iterator[Callable[[str], LosingProxy]]:
    proxies: list[LosingProxy] = []

    def start(target: str) -> LosingProxy:
        proxy = LosingProxy(target)
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        proxies.append(proxy)
        return proxy

    yield start
    for proxy in proxies:
        proxy.shutdown()
        proxy.server_close()


def _sell(
    sandbox: Sandbox, tmp_path: Path, example: str, config: Path, url: str | None = None
) -> str:
    """Start the kiosk and the example at once, pay as the customer; the example's output."""
    command = _command(example)
    kiosk = KioskProcess(config, tmp_path / "kiosk.out")
    try:
        run = subprocess.Popen(
            [*command, "--url", url or kiosk.url, "--token", kiosk.token, "--amount", "150"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=process_env(),
        )
        try:
            payment = wait_until(
                lambda: _example_alive(run) and _payment_id(kiosk),
                START_TIMEOUT + 20,
                "the example's sale with a QR",
            )
            sandbox.scan(payment)
            sandbox.confirm(payment)
            output, _ = run.communicate(timeout=60)
        finally:
            if run.poll() is None:
                run.kill()
                run.wait()
        assert run.returncode == 0, output
        assert output.strip().splitlines()[-1] == "processed", output
        return output
    finally:
        kiosk.stop()


def _example_alive(run: subprocess.Popen[str]) -> bool:
    """True while the example runs; an example that ended before its QR fails the test at
    once, with what it printed, instead of being waited for."""
    if run.poll() is None:
        return True
    output, _ = run.communicate()
    pytest.fail(f"the example exited with {run.returncode} before its QR:\n{output}")


def _payment_id(kiosk: KioskProcess) -> int | None:
    if not kiosk.process.alive():
        pytest.fail(f"the kiosk exited:\n{kiosk.process.tail()}")
    try:
        state = kiosk.api.get("/state")
        if state.status_code != 200 or state.json()["sale_id"] is None:
            return None
        sale = kiosk.api.get(f"/sales/{state.json()['sale_id']}").json()
    except requests.ConnectionError:
        return None
    return sale["qr_payment_id"] if sale["state"] == "qr" else None


@pytest.mark.parametrize("example", ["controller.py", "controller.mjs"])
def test_the_example_sells_and_ends_processed(
    sandbox: Sandbox, tmp_path: Path, example: str
) -> None:
    output = _sell(sandbox, tmp_path, example, kiosk_config(sandbox))
    assert "150.00 tenge" in output
    # Started with the kiosk: it waited (port closed, or 503 while starting) and went on.
    assert "waiting for the kiosk" in output
    print(output)  # what it met on the way, in the test's report


@pytest.mark.parametrize("example", ["controller.py", "controller.mjs"])
def test_a_lost_answer_never_charges_twice(
    sandbox: Sandbox,
    tmp_path: Path,
    example: str,
    proxy_for: Callable[[str], LosingProxy],
) -> None:
    config = kiosk_config(sandbox)
    loaded = cfg.load(config)
    proxy = proxy_for(f"http://127.0.0.1:{loaded.host_api.port}")
    _sell(sandbox, tmp_path, example, config, url=proxy.url)
    created = [c for c in proxy.creates if c[0] in (200, 201)]
    assert [status for status, _ in created] == [201, 200], proxy.creates
    assert len({json.loads(body)["external_id"] for _, body in created}) == 1
    with Journal.open(loaded.data_dir) as journal:
        assert len(journal.list()) == 1
    assert sum(1 for r in sandbox.requests if r.path.endswith("/qr/create")) == 1
