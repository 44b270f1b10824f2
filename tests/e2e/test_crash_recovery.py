"""A real kiosk process killed with SIGKILL at every stage of a sale: no payment is lost.

The kiosk runs as the operator runs it (`python -m kiosk run`), against a
sandbox in this process, and is driven through the host API exactly as a
vending controller drives it. The customer acts on the sandbox directly. After
each kill a new kiosk starts on the same journal, and the host API and
`kiosk journal --json` must both tell the truth about the sale.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from helpers import report
from helpers.controller import HostApi
from helpers.kiosk import FAST, kiosk_config
from helpers.processes import Process, kiosk_cli, kiosk_run
from helpers.waiting import wait_until

from kiosk import config as cfg
from kiosk.journal import Journal, SaleRecord
from kiosk.sandbox import Sandbox

FINAL = ("processed", "failed", "cancelled", "unknown")
START_TIMEOUT = 30.0  # a cold interpreter importing Qt on a loaded CI machine

pytestmark = pytest.mark.slow  # a kiosk process started, killed and started again


class Rig:
    """A sandbox, a registered kiosk config with its host API, and the kiosk processes."""

    def __init__(self, sandbox: Sandbox, tmp_path: Path) -> None:
        self.sandbox = sandbox
        # A start-up that fails (the journal refused) is tried again within a second.
        self.config = kiosk_config(sandbox, kiosk__retry_seconds=1.0)
        self.api = HostApi(self.config)
        self.data_dir = cfg.load(self.config).data_dir
        self.tmp_path = tmp_path
        self.kiosks: list[Process] = []

    # --- the kiosk process ---

    def configure(self, **edits: Any) -> None:
        """Config values (`section__key=value`) for the kiosks started from now on."""
        for name, value in edits.items():
            section, key = name.split("__")
            cfg.write_value(self.config, section, key, value)

    def start(self, *, wait_for: str | None = "amount") -> Process:
        kiosk = kiosk_run(self.config, self.tmp_path / f"kiosk-{len(self.kiosks)}.out")
        self.kiosks.append(kiosk)
        if wait_for == "amount":
            self.wait_ready(START_TIMEOUT)
        elif wait_for:
            self.wait_screen(wait_for, START_TIMEOUT)
        return kiosk

    def kill(self) -> None:
        self.kiosks[-1].kill()

    def state(self) -> dict[str, Any] | None:
        """GET /v1/state, or None while the host API does not answer yet."""
        if not self.kiosks[-1].alive():
            pytest.fail(f"the kiosk exited:\n{self.kiosks[-1].tail()}")
        try:
            response = self.api.get("/state")
        except requests.ConnectionError:
            return None
        return response.json() if response.status_code == 200 else None

    def wait_screen(self, screen: str, timeout: float = 15.0) -> dict[str, Any]:
        return wait_until(
            lambda: (s := self.state()) is not None and s["screen"] == screen and s,
            timeout,
            f"the kiosk's screen {screen!r}",
        )

    def wait_ready(self, timeout: float = 15.0) -> dict[str, Any]:
        """The amount screen is up before the kiosk sells: wait for health ok as well."""

        def ready() -> Any:
            state = self.state()
            if state is None or state["screen"] != "amount":
                return False
            health = self.api.get("/health")
            return health.status_code == 200 and health.json()["ok"] and state

        return wait_until(ready, timeout, "the kiosk ready to sell")

    # --- sales through the host API ---

    def sell(self, amount: int = 350, external_id: str | None = None) -> dict[str, Any]:
        response = self.api.post("/sales", json={"amount": amount, "external_id": external_id})
        assert response.status_code == 201, response.text
        return response.json()

    def sale(self, sale_id: int) -> dict[str, Any]:
        response = self.api.get(f"/sales/{sale_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def wait_sale(self, sale_id: int, *states: str, timeout: float = 15.0) -> dict[str, Any]:
        """GET /v1/sales/{id} until the sale is in one of `states`.

        The host API's long-poll waits for a change from the state the sale has when the
        request arrives, so it can step over a short state the test wants to see; it is
        used only when every wanted state is final.
        """
        long_poll = all(s in FINAL for s in states)
        deadline = time.monotonic() + timeout
        record = self.sale(sale_id)
        while record["state"] not in states:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"sale {sale_id} is not {'/'.join(states)}: {record}\n{self.log()}")
            if long_poll:
                response = self.api.get(f"/sales/{sale_id}", params={"wait": f"{min(left, 5):.2f}"})
                assert response.status_code == 200, response.text
                record = response.json()
            else:
                time.sleep(0.05)
                record = self.sale(sale_id)
        return record

    def qr_on_screen(self) -> dict[str, Any]:
        """A new sale whose QR is on the kiosk's screen (its payment id is in the journal)."""
        sale = self.sell()
        sale = self.wait_sale(sale["sale_id"], "qr")
        assert sale["qr_payment_id"] is not None
        self.wait_screen("qr")
        return sale

    def log(self, lines: int = 40) -> str:
        """The end of the kiosk's log file, for failure messages."""
        path = self.data_dir / "logs" / "kiosk.log"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    # --- the journal, read as the operator reads it ---

    def journal_record(self, sale_id: int) -> SaleRecord:
        with Journal.open(self.data_dir) as journal:
            record = journal.get(sale_id)
        assert record is not None
        return record

    def journal_cli(self, *args: str) -> list[dict[str, Any]]:
        result = kiosk_cli("journal", *args, "--json", config=self.config)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def journal_cli_sale(self, sale_id: int) -> dict[str, Any]:
        found = [r for r in self.journal_cli() if r["sale_id"] == sale_id]
        assert len(found) == 1, found
        return found[0]


#: "start-up recovery took X s" in a kiosk's log: the longest is printed after the run.
_RECOVERY_LINE = re.compile(r"start-up recovery took ([0-9.]+) s")


@pytest.fixture
def rig(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Rig]:
    rig = Rig(sandbox_factory(**FAST), tmp_path)
    try:
        yield rig
    finally:
        for kiosk in rig.kiosks:
            kiosk.kill()
        log_file = rig.data_dir / "logs" / "kiosk.log"
        if log_file.exists():
            text = log_file.read_text(encoding="utf-8", errors="replace")
            for m in _RECOVERY_LINE.finditer(text):
                report.record("crash tests' start-up recovery", float(m[1]), request.node.name)


def assert_host_and_cli_agree(rig: Rig, sale_id: int, **expected: Any) -> None:
    host, cli = rig.sale(sale_id), rig.journal_cli_sale(sale_id)
    for name, value in expected.items():
        assert host[name] == value, (name, host)
        assert cli[name] == value, (name, cli)


# --- the stages -------------------------------------------------------------------------------


def test_killed_while_qr_create_is_in_flight(rig: Rig) -> None:
    rig.start()
    rig.sandbox.inject_fault("slow", count=1, path_contains="/qr/create", delay=5)
    sale = rig.sell(external_id="order-before-create")
    assert sale["state"] == "pending"
    sale_id = sale["sale_id"]
    # The kiosk is waiting for the bank's answer, with the sale journalled as creating.
    wait_until(
        lambda: any("/qr/create" in r.path for r in rig.sandbox.requests),
        10,
        "qr/create at the bank",
    )
    assert rig.journal_record(sale_id).state == "creating"
    rig.kill()

    rig.start()
    # The customer never saw a QR (its id is journalled before it is shown): nothing can
    # have been paid, so the sale is settled, not left for an operator who cannot check it.
    assert_host_and_cli_agree(
        rig, sale_id, state="failed", reason="interrupted", recovered=True, needs_refund=False
    )
    assert "no QR was shown" in (rig.journal_record(sale_id).note or "")
    assert rig.sale(sale_id)["qr_payment_id"] is None


def test_killed_with_the_qr_on_screen_and_nobody_scans(rig: Rig) -> None:
    rig.start()
    sale = rig.qr_on_screen()
    sale_id = sale["sale_id"]
    rig.kill()

    # Hold the recovery's first status read, so the test sees the kiosk while it recovers.
    rig.sandbox.inject_fault("slow", count=1, path_contains="/payment/status", delay=2)
    rig.start(wait_for="out_of_service")
    refused = rig.api.post("/sales", json={"amount": 100})
    assert refused.status_code in (503, 409), refused.text
    assert refused.json()["error"] in ("out_of_service", "busy")
    assert rig.api.get("/health").json()["ok"] is False

    # The bank is asked until the QR's ExpireDate has passed: then it provably was not paid.
    record = rig.wait_sale(sale_id, "failed", timeout=20)
    assert (record["reason"], record["recovered"], record["needs_refund"]) == (
        "scan_timeout",
        True,
        False,
    )
    rig.wait_screen("amount")
    assert_host_and_cli_agree(rig, sale_id, state="failed", reason="scan_timeout", recovered=True)
    # Recovered: new sales are served again.
    after = rig.sell(120)
    assert rig.wait_sale(after["sale_id"], "qr")["qr_payment_id"] is not None


def test_paid_while_the_kiosk_was_dead_after_create(rig: Rig) -> None:
    rig.start()
    sale = rig.qr_on_screen()
    sale_id, payment_id = sale["sale_id"], sale["qr_payment_id"]
    rig.kill()
    rig.sandbox.scan(payment_id)
    rig.sandbox.confirm(payment_id)

    rig.start()
    # Paid, but the customer never saw "paid" at the kiosk: hand the goods over or refund.
    assert_host_and_cli_agree(
        rig, sale_id, state="processed", reason="interrupted", recovered=True, needs_refund=True
    )
    assert [r["sale_id"] for r in rig.journal_cli("attention")] == [sale_id]


def test_confirmed_while_the_kiosk_was_dead_awaiting_confirmation(rig: Rig) -> None:
    """The issue's acceptance check."""
    rig.start()
    sale = rig.qr_on_screen()
    sale_id, payment_id = sale["sale_id"], sale["qr_payment_id"]
    rig.sandbox.scan(payment_id)
    assert rig.wait_sale(sale_id, "awaiting", timeout=5)["state"] == "awaiting"
    rig.kill()
    rig.sandbox.confirm(payment_id)  # within the 4 s confirmation timeout

    rig.start()
    host = rig.sale(sale_id)
    assert (host["state"], host["recovered"]) == ("processed", True)
    cli = rig.journal_cli_sale(sale_id)
    assert (cli["state"], cli["recovered"]) == ("processed", True)
    assert host["needs_refund"] is cli["needs_refund"] is True  # the screen never said "paid"
    assert rig.journal_record(sale_id).last_status == "Processed"


def test_killed_after_processed_changes_nothing(rig: Rig) -> None:
    rig.start()
    sale = rig.qr_on_screen()
    sale_id, payment_id = sale["sale_id"], sale["qr_payment_id"]
    rig.sandbox.scan(payment_id)
    rig.wait_sale(sale_id, "awaiting", timeout=5)
    rig.sandbox.confirm(payment_id)
    paid = rig.wait_sale(sale_id, "processed", timeout=5)
    assert (paid["reason"], paid["needs_refund"], paid["recovered"]) == (None, False, False)
    rig.wait_screen("success")
    with Journal.open(rig.data_dir) as journal:
        events = len(journal.events(sale_id))
    rig.kill()

    rig.start()
    assert rig.sale(sale_id) == paid
    assert_host_and_cli_agree(
        rig, sale_id, state="processed", reason=None, recovered=False, needs_refund=False
    )
    with Journal.open(rig.data_dir) as journal:
        assert len(journal.events(sale_id)) == events


def test_cancelled_before_the_scan_then_paid_anyway(rig: Rig) -> None:
    rig.start()
    sale = rig.qr_on_screen()
    sale_id, payment_id = sale["sale_id"], sale["qr_payment_id"]
    cancelled = rig.api.post(f"/sales/{sale_id}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled"
    assert rig.state() == {"screen": "amount", "sale_id": None}

    # The customer pays the QR they photographed anyway.
    rig.sandbox.scan(payment_id)
    rig.sandbox.confirm(payment_id)
    started = time.monotonic()
    response = rig.api.get(f"/sales/{sale_id}", params={"wait": "30"})
    assert response.json()["state"] == "processed", response.text
    # Woken when the kiosk's next read saw it paid (a second), not at the end of its 30 s.
    assert time.monotonic() - started < 15, "the long-poll did not wake when the sale was paid"
    host = response.json()
    assert (host["reason"], host["needs_refund"], host["recovered"]) == (
        "paid_after_cancel",
        True,
        False,
    )
    attention = rig.journal_cli("attention")
    assert [(r["sale_id"], r["reason"]) for r in attention] == [(sale_id, "paid_after_cancel")]
    assert rig.state() == {"screen": "amount", "sale_id": None}


# --- the guide's corner cases (docs/kaspi/api.md §10) -----------------------------------------


def test_killed_with_a_naive_expire_date_is_back_in_service_within_seconds(rig: Rig) -> None:
    """The guide's own ExpireDate shape (docs/kaspi/api.md §10.7: seven fractional digits,
    no offset, Kazakhstan's time) was read back as UTC, so a QR dead for seconds looked
    alive for five hours and start-up recovery kept the kiosk out of service all that time."""
    rig.sandbox.set_behaviour(date_style="seven-digit-no-offset")
    rig.start()
    sale = rig.qr_on_screen()
    sale_id = sale["sale_id"]
    assert "+" not in rig.journal_record(sale_id).expire_date[19:]  # naive, as the guide prints
    rig.kill()
    scan_timeout = FAST["scan_timeout"]
    created = time.monotonic()
    wait_until(lambda: time.monotonic() - created > scan_timeout + 0.5, 10, "the QR's deadline")

    started = time.monotonic()
    rig.start(wait_for="amount")
    back_in = time.monotonic() - started
    assert_host_and_cli_agree(
        rig, sale_id, state="failed", reason="scan_timeout", recovered=True, needs_refund=False
    )
    assert back_in < 15, f"out of service for {back_in:.1f} s"


def test_a_payment_the_bank_forgot_is_not_paid_and_does_not_hold_the_kiosk(rig: Rig) -> None:
    """After a bank-side reset every status read answers -1601. A sale never
    scanned is then final (not paid); before, the kiosk stayed out of service re-asking."""
    rig.start()
    sale = rig.qr_on_screen()
    sale_id, payment_id = sale["sale_id"], sale["qr_payment_id"]
    rig.kill()
    rig.sandbox.forget(payment_id)

    started = time.monotonic()
    rig.start(wait_for="amount")
    back_in = time.monotonic() - started
    assert_host_and_cli_agree(
        rig, sale_id, state="failed", reason="scan_timeout", recovered=True, needs_refund=False
    )
    assert "no longer knows" in (rig.journal_record(sale_id).note or "")
    assert back_in < 15, f"out of service for {back_in:.1f} s"


def test_a_sale_the_bank_cannot_settle_yet_is_handed_to_the_idle_recheck(rig: Rig) -> None:
    """Start-up recovery has a budget (kiosk.recovery_seconds, its least here). A scanned
    sale whose status cannot be read is unknown when the kiosk opens for sales, and the idle
    re-check settles it once the bank answers: here the customer confirmed meanwhile."""
    rig.configure(kiosk__recovery_seconds=1.0)
    rig.sandbox.set_behaviour(confirm_timeout=120)
    rig.start()
    sale = rig.qr_on_screen()
    sale_id, payment_id = sale["sale_id"], sale["qr_payment_id"]
    rig.sandbox.scan(payment_id)
    rig.wait_sale(sale_id, "awaiting", timeout=5)
    rig.kill()
    # This payment's status cannot be read; the new sale's can, so it can be cancelled (a
    # cancel reads the status first and is refused while it cannot).
    rig.sandbox.inject_fault("http500", count=0, path_contains=f"/payment/status/{payment_id}")

    started = time.monotonic()
    rig.start(wait_for="amount")
    back_in = time.monotonic() - started
    record = rig.sale(sale_id)
    assert (record["state"], record["reason"], record["recovered"]) == (
        "unknown",
        "bank_unreachable",
        True,
    )
    assert back_in < 15, f"out of service for {back_in:.1f} s"
    # New sales are taken while the old one is unknown.
    after = rig.sell(120)
    rig.wait_sale(after["sale_id"], "qr")
    cancelled = rig.api.post(f"/sales/{after['sale_id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    rig.wait_screen("amount")

    rig.sandbox.confirm(payment_id)
    rig.sandbox.clear_faults()
    paid = rig.wait_sale(sale_id, "processed", timeout=20)
    assert (paid["reason"], paid["needs_refund"]) == ("bank_unreachable", True)


# --- the journal deleted while the kiosk is stopped -------------------------------------------


def test_a_deleted_journal_is_refused_then_accepted_without_reusing_ids(rig: Rig) -> None:
    rig.start()
    sale = rig.wait_sale(rig.sell(350, "after-delete-1")["sale_id"], "qr")
    rig.sandbox.scan(sale["qr_payment_id"])
    rig.sandbox.confirm(sale["qr_payment_id"])
    rig.wait_sale(sale["sale_id"], "processed")  # paid and charged once
    rig.kill()
    for tail in ("", "-wal", "-shm"):
        (rig.data_dir / f"journal.sqlite3{tail}").unlink(missing_ok=True)

    rig.start(wait_for="out_of_service")
    again = rig.api.post("/sales", json={"amount": 350, "external_id": "after-delete-1"})
    assert again.status_code == 503, again.text  # no sale, no second charge
    health = rig.api.get("/health").json()
    assert health["journal_ok"] is False and "missing" in health["problem"]

    accepted = kiosk_cli("journal", "accept", config=rig.config)
    assert accepted.returncode == 0, accepted.stderr
    rig.wait_screen("amount", 30)  # the kiosk's next start-up attempt takes the new journal
    fresh = rig.sell(350, "after-accept-1")
    assert fresh["sale_id"] > sale["sale_id"]  # never the id a deleted sale had


# --- a kiosk whose clock is off the bank's ----------------------------------------------------


def state_changes(rig: Rig, sale_id: int) -> list[str]:
    with Journal.open(rig.data_dir) as journal:
        return [e.detail["to"] for e in journal.events(sale_id) if e.kind == "state"]


@pytest.mark.parametrize("kiosk_ahead", [300, -300, 5 * 3600, -5 * 3600])
def test_a_kiosk_whose_clock_is_off_sells_with_the_full_qr_time_and_reports_the_skew(
    rig: Rig, kiosk_ahead: int
) -> None:
    """The bank's clock is moved instead of the kiosk's: to the kiosk the skew is the same."""
    rig.sandbox.advance(-kiosk_ahead)
    rig.start()
    sale = rig.qr_on_screen()
    shown = time.monotonic()
    # The QR stays for its whole QrCodeScanWaitTimeout (a clock 5 minutes fast used to
    # remove it at once and fail the sale).
    wait_until(lambda: time.monotonic() - shown > FAST["scan_timeout"] - 1.5, 10, "most of it")
    assert rig.state() == {"screen": "qr", "sale_id": sale["sale_id"]}
    rig.sandbox.scan(sale["qr_payment_id"])
    rig.sandbox.confirm(sale["qr_payment_id"])
    assert rig.wait_sale(sale["sale_id"], "processed")["needs_refund"] is False
    skew = rig.api.get("/health").json()["clock_skew_seconds"]
    assert skew == pytest.approx(kiosk_ahead, abs=3)


def test_killed_with_the_qr_up_and_back_with_the_clock_ahead_finds_the_later_payment(
    rig: Rig,
) -> None:
    """The kiosk's own deadline passed by its clock, the bank's not: the bank decides.

    Start-up recovery keeps asking until its budget ends (kiosk.recovery_seconds, its
    least here); the payment made after that is found by the idle re-check."""
    rig.configure(kiosk__recovery_seconds=1.0)
    rig.start()
    sale = rig.qr_on_screen()
    sale_id, payment_id = sale["sale_id"], sale["qr_payment_id"]
    rig.kill()
    rig.sandbox.advance(-300)  # from now on the kiosk's clock is 5 minutes ahead of the bank's
    time.sleep(FAST["scan_timeout"] + 1)  # past the deadline by the kiosk's own reckoning

    rig.start()
    rig.sandbox.scan(payment_id)  # the QR is still valid at the bank: the customer pays
    rig.sandbox.confirm(payment_id)
    record = rig.wait_sale(sale_id, "processed", timeout=20)
    assert (record["needs_refund"], record["recovered"]) == (True, True)
    assert "failed" not in state_changes(rig, sale_id)
    assert [r["sale_id"] for r in rig.journal_cli("attention")] == [sale_id]
