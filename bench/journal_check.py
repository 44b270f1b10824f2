"""What the journal's integrity check at open costs on a large journal.

    python bench/journal_check.py [--sales 100000]

Fills a journal in a temporary folder with N sales as the kiosk writes them
(each with its created/payment/status/state events: about 5 events a sale),
closes it, then times `integrity.check` (the WAL header and PRAGMA quick_check
on a read-only connection) and a whole guarded `Journal.open` (the check,
WAL mode, migration check, identity), best of 5, cold-ish (fresh process, warm
OS cache).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from kiosk.journal import FILE_NAME, Journal, integrity


def fill(data_dir: Path, sales: int) -> None:
    with Journal.open(data_dir):
        pass  # the schema and identity, as the kiosk makes them
    conn = sqlite3.connect(data_dir / FILE_NAME, isolation_level=None)
    conn.execute("BEGIN")
    at = "2026-11-29T12:00:00.000+00:00"
    for n in range(1, sales + 1):
        conn.execute(
            "INSERT INTO sales (created_at, updated_at, amount, external_id, source, scheme,"
            " device_id, state, last_status, qr_payment_id, expire_date)"
            " VALUES (?, ?, '350.00', ?, 'host', 'standard', 'KIOSK-001', 'processed',"
            " 'Processed', ?, ?)",
            (at, at, f"order-{n}", 500_000_000 + n, at),
        )
        for kind in ("created", "payment_created", "status", "status", "state"):
            conn.execute(
                "INSERT INTO events (sale_id, at, kind, detail) VALUES (?, ?, ?, ?)",
                (n, at, kind, json.dumps({"amount": "350.00", "external_id": f"order-{n}"})),
            )
    conn.execute("COMMIT")
    conn.close()


def best_of(runs: int, fn: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sales", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        os.environ.setdefault("KIOSK_STATE_DIR", str(data_dir / "state"))
        start = time.perf_counter()
        fill(data_dir, args.sales)
        filled = time.perf_counter() - start
        size = (data_dir / FILE_NAME).stat().st_size
        path = data_dir / FILE_NAME
        check = best_of(5, lambda: integrity.check(path))
        opened = best_of(5, lambda: Journal.open(data_dir).close())
    print(f"journal: {args.sales} sales, {args.sales * 5} events, {size / 1e6:.1f} MB")
    print(f"filled in {filled:.1f} s")
    print(f"integrity check (WAL header + quick_check): {check * 1000:.0f} ms")
    print(f"whole Journal.open with the check:          {opened * 1000:.0f} ms")


if __name__ == "__main__":
    main()
