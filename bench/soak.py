"""Endurance: 1,000+ consecutive sales in ONE kiosk, a mix of outcomes and injected faults.

    .venv/bin/python bench/soak.py [--sales 1000] [--quick] [--json out.json]

The kiosk runs in this process, built as `kiosk run` builds it (QApplication on
the offscreen platform, the theme, the excepthook, KioskShell), so Qt itself can
be counted: QTimers and QObjects under the shell and the window, live widgets,
payment trackers. A driver thread plays the vending controller through the host
API over HTTP and the customer through the sandbox's test endpoints. The
sandbox runs in a child process (`kiosk sandbox`), so the bank's in-memory
payments and request log do not count in the RSS measured here.

Every sale has an intended outcome chosen from a fixed seed; a status-read
fault (http500, code999, drop) is injected on some of them and must change
nothing. At the end the journal is checked against the plan and against the
bank. bench/README.md explains the figures.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import psutil  # type: ignore[import-untyped]
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    FINAL,
    MIB,
    REPO,
    HostApi,
    die_with_parent,
    kiosk_config,
    machine,
    source_version,
    write_json,
)
from soak_report import report

from kiosk import config as cfg

T = TypeVar("T")

#: kind -> share of the sales. Faults are drawn separately (FAULT_SHARE of the sales whose
#: customer acts), so every kind below also runs with faults.
MIX = {
    "confirm": 0.80,
    "scanerror": 0.04,
    "confirmerror": 0.04,
    "cancel": 0.06,
    "scan_timeout": 0.03,
    "confirm_timeout": 0.03,
}
FAULT_SHARE = 0.15
INJECTED_FAULTS = ("http500", "code999", "drop")  # a subset of the sandbox's FAULT_MODES
# What the journal must say at the end, and what the bank must say.
EXPECTED: dict[str, tuple[str, set[str | None], str]] = {
    "confirm": ("processed", {None}, "Processed"),
    "scanerror": ("failed", {"declined"}, "Error"),
    "confirmerror": ("failed", {"declined"}, "Error"),
    "cancel": ("cancelled", {"cancelled"}, "QrTokenCreated"),
    "scan_timeout": ("failed", {"scan_timeout"}, "QrTokenCreated"),
    # The kiosk's deadline or the bank's cancellation of the stale Wait, whichever is read first.
    "confirm_timeout": ("failed", {"confirm_timeout", "declined"}, "Error"),
}
LONG_POLL = 0.25  # seconds: what a missed change costs the driver (see HostApi.wait_until)


@dataclass
class Planned:
    index: int
    kind: str
    amount: int
    fault: tuple[str, int, str] | None  # (mode, count, stage: qr | awaiting)
    sale_id: int | None = None
    payment_id: int | None = None
    seconds: float = 0.0
    problem: str | None = None


def make_plan(sales: int, seed: int) -> list[Planned]:
    rng = random.Random(seed)
    kinds, weights = list(MIX), list(MIX.values())
    plan = []
    for n in range(sales):
        kind = rng.choices(kinds, weights)[0]
        fault = None
        if kind in ("confirm", "scanerror", "confirmerror") and rng.random() < FAULT_SHARE:
            stage = "awaiting" if kind == "confirmerror" or (kind == "confirm" and n % 2) else "qr"
            fault = (rng.choice(INJECTED_FAULTS), rng.choice((1, 1, 2)), stage)
        plan.append(Planned(n, kind, rng.randint(50, 5000), fault))
    return plan


# --- the sandbox in its own process ------------------------------------------------------------


class SandboxProcess:
    """`kiosk sandbox` on free ports; customer actions and faults over its HTTP endpoints."""

    def __init__(self, folder: Path, poll: float, scan: float, confirm: float) -> None:
        self.folder = folder
        self.behaviour = {
            "--poll-interval": poll,
            "--scan-timeout": scan,
            "--confirm-timeout": confirm,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.session = requests.Session()
        self.session.trust_env = False
        self.base = ""

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        out = self.folder / "sandbox.out"
        command = [
            sys.executable,
            "-m",
            "kiosk",
            "sandbox",
            "--dir",
            str(self.folder),
            "--port-basic",
            "0",
            "--port-standard",
            "0",
            "--port-enhanced",
            "0",
            "--quiet",
        ]
        for flag, value in self.behaviour.items():
            command += [flag, f"{value:g}"]
        with out.open("wb") as log:
            self.proc = subprocess.Popen(
                command,
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent if sys.platform == "linux" else None,
            )
        end = time.monotonic() + 60
        while b"Kaspi sandbox running" not in out.read_bytes():
            if self.proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError(f"the sandbox did not start; see {out}")
            time.sleep(0.05)
        basic = cfg.load(self.folder / "kiosk-basic.toml")
        self.base = basic.kaspi.base_url.rstrip("/")
        self.session.verify = str(basic.resolve(basic.kaspi.ca_file))
        self.session.headers["Api-Key"] = basic.kaspi.api_key

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        r = self.session.request(method, self.base + path, json=body, timeout=10)
        r.raise_for_status()
        doc = r.json()
        if doc.get("StatusCode") != 0:
            raise RuntimeError(f"{method} {path}: {doc}")
        return doc.get("Data")

    def register(self) -> str:
        data = self._call("POST", "/device/register", {"DeviceId": "KIOSK-001", "TradePointId": 1})
        return str(data["DeviceToken"])

    def customer(self, action: str, payment_id: int) -> None:
        self._call("POST", f"/test/payment/{action}", {"qrPaymentId": str(payment_id)})

    def fault(self, mode: str, count: int, payment_id: int) -> None:
        self._call(
            "POST",
            "/sandbox/faults",
            {"mode": mode, "count": count, "path_contains": f"/payment/status/{payment_id}"},
        )

    def payment(self, payment_id: int) -> dict[str, Any]:
        return dict(self._call("GET", f"/sandbox/payments/{payment_id}"))

    def stop(self) -> None:
        self.session.close()
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self.proc = None


# --- the kiosk in this process -----------------------------------------------------------------


def make_gui_call() -> Any:
    """An object whose call(fn) runs fn on the GUI thread and returns its result."""
    from PySide6.QtCore import QObject, Signal

    class GuiCall(QObject):
        requested = Signal(object, object)

        def __init__(self) -> None:
            super().__init__()
            self.requested.connect(self._run)

        def _run(self, fn: Callable[[], Any], future: Future[Any]) -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:  # noqa: BLE001 (handed to the calling thread)
                future.set_exception(exc)

        def call(self, fn: Callable[[], T], timeout: float = 30.0) -> T:
            future: Future[T] = Future()
            self.requested.emit(fn, future)
            return future.result(timeout)

    return GuiCall()


class LogCounter(logging.Handler):
    """Counts the kiosk's warnings and errors by message template, and failed status reads."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.by_template: Counter[str] = Counter()
        self.failed_reads: Counter[int] = Counter()
        self.errors = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.by_template[f"{record.levelname} {record.name}: {record.msg}"] += 1
        if record.levelno >= logging.ERROR:
            self.errors += 1
        if str(record.msg).startswith("payment %s: status read failed") and record.args:
            self.failed_reads[int(str(record.args[0]))] += 1  # type: ignore[index]


def singleton_refs() -> dict[str, int]:
    """Reference counts of None, True and False.

    Python 3.11 frees an object whose count reaches 0, and for these three that is a
    fatal error ("none_dealloc"): a C extension that returns them without a new
    reference drives the counts down call by call until the interpreter aborts.
    """
    return {
        "none_refs": sys.getrefcount(None),
        "true_refs": sys.getrefcount(True),
        "false_refs": sys.getrefcount(False),
    }


def qt_counts(shell: Any) -> dict[str, int]:
    """On the GUI thread: what Qt holds under the shell and the window."""
    from PySide6.QtCore import QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.gui.sale.tracker import PaymentTracker

    timers = shell.findChildren(QTimer) + shell.window.findChildren(QTimer)
    objects = shell.findChildren(QObject) + shell.window.findChildren(QObject)
    gc.collect()
    return {
        "qt_timers": len(timers),
        "qt_timers_active": sum(1 for t in timers if t.isActive()),
        "qt_objects": len(objects),
        "widgets": len(QApplication.allWidgets()),
        "trackers": len(shell.findChildren(PaymentTracker)),
        "watching": len(shell.controller.watching) if shell.controller else -1,
        "py_objects": len(gc.get_objects()),
        **singleton_refs(),
    }


@dataclass
class Driver:
    """The vending controller and the customer, one sale after another, on its own thread."""

    shell: Any
    gui: Any
    api: HostApi
    bank: SandboxProcess
    plan: list[Planned]
    sample_every: int
    deadline: float
    poll: float
    samples: list[dict[str, Any]] = field(default_factory=list)
    late: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)
    error: str | None = None
    started: float = 0.0

    def run(self) -> None:
        try:
            self._wait_ready()
            self.started = time.monotonic()
            self.sample(0)
            refs = singleton_refs()
            burn = dict.fromkeys(refs, 0)
            for item in self.plan:
                if time.monotonic() > self.deadline:
                    self.error = f"stopped at sale {item.index}: past --max-minutes"
                    break
                now = singleton_refs()
                for key, count in now.items():
                    burn[key] = max(burn[key], refs[key] - count)
                refs = now
                low = [k for k in refs if refs[k] < 1000 + 3 * burn[k]]
                if low:
                    self.error = (
                        f"stopped at sale {item.index}: {low[0]} has {refs[low[0]]} "
                        f"references left and a sale takes up to {burn[low[0]]}; "
                        "the next sales would abort the interpreter (*_dealloc)"
                    )
                    break
                began = time.monotonic()
                try:
                    self.sale(item)
                except (TimeoutError, RuntimeError, requests.RequestException) as exc:
                    item.problem = f"{type(exc).__name__}: {exc}"
                    print(f"  sale {item.index} ({item.kind}): {item.problem}", flush=True)
                    if sum(1 for p in self.plan if p.problem) >= 10:
                        self.error = "stopped: 10 sales went wrong"
                        break
                item.seconds = time.monotonic() - began
                done = item.index + 1
                if done % self.sample_every == 0 or done == len(self.plan):
                    self.sample(done)
            self._settle()
            self.sample(sum(1 for p in self.plan if p.sale_id is not None), final=True)
        except BaseException as exc:  # noqa: BLE001 (reported; the kiosk must still stop)
            self.error = f"driver crashed: {exc!r}"
        finally:
            try:
                self.gui.call(self.shell.quit)
            except BaseException:  # noqa: BLE001
                os._exit(3)  # the GUI thread is stuck: end the run rather than hang

    def _wait_ready(self) -> None:
        end = time.monotonic() + 60
        while not self._ready():
            if time.monotonic() > end:
                raise TimeoutError("the kiosk did not reach the amount screen")
            time.sleep(0.05)

    def _ready(self) -> bool:
        # The host API starts on the start-up worker as the window shows: a controller
        # polls until it answers, and so does this one.
        try:
            return bool(self.api.health()["ok"]) and self.api.state()["screen"] == "amount"
        except requests.ConnectionError:
            return False

    def _settle(self) -> None:
        """Wait until no cancelled sale is still watched, so the last sample is idle."""
        end = time.monotonic() + 30
        while self.gui.call(lambda: self.shell.controller.watching) and time.monotonic() < end:
            time.sleep(0.1)
        time.sleep(1.0)

    def wait(self, item: Planned, states: Iterable[str]) -> dict[str, Any]:
        assert item.sale_id is not None
        record, _, late = self.api.wait_until(item.sale_id, states, timeout=20, wait=LONG_POLL)
        if late:
            self.late[str(record["state"])] += 1
        return record

    def sale(self, item: Planned) -> None:
        bank, kind = self.bank, item.kind
        for _ in range(50):
            r = self.api.create(item.amount, f"soak-{item.index}")
            if r.status_code in (200, 201):
                break
            self.refusals[f"{r.status_code} {r.json().get('error')}"] += 1
            time.sleep(0.1)  # busy / out of service for a moment: a controller retries
        else:
            raise RuntimeError(f"POST /v1/sales refused 50 times: {r.text}")
        item.sale_id = int(r.json()["sale_id"])
        record = self.wait(item, {"qr", *FINAL})
        if record["state"] != "qr":
            raise RuntimeError(f"no QR: the sale is {record['state']} ({record['reason']})")
        pid = item.payment_id = int(record["qr_payment_id"])
        if item.fault and item.fault[2] == "qr":
            bank.fault(item.fault[0], item.fault[1], pid)
        if kind == "cancel":
            self.api.cancel(item.sale_id).raise_for_status()
        elif kind == "scanerror":
            self._let_faults_hit(item, "qr")
            bank.customer("scanerror", pid)
        elif kind != "scan_timeout":
            self._let_faults_hit(item, "qr")
            bank.customer("scan", pid)
            record = self.wait(item, {"awaiting", *FINAL})
            if record["state"] != "awaiting":
                raise RuntimeError(f"scanned, but the sale is {record['state']}")
            if item.fault and item.fault[2] == "awaiting":
                bank.fault(item.fault[0], item.fault[1], pid)
                self._let_faults_hit(item, "awaiting")
            if kind == "confirm":
                bank.customer("confirm", pid)
            elif kind == "confirmerror":
                bank.customer("confirmerror", pid)
        self.wait(item, FINAL)

    def _let_faults_hit(self, item: Planned, stage: str) -> None:
        """Give the faulty reads time to happen in `stage`, before the customer acts.

        Not needed for correctness: a fault left over hits the next read of this payment.
        """
        if item.fault and item.fault[2] == stage:
            time.sleep((item.fault[1] + 0.5) * self.poll)

    def sample(self, sales: int, *, final: bool = False) -> None:
        me = psutil.Process()
        point: dict[str, Any] = {
            "sales": sales,
            "elapsed_s": round(time.monotonic() - self.started, 1),
            "rss_mib": round(me.memory_info().rss / MIB, 2),
            "uss_mib": round(me.memory_full_info().uss / MIB, 2),
            "threads": me.num_threads(),
            "py_threads": threading.active_count(),
            "open_files": len(me.open_files()),
            "connections": len(me.net_connections()),
        }
        point.update(self.gui.call(lambda: qt_counts(self.shell)))
        point["final"] = final
        self.samples.append(point)
        print(
            f"  {sales:>5} sales  {point['elapsed_s']:>6.0f} s  RSS {point['rss_mib']:7.1f} MiB"
            f"  threads {point['threads']:>3}  Qt timers {point['qt_timers']:>3}"
            f" (active {point['qt_timers_active']})  QObjects {point['qt_objects']:>4}"
            f"  trackers {point['trackers']:>2}  py objects {point['py_objects']}"
            f"  refs None/True/False {point['none_refs']}/{point['true_refs']}"
            f"/{point['false_refs']}",
            flush=True,
        )


def run_kiosk(config_path: Path, driver_args: dict[str, Any]) -> tuple[Driver, LogCounter]:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from kiosk.app.run import install_excepthook
    from kiosk.gui.kit.theme import apply_theme
    from kiosk.gui.shell.kiosk import KioskShell

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    apply_theme(app)
    shell = KioskShell(config_path, console_level="CRITICAL")
    install_excepthook(shell)
    counter = LogCounter()
    logging.getLogger().addHandler(counter)
    driver = Driver(shell, make_gui_call(), HostApi(config_path, keep_alive=False), **driver_args)
    shell.start(windowed=True)
    thread = threading.Thread(target=driver.run, name="soak-driver", daemon=True)
    thread.start()
    app.exec()
    thread.join(30)
    logging.getLogger().removeHandler(counter)
    return driver, counter


# --- the checks --------------------------------------------------------------------------------


def check(
    plan: list[Planned], data_dir: Path, bank: SandboxProcess, counter: LogCounter
) -> dict[str, Any]:
    from kiosk.journal import Journal

    with Journal.open(data_dir) as journal:
        records = {r.sale_id: r for r in journal.list()}
        unfinished = [r.sale_id for r in journal.unfinished()]
        attention = [r.sale_id for r in journal.unsettled()]
    mismatches: list[str] = []
    processed_not_confirmed: list[int] = []
    by_kind: Counter[str] = Counter()
    faults_planned = faults_seen = 0
    ran = [p for p in plan if p.sale_id is not None]
    for item in ran:
        assert item.sale_id is not None
        record = records.get(item.sale_id)
        state, allowed, bank_status = EXPECTED[item.kind]
        by_kind[item.kind] += 1
        if record is None:
            mismatches.append(f"sale {item.sale_id} ({item.kind}): not in the journal")
            continue
        got_reason = record.reason.value if record.reason else None
        if record.state.value != state or got_reason not in allowed:
            mismatches.append(
                f"sale {item.sale_id} ({item.kind}): {record.state.value}"
                f"/{got_reason}, expected {state}/{sorted(map(str, allowed))}"
            )
        paid = bank.payment(item.payment_id)["status"] if item.payment_id else None
        if record.state.value == "processed" and (item.kind != "confirm" or paid != "Processed"):
            processed_not_confirmed.append(item.sale_id)
        if paid != bank_status:
            mismatches.append(
                f"sale {item.sale_id} ({item.kind}): the bank says {paid}, expected {bank_status}"
            )
        if item.fault and item.payment_id:
            faults_planned += item.fault[1]
            faults_seen += min(item.fault[1], counter.failed_reads[item.payment_id])
    extra = sorted(set(records) - {p.sale_id for p in ran})
    states = Counter(r.state.value for r in records.values())
    reasons = Counter(
        f"{r.state.value}/{r.reason.value if r.reason else '-'}" for r in records.values()
    )
    return {
        "sales_in_journal": len(records),
        "sales_run": len(ran),
        "extra_sales_in_journal": extra,
        "unfinished": unfinished,
        "needing_attention": attention,
        "outcome_mismatches": mismatches,
        "processed_not_confirmed": processed_not_confirmed,
        "states": dict(sorted(states.items())),
        "state_reasons": dict(sorted(reasons.items())),
        "planned_kinds": dict(sorted(by_kind.items())),
        "faults": {
            "status_reads_failed_planned": faults_planned,
            "status_reads_failed_seen": faults_seen,
            "sales_with_faults": sum(1 for p in ran if p.fault),
        },
        "ok": not (
            mismatches
            or unfinished
            or attention
            or extra
            or processed_not_confirmed
            or faults_seen != faults_planned
        ),
    }


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, help="sales to run (default 1000; quick 100)")
    parser.add_argument("--quick", action="store_true", help="100 sales")
    parser.add_argument("--poll", type=float, default=0.2, help="poll interval, s (0.2)")
    parser.add_argument(
        "--timeout", type=float, default=2.0, help="scan and confirm timeouts, s (2)"
    )
    parser.add_argument("--sample-every", type=int, help="sales between samples (default 50)")
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument(
        "--max-minutes", type=float, default=40.0, help="stop early after this long"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args(argv)
    sales = args.sales or (100 if args.quick else 1000)
    every = args.sample_every or (10 if sales <= 200 else 50)
    plan = make_plan(sales, args.seed)
    work = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    bank = SandboxProcess(work / "sandbox", args.poll, args.timeout, args.timeout)
    wall = time.monotonic()
    doc: dict[str, Any] = {
        "benchmark": "soak",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "source": source_version(),
        "settings": {
            "sales": sales,
            "poll_interval_s": args.poll,
            "scan_timeout_s": args.timeout,
            "confirm_timeout_s": args.timeout,
            "seed": args.seed,
            "mix": MIX,
            "fault_share": FAULT_SHARE,
            "long_poll_s": LONG_POLL,
            "kiosk": "in-process KioskShell",
            "sandbox": "child process",
        },
    }
    try:
        print(
            f"soak: {sales} sales, poll {args.poll:g} s, timeouts {args.timeout:g} s; "
            f"work folder {work}",
            flush=True,
        )
        bank.start()
        data_dir = work / "kiosk-data"
        path = kiosk_config(
            bank.folder,
            "standard",
            bank.register(),
            data_dir,
            "soak-kiosk.toml",
            kiosk__health_interval=2.0,
        )
        driver, counter = run_kiosk(
            path,
            {
                "bank": bank,
                "plan": plan,
                "sample_every": every,
                "deadline": time.monotonic() + args.max_minutes * 60,
                "poll": args.poll,
            },
        )
        doc["wall_s"] = round(time.monotonic() - wall, 1)
        doc["driver_error"] = driver.error
        doc["samples"] = driver.samples
        doc["late_long_polls"] = dict(driver.late)
        doc["refusals"] = dict(driver.refusals)
        doc["problems"] = [f"{p.index} {p.kind}: {p.problem}" for p in plan if p.problem]
        durations = sorted(p.seconds for p in plan if p.sale_id is not None)
        doc["sale_seconds"] = (
            {"median": round(durations[len(durations) // 2], 3), "max": round(durations[-1], 3)}
            if durations
            else {}
        )
        doc["log"] = {"errors": counter.errors, "by_template": dict(counter.by_template)}
        print("\nchecking the journal against the plan and the bank ...", flush=True)
        doc["journal"] = check(plan, data_dir, bank, counter)
    finally:
        bank.stop()
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    report(doc)
    write_json(args.json, doc)
    return 0 if doc["journal"]["ok"] and not doc["driver_error"] else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # No interpreter shutdown: with a binding that leaks references to None/True/False
    # (see singleton_refs) the final garbage collection itself can abort.
    os._exit(code)
