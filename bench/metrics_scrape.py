"""What a Prometheus scrape of the kiosk costs on a big journal.

    .venv/bin/python bench/metrics_scrape.py [--sales 100000] [--dir DIR] [--json out.json]

Builds a journal of N sales with the real Journal API (a seeded mix of paid,
declined, timed-out, cancelled, unknown and paid-after-cancel sales, some
refunded), then serves it with the real exporter on loopback and times
`GET /metrics` as Prometheus sends it:

- first scrape: the sale counters are aggregated from every event once;
- steady scrapes: nothing new since the last one (the usual case, every 15-30 s);
- a sale between scrapes: one new sale's events are added to the counters.

The journal is built in /dev/shm when it exists: the journal commits with
fsync, and a disk would spend minutes just building it. Reads do not fsync,
so where the file lies changes the first scrape (page cache) more than the rest.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from kiosk.config import Config  # noqa: E402
from kiosk.journal import FILE_NAME, Journal  # noqa: E402
from kiosk.metrics import KioskMetrics  # noqa: E402
from kiosk.metrics.journal_counts import JournalCounts  # noqa: E402
from kiosk.payment.sale import Reason, SaleState  # noqa: E402

S = SaleState
MIX = (  # (weight, final state, reason)
    (80, S.PROCESSED, None),
    (7, S.FAILED, Reason.DECLINED),
    (5, S.FAILED, Reason.SCAN_TIMEOUT),
    (5, S.CANCELLED, Reason.CANCELLED),
    (1, S.UNKNOWN, Reason.BANK_UNREACHABLE),
    (1, S.PROCESSED, Reason.PAID_AFTER_CANCEL),
    (1, S.FAILED, Reason.CREATE_FAILED),
)


def add_sale(journal: Journal, rng: random.Random, payment_id: int) -> None:
    """One sale written as the kiosk writes it: begin, payment, statuses, the end."""
    _weight, state, reason = rng.choices(MIX, weights=[m[0] for m in MIX])[0]
    amount = Decimal(rng.randrange(100, 2_000_000)) / 100
    sale_id = journal.begin_sale(
        amount, external_id=None, source="keypad", scheme="standard", device_id="BENCH"
    )
    if reason is Reason.CREATE_FAILED:
        journal.set_state(sale_id, state, reason)
        return
    journal.payment_created(sale_id, payment_id, "2026-01-01T00:03:00+05:00", poll_interval=5)
    if reason is Reason.PAID_AFTER_CANCEL:
        journal.set_state(sale_id, S.CANCELLED, Reason.CANCELLED)
        journal.record_status(sale_id, "Processed")
        journal.set_state(sale_id, S.PROCESSED, reason, needs_refund=True)
        return
    if reason is not Reason.SCAN_TIMEOUT and state is not S.CANCELLED:
        journal.record_status(sale_id, "Wait")
        journal.set_state(sale_id, S.AWAITING)
    if state is S.PROCESSED:
        journal.record_status(sale_id, "Processed")
    journal.set_state(sale_id, state, reason)
    if state is S.PROCESSED and rng.random() < 0.01:
        refund_id = journal.refunds.begin(
            payment_id, amount, scheme="standard", source="bench", sale_id=sale_id
        )
        journal.refunds.done(refund_id, payment_id + 1)


def build(data_dir: Path, sales: int, seed: int = 13) -> float:
    rng = random.Random(seed)
    started = time.perf_counter()
    with Journal.open(data_dir) as journal:
        for i in range(sales):
            add_sale(journal, rng, 500_000_000 + 2 * i)
            if (i + 1) % 10_000 == 0:
                print(f"  {i + 1} sales written", flush=True)
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def figure(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": statistics.median(values) * 1000,
        "p95_ms": percentile(values, 0.95) * 1000,
        "n": len(values),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sales", type=int, default=100_000)
    parser.add_argument("--scrapes", type=int, default=200)
    parser.add_argument(
        "--dir", type=Path, help="where to build the journal, or reuse the one there (default: tmp)"
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    shm = Path("/dev/shm")
    base = args.dir or Path(
        tempfile.mkdtemp(prefix="kiosk-metrics-", dir=shm if shm.is_dir() else None)
    )
    data_dir = base / "data"
    path = data_dir / FILE_NAME
    build_seconds = 0.0
    if path.exists():  # --dir of an earlier run: measure its journal again
        with Journal.open(data_dir) as journal:
            args.sales = len(journal.list(include_archived=True))
        print(f"reusing the journal of {args.sales} sales in {data_dir}", flush=True)
    else:
        print(f"building a journal of {args.sales} sales in {data_dir} ...", flush=True)
        build_seconds = build(data_dir, args.sales)
    results: dict[str, Any] = {
        "sales": args.sales,
        "journal_mib": round(path.stat().st_size / 2**20, 1),
        "build_s": round(build_seconds, 1),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {platform.system()}",
    }

    started = time.perf_counter()
    JournalCounts(path).read()
    results["counts_first_read_ms"] = (time.perf_counter() - started) * 1000

    config = Config().replace("storage", data_dir=str(data_dir))
    metrics = KioskMetrics(["amount", "out_of_service"], "amount")
    metrics.apply(config.replace("metrics", enabled=True, port=0))
    assert metrics.server is not None
    url = metrics.server.url
    http = requests.Session()
    http.trust_env = False
    try:
        started = time.perf_counter()
        first = http.get(url, timeout=60)
        results["scrape_first_ms"] = (time.perf_counter() - started) * 1000
        results["exposition_bytes"] = len(first.content)
        steady = []
        for _ in range(args.scrapes):
            started = time.perf_counter()
            http.get(url, timeout=60).raise_for_status()
            steady.append(time.perf_counter() - started)
        results["scrape_steady"] = figure(steady)
        rng = random.Random(99)
        after_sale = []
        with Journal.open(data_dir) as journal:
            for i in range(min(args.scrapes, 100)):
                add_sale(journal, rng, 900_000_000 + 2 * i)
                started = time.perf_counter()
                http.get(url, timeout=60).raise_for_status()
                after_sale.append(time.perf_counter() - started)
        results["scrape_after_a_sale"] = figure(after_sale)
    finally:
        metrics.close()

    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
