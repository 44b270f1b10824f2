"""A real kiosk process whose data folder is on a real small filesystem (tmpfs) that fills up.

A full disk is an ordinary day for a kiosk (logs, Windows updates). The host API must
keep answering (`ok: false` and the reason), new sales are refused with 503 and the
disk's reason, and the kiosk is back in service by itself within seconds of space
returning. Needs root for `mount -t tmpfs` (CI runs as root); skipped with the reason
when the mount is refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from helpers.disk import SmallDisk
from helpers.kiosk import FAST, HostApi, kiosk_config
from helpers.processes import Process, kiosk_run
from helpers.waiting import wait_until

from kiosk.sandbox import Sandbox

START_TIMEOUT = 30.0
#: Back in service within this many seconds of space returning (the start-up retry is 15 s
#: at most; the health check runs every second in these tests).
BACK_WITHIN = 20.0


class Kiosk:
    """A kiosk process whose data folder is the small disk, driven through its host API."""

    def __init__(self, sandbox: Sandbox, disk: SmallDisk, tmp_path: Path) -> None:
        self.config = kiosk_config(sandbox, storage__data_dir=str(disk.folder / "data"))
        self.api = HostApi(self.config)
        self.data_dir = disk.folder / "data"
        self.out = tmp_path / "kiosk.out"
        self.process: Process | None = None

    def start(self) -> Process:
        self.process = kiosk_run(self.config, self.out)
        return self.process

    def get(self, path: str) -> requests.Response | None:
        """The answer, or None when the host API refuses the connection."""
        assert self.process is not None
        if not self.process.alive():
            pytest.fail(f"the kiosk exited:\n{self.process.tail()}")
        try:
            return self.api.session.get(self.api.base + path, timeout=5)
        except requests.ConnectionError:
            return None

    def health(self) -> dict[str, Any] | None:
        answer = self.get("/health")
        return answer.json() if answer is not None and answer.status_code == 200 else None

    def ready(self, timeout: float) -> dict[str, Any]:
        last: list[Any] = [None]

        def selling() -> Any:
            health = last[0] = self.health()
            return health is not None and health["ok"] and health["screen"] == "amount" and health

        return wait_until(
            selling, timeout, f"the kiosk back in service (last: {last})\n{self.log()}"
        )

    def log(self) -> str:
        path = self.data_dir / "logs" / "kiosk.log"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-30:])


@pytest.fixture
def kiosk(
    sandbox_factory: Callable[..., Sandbox], small_disk: SmallDisk, tmp_path: Path
) -> Iterator[Kiosk]:
    rig = Kiosk(sandbox_factory(**FAST), small_disk, tmp_path)
    try:
        yield rig
    finally:
        if rig.process is not None:
            rig.process.kill()


def test_a_disk_that_fills_and_frees_never_stops_the_host_api(
    kiosk: Kiosk, small_disk: SmallDisk
) -> None:
    kiosk.start()
    kiosk.ready(START_TIMEOUT)
    small_disk.fill()
    # Answering all along, and saying why it does not sell, without a sale being tried.
    health = wait_until(
        lambda: (h := kiosk.health()) is not None and not h["ok"] and h,
        10,
        "health saying the disk is full",
    )
    assert health["journal_ok"] is False and "disk" in health["problem"], health
    refused = kiosk.api.post("/sales", json={"amount": 100, "external_id": "full-1"})
    assert refused.status_code == 503, refused.text
    assert refused.json()["message"] == health["problem"], (refused.json(), health)
    for _ in range(20):  # it keeps answering while the disk stays full
        assert kiosk.health() is not None
        time.sleep(0.1)
    small_disk.free()
    freed = time.monotonic()
    kiosk.ready(BACK_WITHIN)
    back = time.monotonic() - freed
    sale = kiosk.api.post("/sales", json={"amount": 100, "external_id": "after-free"})
    assert sale.status_code == 201, sale.text
    print(f"back in service {back:.1f} s after space returned")


def test_a_kiosk_started_on_a_full_disk_answers_with_the_disk_reason(
    kiosk: Kiosk, small_disk: SmallDisk
) -> None:
    small_disk.fill(leave=8192)  # a few KiB left, as on the day it was found
    kiosk.start()
    health = wait_until(
        lambda: (h := kiosk.health()) is not None and h["problem"] and h,
        START_TIMEOUT,
        "the host API answering with the kiosk's problem",
    )
    assert health["ok"] is False and "disk" in health["problem"], health
    refused = kiosk.api.post("/sales", json={"amount": 100})
    assert refused.status_code == 503, refused.text
    assert refused.json()["message"] == health["problem"], (refused.json(), health)
    small_disk.free()
    kiosk.ready(BACK_WITHIN)
