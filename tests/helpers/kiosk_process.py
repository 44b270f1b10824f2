"""A real `kiosk run` process on a sandbox, as an operator starts it, for the host API's clients."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from helpers.kiosk import HostApi
from helpers.processes import Process, kiosk_run
from helpers.waiting import wait_until

from kiosk import config as cfg

START_TIMEOUT = 30.0  # a cold interpreter importing Qt on a loaded machine


class KioskProcess:
    """`kiosk --config <config> run`, its host API's address and token, killed by stop()."""

    def __init__(self, config: Path, out: Path) -> None:
        self.config = config
        loaded = cfg.load(config)
        self.url = f"http://127.0.0.1:{loaded.host_api.port}"
        self.token = loaded.host_api.token
        self.data_dir = loaded.data_dir
        self.api = HostApi(config)
        self.process: Process = kiosk_run(config, out)

    def wait_ready(self) -> None:
        """Until the amount screen is up and the kiosk sells (it shows the screen sooner)."""
        wait_until(self._ready, START_TIMEOUT, "the kiosk ready to sell")

    def _ready(self) -> bool:
        if not self.process.alive():
            pytest.fail(f"the kiosk exited:\n{self.process.tail()}")
        try:
            health = self.api.get("/health")
        except requests.ConnectionError:
            return False
        return health.status_code == 200 and bool(health.json()["ok"])

    def stop(self) -> None:
        self.process.kill()
