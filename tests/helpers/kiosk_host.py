"""A real kiosk process (`kiosk run`) driven through its host API, as a vending controller does,
started and restarted by the test (helpers.kiosk_process starts one at once)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests
from helpers.controller import HostApi
from helpers.processes import Process, kiosk_run
from helpers.waiting import wait_until

from kiosk import config as cfg

START_TIMEOUT = 30.0  # a cold interpreter importing Qt on a loaded machine


class HostKiosk:
    """The kiosk of `config` (kiosk_config), started by start(); its output in `out`."""

    def __init__(self, config: Path, out: Path) -> None:
        self.config = config
        self.api = HostApi(config)
        self.data_dir = cfg.load(config).data_dir
        self.out = out
        self.process: Process | None = None

    def start(self) -> Process:
        self.process = kiosk_run(self.config, self.out)
        return self.process

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()

    def get(self, path: str, **params: Any) -> requests.Response | None:
        """The answer, or None when the host API refuses the connection."""
        assert self.process is not None
        if not self.process.alive():
            pytest.fail(f"the kiosk exited:\n{self.process.tail()}")
        try:
            return self.api.session.get(self.api.base + path, params=params, timeout=70)
        except requests.ConnectionError:
            return None

    def post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        return self.api.session.post(self.api.base + path, json=body, timeout=10)

    def health(self) -> dict[str, Any] | None:
        answer = self.get("/health")
        return answer.json() if answer is not None and answer.status_code == 200 else None

    def ready(self, timeout: float = START_TIMEOUT) -> dict[str, Any]:
        """Health ok on the amount screen: the kiosk sells."""

        def selling() -> Any:
            health = self.health()
            return health is not None and health["ok"] and health["screen"] == "amount" and health

        return wait_until(selling, timeout, f"the kiosk in service; its log:\n{self.log()}")

    def sale(self, sale_id: int, **params: Any) -> dict[str, Any]:
        answer = self.get(f"/sales/{sale_id}", **params)
        assert answer is not None and answer.status_code == 200, answer and answer.text
        return dict(answer.json())

    def wait_sale(self, sale_id: int, *states: str, timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        record = self.sale(sale_id)
        while record["state"] not in states:
            if time.monotonic() > deadline:
                pytest.fail(f"sale {sale_id} is not {'/'.join(states)}: {record}\n{self.log()}")
            time.sleep(0.02)
            record = self.sale(sale_id)
        return record

    def log(self, lines: int = 30) -> str:
        path = self.data_dir / "logs" / "kiosk.log"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])
