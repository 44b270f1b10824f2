"""The sandbox as a server: kept connections, restarts, freed ports, its command line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from helpers.sandbox import (
    Bank,
    basic_session,
    mtls_session,
)

from kiosk.config import load, write_value
from kiosk.sandbox import PortInUseError, Sandbox, state

Factory = Callable[..., Sandbox]


def test_one_connection_serves_many_requests(sandbox: Sandbox) -> None:
    for scheme in ("basic", "standard"):
        bank = Bank(sandbox, scheme)
        for i in range(5):
            r = bank.session.get(
                bank.base + "/health/ping", headers={"X-Request-ID": f"req-{i}"}, timeout=5
            )
            assert r.headers["X-Request-ID"] == f"req-{i}"
        assert sandbox.connection_count(scheme) == 1
        mine = [r for r in sandbox.requests if r.scheme == scheme]
        assert len({r.connection_id for r in mine}) == 1
        assert [r.request_id for r in mine] == [f"req-{i}" for i in range(5)]
        assert all(r.api_key_present == (scheme == "basic") for r in mine)


# --- life cycle -------------------------------------------------------------------------------


def test_device_tokens_survive_a_restart(sandbox_factory: Factory, tmp_path: Path) -> None:
    folder = tmp_path / "persist"
    first = sandbox_factory(folder)
    token = Bank(first, "standard").register()
    key, pfx = first.api_key, first.pki.client_pfx.read_bytes()
    write_value(first.config_path("standard"), "kaspi", "device_token", token)
    write_value(first.config_path("basic"), "kaspi", "device_token", "forgotten-token")
    first.stop()
    second = sandbox_factory(folder)
    assert (second.api_key, second.pki.client_pfx.read_bytes()) == (key, pfx)
    assert load(second.config_path("standard")).kaspi.device_token == token
    assert load(second.config_path("basic")).kaspi.device_token == ""
    assert load(second.config_path("standard")).kaspi.base_url == second.base_url("standard")
    bank = Bank(second, "standard")
    pid = bank.data("POST", "/qr/create", {"DeviceToken": token, "Amount": 3})["QrPaymentId"]
    assert pid >= state.FIRST_ID + 1_000_000  # ids of a new run never repeat an old one


def test_stop_frees_ports_and_threads(sandbox_factory: Factory) -> None:
    before = threading.active_count()
    sandbox = sandbox_factory()
    idle = basic_session(sandbox)  # a client holding an idle keep-alive connection
    idle.get(sandbox.base_url("basic") + "/health/ping", timeout=5)
    mtls_session(sandbox).get(sandbox.base_url("standard") + "/health/ping", timeout=5)
    started = time.monotonic()
    sandbox.stop()
    assert time.monotonic() - started < 2
    assert threading.active_count() == before, threading.enumerate()
    for port in sandbox.ports.values():
        socket.create_server(("127.0.0.1", port)).close()


def test_a_busy_port_is_reported(sandbox: Sandbox, tmp_path: Path) -> None:
    busy = sandbox.ports["standard"]
    other = Sandbox(tmp_path / "other", ports={"basic": 0, "standard": busy, "enhanced": 0})
    with pytest.raises(PortInUseError) as exc:
        other.start()
    assert exc.value.scheme == "standard" and str(busy) in str(exc.value)
    socket.create_server(("127.0.0.1", other.ports["basic"])).close()  # closed again


def test_an_unreadable_state_file_is_set_aside(sandbox_factory: Factory, tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "state.json").write_text('{"devices": [{"token": 1}]}', encoding="utf-8")
    sandbox = sandbox_factory(folder)
    assert (folder / "state.json.bad").exists()
    assert Bank(sandbox, "basic").get("/health/ping")["StatusCode"] == 0


def _cli(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    code = (
        "import argparse, sys\n"
        "from kiosk.cli import sandbox as cli\n"
        "p = argparse.ArgumentParser()\n"
        "cli.add_arguments(p)\n"
        "sys.exit(cli.run(p.parse_args(sys.argv[1:])))\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def test_cli_port_in_use_is_one_line_and_exit_2(sandbox: Sandbox, tmp_path: Path) -> None:
    proc = _cli(
        "--dir",
        str(tmp_path / "cli"),
        "--port-basic",
        str(sandbox.ports["basic"]),
        "--port-standard",
        "0",
        "--port-enhanced",
        "0",
    )
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert err.strip().count("\n") == 0 and str(sandbox.ports["basic"]) in err
    assert "Traceback" not in err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child needs a console group")
def test_cli_serves_until_ctrl_c(tmp_path: Path, sandbox_pki: Path) -> None:
    import shutil

    shutil.copytree(sandbox_pki, tmp_path / "cli" / "pki")
    proc = _cli(
        "--dir",
        str(tmp_path / "cli"),
        "--port-basic",
        "0",
        "--port-standard",
        "0",
        "--port-enhanced",
        "0",
        "--scan-timeout",
        "20",
        "--fault",
        "code999:2",
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if not line.strip() and len(lines) > 3:
            break
    text = "".join(lines)
    assert "https://localhost:" in text and "kiosk-enhanced.toml" in text
    config = load(tmp_path / "cli" / "kiosk-basic.toml")
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would replace session.verify
    session.verify = str(config.resolve(config.kaspi.ca_file))
    session.headers["Api-Key"] = config.kaspi.api_key
    codes = [
        session.get(config.kaspi.base_url + "/health/ping", timeout=5).json()["StatusCode"]
        for _ in range(3)
    ]
    assert codes == [-999, -999, 0]
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "sandbox stopped" in out
