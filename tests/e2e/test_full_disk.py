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

import pytest
from helpers.disk import SmallDisk
from helpers.kiosk import FAST, kiosk_config
from helpers.kiosk_host import START_TIMEOUT, HostKiosk
from helpers.waiting import wait_until

from kiosk.sandbox import Sandbox

#: Back in service within this many seconds of space returning (the start-up retry is 15 s
#: at most; the health check runs every second in these tests).
BACK_WITHIN = 20.0


@pytest.fixture
def kiosk(
    sandbox_factory: Callable[..., Sandbox], small_disk: SmallDisk, tmp_path: Path
) -> Iterator[HostKiosk]:
    data_dir = small_disk.folder / "data"
    config = kiosk_config(sandbox_factory(**FAST), storage__data_dir=str(data_dir))
    rig = HostKiosk(config, tmp_path / "kiosk.out")
    try:
        yield rig
    finally:
        rig.kill()


def test_a_disk_that_fills_and_frees_never_stops_the_host_api(
    kiosk: HostKiosk, small_disk: SmallDisk
) -> None:
    kiosk.start()
    kiosk.ready()
    small_disk.fill()
    # Answering all along, and saying why it does not sell, without a sale being tried.
    health = wait_until(
        lambda: (h := kiosk.health()) is not None and not h["ok"] and h,
        10,
        "health saying the disk is full",
    )
    assert health["journal_ok"] is False and "disk" in health["problem"], health
    refused = kiosk.post("/sales", {"amount": 100, "external_id": "full-1"})
    assert refused.status_code == 503, refused.text
    assert refused.json()["message"] == health["problem"], (refused.json(), health)
    for _ in range(20):  # it keeps answering while the disk stays full
        assert kiosk.health() is not None
        time.sleep(0.1)
    small_disk.free()
    freed = time.monotonic()
    kiosk.ready(BACK_WITHIN)
    back = time.monotonic() - freed
    sale = kiosk.post("/sales", {"amount": 100, "external_id": "after-free"})
    assert sale.status_code == 201, sale.text
    print(f"full while running: in service {back:.1f} s after space returned")


def test_a_kiosk_started_on_a_full_disk_answers_with_the_disk_reason(
    kiosk: HostKiosk, small_disk: SmallDisk
) -> None:
    small_disk.fill(leave=8192)  # a few KiB left, as on the day it was found
    kiosk.start()
    health = wait_until(
        lambda: (h := kiosk.health()) is not None and h["problem"] and h,
        START_TIMEOUT,
        "the host API answering with the kiosk's problem",
    )
    assert health["ok"] is False and "disk" in health["problem"], health
    refused = kiosk.post("/sales", {"amount": 100})
    assert refused.status_code == 503, refused.text
    assert refused.json()["message"] == health["problem"], (refused.json(), health)
    small_disk.free()
    freed = time.monotonic()
    kiosk.ready(BACK_WITHIN)
    back = time.monotonic() - freed
    print(f"started on a full disk: in service {back:.1f} s after space returned")


def test_a_cancel_the_full_disk_cannot_record_is_not_answered_200(
    kiosk: HostKiosk, small_disk: SmallDisk
) -> None:
    kiosk.start()
    kiosk.ready()
    created = kiosk.post("/sales", {"amount": 100, "external_id": "cancel-on-full"})
    sale = kiosk.wait_sale(created.json()["sale_id"], "qr")
    small_disk.fill()
    # A poll (1 s) comes and its journal write fails: the sale knows it, and so does health.
    wait_until(
        lambda: (h := kiosk.health()) is not None and h["journal_ok"] is False,
        10,
        "the sale's journal write failing",
    )
    cancel = kiosk.post(f"/sales/{sale['sale_id']}/cancel")
    # Never 200 with a body that says the sale still runs: refused, and it still runs.
    assert cancel.status_code == 503, cancel.text
    assert "disk is full" in cancel.json()["message"], cancel.text
    assert kiosk.sale(sale["sale_id"])["state"] == "qr"
    small_disk.free()
    cancel = kiosk.post(f"/sales/{sale['sale_id']}/cancel")
    assert cancel.status_code == 200 and cancel.json()["state"] == "cancelled", cancel.text
