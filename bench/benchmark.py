"""Kiosk benchmarks on loopback: start-up beside a bare window, sale -> QR, status -> screen,
memory, idle CPU.

    .venv/bin/python bench/benchmark.py [--quick] [--json out.json]

Every figure comes from a real kiosk process (`python -m kiosk --config CFG run
--windowed` on Qt's offscreen platform) driven through its host API, as a
vending controller drives it, against the embedded sandbox bank over real
HTTPS with mutual TLS (scheme standard). The sandbox runs in this process and
plays the customer (scan, confirm) at known monotonic times; its request log
stamps every status read with the same clock, which isolates the kiosk's own
processing from the wait for the next poll. bench/README.md explains each
figure. The start-up part is measure_startup.py; the shared helpers are in common.py.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    FINAL,
    MIB,
    STAT_HEADER,
    HostApi,
    KioskDied,
    KioskProcess,
    kiosk_config,
    machine,
    print_table,
    source_version,
    stat_row,
    summary,
    write_json,
)
from measure_startup import measure_imports, measure_startup
from measure_startup import report as report_startup


def measure_sale_to_qr(
    api: HostApi, sales: int, tag: str, progress: dict[str, int]
) -> dict[str, Any]:
    """POST /v1/sales until the sale reads `qr`, then cancel it through the host API.

    Alternate sales watch the state two ways: a long-poll with state=pending sent at once
    after the POST answered (the figure), and plain GETs every 2 ms (a cross-check). A
    long-poll that answers only at the end of its wait missed the change: counted, not
    timed.
    """
    answered, polled, long_polled, cancelled = [], [], [], []
    missed = 0
    for n in range(sales):
        started = time.monotonic()
        r = api.create(100 + n, f"{tag}-qr-{n}")
        r.raise_for_status()
        answered.append(time.monotonic() - started)
        sale_id, state = int(r.json()["sale_id"]), str(r.json()["state"])
        if n % 2:
            record, at = api.poll_until(sale_id, {"qr", *FINAL})
            polled.append(at - started)
        else:
            record, at, late = api.wait_until(sale_id, {"qr", *FINAL}, known=state, wait=2.0)
            if late:
                missed += 1
            else:
                long_polled.append(at - started)
        if record["state"] != "qr":
            raise RuntimeError(f"sale {sale_id} ended {record['state']} instead of showing a QR")
        started = time.monotonic()
        api.cancel(sale_id).raise_for_status()
        cancelled.append(time.monotonic() - started)
        progress["sales"] += 1
        # The cancelled sale's first status read is still on the kiosk's one worker thread;
        # let it finish so the next qr/create is measured alone.
        time.sleep(0.3)
    return {
        "post_answered": summary(answered),
        "qr": summary(long_polled),
        "qr_get_poll": summary(polled),
        "long_poll_missed": missed,
        "long_poll_tries": (sales + 1) // 2,
        "cancel_answered": summary(cancelled),
    }


def _last_status_read(sandbox: Any, payment_id: int, before: float) -> float | None:
    """Arrival time of the last status read of the payment before `before` (monotonic)."""
    suffix = f"/payment/status/{payment_id}"
    times = [r.time for r in list(sandbox.requests) if r.path.endswith(suffix) and r.time < before]
    return max(times) if times else None


def measure_status_to_screen(
    sandbox: Any, api: HostApi, sales: int, tag: str, rng: random.Random, progress: dict[str, int]
) -> dict[str, Any]:
    """The customer scans (then confirms) at a random phase of the poll; the host long-polls."""
    poller = api.clone()
    pool = ThreadPoolExecutor(1, thread_name_prefix="bench-longpoll")
    e2e_scan: list[float] = []
    kiosk_scan: list[float] = []
    e2e_confirm: list[float] = []
    kiosk_confirm: list[float] = []
    try:
        for n in range(sales):
            r = api.create(200 + n, f"{tag}-status-{n}")
            r.raise_for_status()
            sale_id = int(r.json()["sale_id"])
            record, _, _ = api.wait_until(sale_id, {"qr"}, wait=0.5)
            payment_id = int(record["qr_payment_id"])
            for action, target, e2e, kiosk in (
                (sandbox.scan, "awaiting", e2e_scan, kiosk_scan),
                (sandbox.confirm, "processed", e2e_confirm, kiosk_confirm),
            ):
                waiting: Future[tuple[dict[str, Any], float, bool]] = pool.submit(
                    poller.wait_until, sale_id, {target, *FINAL}
                )
                time.sleep(rng.uniform(0.05, 1.05))  # any phase of the 1 s poll
                acted = time.monotonic()
                action(payment_id)
                record, seen, late = waiting.result(30)
                if record["state"] != target:
                    raise RuntimeError(f"sale {sale_id} became {record['state']}, not {target}")
                if late:  # cannot happen: the state was steady long before the action
                    raise RuntimeError(f"sale {sale_id}: the long-poll missed {target}")
                e2e.append(seen - acted)
                read = _last_status_read(sandbox, payment_id, seen)
                if read is not None and read >= acted:
                    kiosk.append(seen - read)
            progress["sales"] += 1
            print(
                f"  status sale {n + 1}/{sales}: scan -> awaiting "
                f"{e2e_scan[-1] * 1000:.0f} ms, confirm -> processed "
                f"{e2e_confirm[-1] * 1000:.0f} ms"
            )
    finally:
        pool.shutdown()
        poller.close()
    return {
        "scan_to_awaiting": summary(e2e_scan),
        "scan_kiosk_processing": summary(kiosk_scan),
        "confirm_to_processed": summary(e2e_confirm),
        "confirm_kiosk_processing": summary(kiosk_confirm),
    }


def run_quick_sales(
    sandbox: Any,
    api: HostApi,
    sales: int,
    tag: str,
    progress: dict[str, int],
    sample: Callable[[], None],
) -> None:
    """Confirmed sales as fast as the customer can: scan at the QR, confirm at awaiting."""
    for n in range(sales):
        r = api.create(300 + n % 50, f"{tag}-mem-{n}")
        r.raise_for_status()
        sale_id = int(r.json()["sale_id"])
        record, _, _ = api.wait_until(sale_id, {"qr"}, wait=0.5)
        sandbox.scan(int(record["qr_payment_id"]))
        api.wait_until(sale_id, {"awaiting"}, wait=0.5)
        sandbox.confirm(int(record["qr_payment_id"]))
        record, _, _ = api.wait_until(sale_id, FINAL, wait=0.5)
        if record["state"] != "processed":
            raise RuntimeError(f"sale {sale_id} ended {record['state']}")
        progress["sales"] += 1
        if (n + 1) % 25 == 0:
            sample()
            print(f"  memory sales: {n + 1}/{sales}")


def measure_round_trips(path: Path, calls: int) -> dict[str, Any]:
    """GET /v1/state round trips, a controller's loop (10 ms apart): kept-alive vs new."""
    out = {}
    for name, keep in (("keep_alive", True), ("new_connection", False)):
        api = HostApi(path, keep_alive=keep)
        times = []
        for _ in range(calls):
            started = time.monotonic()
            api.state()
            times.append(time.monotonic() - started)
            time.sleep(0.01)
        api.close()
        out[name] = summary(times)
    return out


def wait_for_screen(api: HostApi, screen: str, timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while api.state()["screen"] != screen:
        if time.monotonic() > end:
            raise TimeoutError(f"the kiosk did not return to {screen}")
        time.sleep(0.05)


def measure_idle_cpu(proc: psutil.Process, seconds: float) -> dict[str, Any]:
    before, started = proc.cpu_times(), time.monotonic()
    time.sleep(seconds)
    after, ended = proc.cpu_times(), time.monotonic()
    used = (after.user - before.user) + (after.system - before.system)
    window = ended - started
    return {
        "window_s": round(window, 2),
        "cpu_s": round(used, 3),
        "percent_of_one_core": round(100 * used / window, 2),
        "threads": proc.num_threads(),
    }


def rss_mib(proc: psutil.Process) -> float:
    return round(proc.memory_info().rss / MIB, 1)


# --- main ------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    from kiosk.sandbox import Behaviour, Sandbox

    quick = args.quick
    starts = args.starts or (3 if quick else 10)
    qr_sales = args.sales or (10 if quick else 40)
    status_sales = args.status_sales or (6 if quick else 30)
    mem_sales = args.memory_sales or (20 if quick else 200)
    idle = args.idle_seconds or (5.0 if quick else 20.0)
    health = 5.0
    rng = random.Random(20251122)
    tag = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    doc: dict[str, Any] = {
        "benchmark": "kiosk",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": machine(),
        "source": source_version(),
    }
    sandbox = Sandbox(
        work / "sandbox",
        ports={"basic": 0, "standard": 0, "enhanced": 0},
        behaviour=Behaviour(poll_interval=5, scan_timeout=3, confirm_timeout=65),
    )
    sandbox.start()
    kiosk: KioskProcess | None = None
    try:
        token = sandbox.register_device()
        print(
            f"machine: {doc['machine']['cpu_count']} CPU ({doc['machine']['cpu_model']}), "
            f"Python {doc['machine']['python']}, PySide6 {doc['machine']['pyside6']}"
        )
        print(f"\nimports alone ({starts} runs)")
        doc["imports"] = summary(measure_imports(starts))
        print(f"start-up ({starts} starts, each beside a bare PySide6 window)")
        doc["startup"] = measure_startup(sandbox, token, work, starts)

        path = kiosk_config(
            sandbox.data_dir,
            "standard",
            token,
            work / "kiosk-data",
            "bench-kiosk.toml",
            kiosk__health_interval=health,
        )
        kiosk = KioskProcess(path, work / "kiosk.log")
        api = HostApi(path, keep_alive=False)
        kiosk.start()
        kiosk.wait_ready(api)
        proc = kiosk.ps
        progress = {"sales": 0}
        try:
            time.sleep(2.0)  # the first health ping and Python's lazy imports settle
            doc["memory"] = {
                "rss_idle_after_start_mib": rss_mib(proc),
                "sales": 0,
                "rss_along_mib": {},
            }
            print(f"\nidle CPU over {idle:g} s (health ping every {health:g} s)")
            doc["cpu_idle"] = {**measure_idle_cpu(proc, idle), "health_interval_s": health}

            print("host API round trips")
            doc["round_trip"] = measure_round_trips(path, 20 if quick else 100)

            print(f"sale -> QR ({qr_sales} sales, each cancelled)")
            doc["sale_to_qr"] = measure_sale_to_qr(api, qr_sales, tag, progress)

            print(f"status -> screen ({status_sales} sales, poll_interval 1 s)")
            sandbox.set_behaviour(poll_interval=1, scan_timeout=30, confirm_timeout=30)
            doc["status"] = {
                "poll_interval_s": 1,
                **measure_status_to_screen(sandbox, api, status_sales, tag, rng, progress),
            }

            print(f"memory ({mem_sales} confirmed sales, poll_interval 0.2 s)")
            sandbox.set_behaviour(poll_interval=0.2, scan_timeout=10, confirm_timeout=10)
            along = doc["memory"]["rss_along_mib"]
            run_quick_sales(
                sandbox,
                api,
                mem_sales,
                tag,
                progress,
                lambda: along.__setitem__(progress["sales"], rss_mib(proc)),
            )
            wait_for_screen(api, "amount")
            time.sleep(3.0)  # the last sale's trackers have finished
            doc["memory"].update(
                rss_idle_after_sales_mib=rss_mib(proc), threads_after_sales=proc.num_threads()
            )
        except (requests.RequestException, TimeoutError, RuntimeError) as exc:
            try:
                kiosk.check_alive()
            except KioskDied as died:
                doc["kiosk_died"] = {"message": str(died), "after_sales": progress["sales"]}
                print(f"\n!! {died} (after {progress['sales']} sales)")
            else:
                raise exc from None
        doc["memory"]["sales"] = progress["sales"]
        api.close()
    finally:
        if kiosk is not None:
            kiosk.stop()
        sandbox.stop()
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return doc


def report(doc: dict[str, Any]) -> None:
    m = doc["machine"]
    print(
        f"\nkiosk benchmark {doc['date']}{' (quick)' if doc['quick'] else ''}: "
        f"{m['cpu_count']} x {m['cpu_model']}, {m['memory_gib']} GiB, {m['os']}, "
        f"Python {m['python']}, PySide6 {m['pyside6']}; commit {doc['source']['commit']}"
        f"{' + local changes in kiosk/' if doc['source']['kiosk_modified'] else ''}"
    )
    none: dict[str, Any] = {"n": 0}
    st, q, s = doc["startup"], doc.get("sale_to_qr", {}), doc.get("status", {})
    rt = doc.get("round_trip", {})
    missed = f"long-poll, state=pending; missed {q.get('long_poll_missed')}"
    print_table(
        "latencies",
        [
            STAT_HEADER,
            stat_row("imports only (python + Qt + kiosk)", doc["imports"], "floor under start-up"),
            stat_row("start-up: first host API answer", st["first_answer"], "from spawn"),
            stat_row("start-up: amount screen", st["amount_screen"], "from spawn, takes digits"),
            stat_row("start-up: ready to sell", st["ready_to_sell"], "from spawn, bank checked"),
            stat_row(
                "host API GET /v1/state, keep-alive",
                rt.get("keep_alive", none),
                "delayed ACK: see README",
            ),
            stat_row("host API GET /v1/state, new conn.", rt.get("new_connection", none)),
            stat_row(
                "POST /v1/sales answered", q.get("post_answered", none), "journal + GUI thread"
            ),
            stat_row("sale request -> qr", q.get("qr", none), missed),
            stat_row("  same, GET every 2 ms", q.get("qr_get_poll", none), "cross-check"),
            stat_row("cancel answered", q.get("cancel_answered", none)),
            stat_row(
                "scan -> awaiting (end to end)",
                s.get("scan_to_awaiting", none),
                "poll_interval 1 s",
            ),
            stat_row(
                "  kiosk processing",
                s.get("scan_kiosk_processing", none),
                "Wait read -> host sees it",
            ),
            stat_row(
                "confirm -> processed (end to end)",
                s.get("confirm_to_processed", none),
                "poll_interval 1 s",
            ),
            stat_row(
                "  kiosk processing",
                s.get("confirm_kiosk_processing", none),
                "Processed read -> host; + details",
            ),
        ],
    )
    mem, cpu = doc.get("memory", {}), doc.get("cpu_idle", {})
    rows: list[list[Any]] = [["figure", "value"]]
    if mem:
        rows.append(["RSS idle after start", f"{mem['rss_idle_after_start_mib']} MiB"])
        along = ", ".join(f"{k}: {v}" for k, v in mem["rss_along_mib"].items())
        rows.append(["RSS during the memory sales", f"{along or '-'} (sales: MiB)"])
    if "rss_idle_after_sales_mib" in mem:
        rows.append(
            [f"RSS idle after {mem['sales']} sales", f"{mem['rss_idle_after_sales_mib']} MiB"]
        )
        rows.append(["threads after the sales", mem["threads_after_sales"]])
    if cpu:
        rows.append(
            [
                f"CPU idle over {cpu['window_s']} s",
                f"{cpu['cpu_s']} s = "
                f"{cpu['percent_of_one_core']} % of one core "
                f"(health ping every {cpu['health_interval_s']:g} s)",
            ]
        )
    print_table("resources", rows)
    report_startup(st)
    if "kiosk_died" in doc:
        died = doc["kiosk_died"]
        print(f"\n!! the kiosk died after {died['after_sales']} sales: {died['message']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (about a minute)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--starts", type=int, help="cold starts (default 10; quick 3)")
    parser.add_argument("--sales", type=int, help="sale -> QR samples (default 40; quick 10)")
    parser.add_argument("--status-sales", type=int, help="status samples (default 30; quick 6)")
    parser.add_argument("--memory-sales", type=int, help="sales for RSS (default 200; quick 20)")
    parser.add_argument("--idle-seconds", type=float, help="idle CPU window (default 20; quick 5)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    doc = run(args)
    doc["wall_s"] = round(time.monotonic() - started, 1)
    report(doc)
    write_json(args.json, doc)
    return 1 if "kiosk_died" in doc else 0


if __name__ == "__main__":
    sys.exit(main())
