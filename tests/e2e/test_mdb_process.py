"""Checked from outside: a real `kiosk run` process with [mdb] on a pseudo-terminal that an
independent adapter emulator (in this test process) holds, the sandbox as the bank, the host API
and `kiosk journal --json` as the operator reads them; and a SIGKILL in the middle of a vend."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from helpers.controller import HostApi
from helpers.kiosk import FAST, kiosk_config
from helpers.processes import kiosk_cli, kiosk_run
from helpers.waiting import wait_until

from kiosk import config as cfg
from kiosk.journal import FILE_NAME
from kiosk.mdb.emulator import AdapterEmulator
from kiosk.sandbox import Sandbox

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX"),
]

START_TIMEOUT = 30.0


class Kiosk:
    """`python -m kiosk run` as the operator starts it."""

    def __init__(self, config: Path, out: Path) -> None:
        self.config = config
        self.process = kiosk_run(config, out)
        self.api = HostApi(config)

    def kill(self) -> None:
        self.process.kill()

    def get(self, path: str) -> dict[str, Any] | None:
        if not self.process.alive():
            pytest.fail(f"the kiosk exited:\n{self.process.tail()}")
        try:
            response = self.api.get(path)
        except requests.ConnectionError:
            return None
        return response.json() if response.status_code == 200 else None

    def wait_screen(self, screen: str, timeout: float = 15.0) -> None:
        wait_until(
            lambda: (s := self.get("/state")) is not None and s["screen"] == screen,
            timeout,
            f"screen {screen}",
        )

    def vend_on_screen(self, adapter: AdapterEmulator, product: str, price: str) -> dict[str, Any]:
        """A customer picks a product on the machine; the kiosk's sale with its QR shown."""
        assert adapter.select(product, price)
        state = wait_until(
            lambda: (s := self.get("/state")) is not None and s["sale_id"] is not None and s,
            10,
            "the vend's sale",
        )
        return wait_until(
            lambda: (
                (r := self.get(f"/sales/{state['sale_id']}")) is not None
                and r["qr_payment_id"] is not None
                and r
            ),
            10,
            "the vend's QR",
        )

    def journal(self) -> list[dict[str, Any]]:
        result = kiosk_cli("journal", "--json", config=self.config)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture
def adapter(tmp_path: Path) -> Iterator[AdapterEmulator]:
    with AdapterEmulator(tmp_path / "ttyMDB", dispense_delay=0.1) as emulator:
        yield emulator


@pytest.fixture
def rig(
    sandbox_factory: Callable[..., Sandbox], adapter: AdapterEmulator, tmp_path: Path
) -> Iterator[tuple[Sandbox, Path, list[Kiosk]]]:
    sandbox = sandbox_factory(**FAST)
    config = kiosk_config(
        sandbox,
        mdb__enabled=True,
        mdb__port=adapter.port,
        mdb__vend_timeout=20.0,
        mdb__dispense_timeout=3.0,
    )
    kiosks: list[Kiosk] = []
    try:
        yield sandbox, config, kiosks
    finally:
        for kiosk in kiosks:
            kiosk.kill()


def start(rig: tuple[Sandbox, Path, list[Kiosk]], tmp_path: Path) -> Kiosk:
    _sandbox, config, kiosks = rig
    kiosk = Kiosk(config, tmp_path / f"kiosk-{len(kiosks)}.out")
    kiosks.append(kiosk)
    # The amount screen is up at once while the kiosk starts: wait until it sells (with
    # the adapter connected, /v1/health says ok).
    wait_until(
        lambda: (h := kiosk.get("/health")) is not None and h["ok"] and h["screen"] == "amount",
        START_TIMEOUT,
        "the kiosk ready to sell",
    )
    return kiosk


def test_done_when_paid_approved_unpaid_denied_failed_dispense_needs_a_refund(
    rig: tuple[Sandbox, Path, list[Kiosk]], adapter: AdapterEmulator, tmp_path: Path
) -> None:
    sandbox = rig[0]
    kiosk = start(rig, tmp_path)
    health = kiosk.get("/health")
    assert health is not None and health["mdb"] == "connected"

    # Paid: approved with C,VEND,<price>.
    paid = kiosk.vend_on_screen(adapter, "7", "350")
    sandbox.scan(paid["qr_payment_id"])
    sandbox.confirm(paid["qr_payment_id"])
    assert adapter.wait_for(lambda e: len(e.outcomes) >= 1)
    assert adapter.outcomes[0].answer == "approved"
    assert "C,VEND,350" in adapter.commands
    kiosk.wait_screen("amount", 10)

    # Not paid: denied with C,STOP, never approved.
    unpaid = kiosk.vend_on_screen(adapter, "8", "120")
    sandbox.scan_error(unpaid["qr_payment_id"])
    assert adapter.wait_for(lambda e: len(e.outcomes) >= 2)
    assert adapter.outcomes[1].answer == "denied"
    assert adapter.commands.count("C,STOP") == 1
    assert "C,VEND,120" not in adapter.commands
    kiosk.wait_screen("amount", 10)

    # Paid, but the machine fails to dispense: paid and needing a refund in the journal.
    adapter.dispense = "fail"
    failed = kiosk.vend_on_screen(adapter, "9", "200")
    sandbox.scan(failed["qr_payment_id"])
    sandbox.confirm(failed["qr_payment_id"])

    # Waited for through the host API (a `kiosk journal` process per look cost a second of
    # CPU each); then the operator's command must say the same.
    wait_until(
        lambda: (r := kiosk.get(f"/sales/{failed['sale_id']}")) and r["reason"] == "not_dispensed",
        15,
        "the failed dispense",
    )
    [row] = [r for r in kiosk.journal() if r["sale_id"] == failed["sale_id"]]
    assert row["reason"] == "not_dispensed"
    assert (row["state"], row["needs_refund"], row["source"], row["product"]) == (
        "processed",
        True,
        "mdb",
        "9",
    )
    assert row["resolved_at"] is None and row["refunded_amount"] == "0"
    journal = {r["sale_id"]: r for r in kiosk.journal()}
    assert journal[paid["sale_id"]]["state"] == "processed"
    assert not journal[paid["sale_id"]]["needs_refund"]
    assert journal[unpaid["sale_id"]]["state"] == "failed"
    assert adapter.stale == []


def test_killed_mid_vend_the_payment_is_recovered_and_the_stale_vend_never_approved(
    rig: tuple[Sandbox, Path, list[Kiosk]], adapter: AdapterEmulator, tmp_path: Path
) -> None:
    sandbox, _config, kiosks = rig
    kiosk = start(rig, tmp_path)
    sale = kiosk.vend_on_screen(adapter, "7", "350")
    sandbox.scan(sale["qr_payment_id"])
    wait_until(
        lambda: (
            (r := kiosk.get(f"/sales/{sale['sale_id']}")) is not None and r["state"] == "awaiting"
        ),
        5,
        "awaiting",
    )
    kiosk.kill()  # SIGKILL: no clean-up, the adapter's port just closes
    sandbox.confirm(sale["qr_payment_id"])  # the customer confirms while the kiosk is dead

    again = start(rig, tmp_path)
    record = again.get(f"/sales/{sale['sale_id']}")
    assert record is not None
    assert (record["state"], record["needs_refund"], record["recovered"], record["reason"]) == (
        "processed",
        True,
        True,
        "interrupted",
    )
    # The machine had forgotten the vend: the new kiosk never approves it.
    assert adapter.wait_enabled()
    time.sleep(0.5)
    assert not any(c.startswith("C,VEND") for c in adapter.commands)
    assert adapter.stale == []
    assert [o.answer for o in adapter.outcomes] == ["reset"]
    attention = [r["sale_id"] for r in again.journal() if r["needs_refund"]]
    assert attention == [sale["sale_id"]]
    assert len(kiosks) == 2


def refund_rows(config: Path) -> list[dict[str, Any]]:
    """The journal's refunds table, read as another process would (read-only)."""
    path = cfg.load(config).data_dir / FILE_NAME
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM refunds ORDER BY refund_id")]


def test_killed_during_the_automatic_refund_the_payment_takes_no_other_until_checked(
    sandbox_factory: Callable[..., Sandbox], adapter: AdapterEmulator, tmp_path: Path
) -> None:
    sandbox = sandbox_factory(**FAST)
    config = kiosk_config(
        sandbox,
        "enhanced",
        mdb__enabled=True,
        mdb__port=adapter.port,
        mdb__vend_timeout=20.0,
        mdb__dispense_timeout=3.0,
    )
    rig: tuple[Sandbox, Path, list[Kiosk]] = (sandbox, config, [])
    try:
        kiosk = start(rig, tmp_path)
        # The bank holds the automatic refund's answer; the kiosk dies meanwhile.
        sandbox.inject_fault("slow", count=1, path_contains="/payment/return", delay=60.0)
        adapter.dispense = "fail"
        sale = kiosk.vend_on_screen(adapter, "9", "200")
        payment_id = sale["qr_payment_id"]
        sandbox.scan(payment_id)
        sandbox.confirm(payment_id)
        [row] = wait_until(lambda: refund_rows(config) or None, 15, "the refund journalled")
        assert (row["source"], row["state"], row["sale_id"]) == ("mdb", "sending", sale["sale_id"])
        assert row["qr_payment_id"] == payment_id
        assert Decimal(row["amount"]) == Decimal(row["available"]) == 200  # AvailableReturnAmount
        wait_until(lambda: any("/payment/return" in r.path for r in sandbox.requests), 5, "sent")
        kiosk.kill()

        again = start(rig, tmp_path)
        [row] = refund_rows(config)
        assert row["state"] == "sending" and row["finished_at"] is None  # open: may have gone
        record = again.get(f"/sales/{sale['sale_id']}")
        assert record is not None and record["needs_refund"] is True
        # The operator's `kiosk refund` of the same payment is refused before the bank.
        refused = kiosk_cli("refund", str(payment_id), "200", config=config)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "check it before another" in refused.stderr
        assert sum("/payment/return" in r.path for r in sandbox.requests) == 1
        assert len(refund_rows(config)) == 1
    finally:
        for kiosk in rig[2]:
            kiosk.kill()
