"""MDB benchmark: how long the kiosk itself takes on a vending machine's vend, on loopback.

    .venv/bin/python bench/mdb.py [--vends 20] [--json out.json] [--keep]

A real kiosk process (`python -m kiosk run`, offscreen) with [mdb] on a
pseudo-terminal that the adapter emulator in this process holds (real serial
I/O through pyserial), the sandbox bank in this process (scheme standard,
mutual TLS). The emulator stamps each vend request it sends and each command it
receives with time.monotonic(); the sandbox stamps each request it receives
with the same clock (one clock for all processes on Linux). So:

- vend request -> qr/create at the bank: reading the line, the Qt queue, the
  sale journalled (two fsyncs), the request sent;
- Processed read -> C,VEND at the machine: the answer to the status read that
  said Processed, payment/details over mTLS, the journal writes, the approval
  written to the serial line (the wait for the next poll is left out);
- refused price -> C,STOP: the serial round trip alone (no bank, no journal).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    STAT_HEADER,
    HostApi,
    KioskProcess,
    kiosk_config,
    machine,
    print_table,
    source_version,
    stat_row,
    summary,
    write_json,
)


def _first(times: list[tuple[float, str]], after: float, prefix: str) -> float:
    for at, text in times:
        if at >= after and text.startswith(prefix):
            return at
    raise RuntimeError(f"no {prefix!r} after {after}")


def _wait_state(api: HostApi, check: Any, timeout: float) -> dict[str, Any]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        state = api.state()
        if check(state):
            return state
        time.sleep(0.005)
    raise TimeoutError("the kiosk's screen did not change in time")


def run(args: argparse.Namespace) -> dict[str, Any]:
    from kiosk.mdb.emulator import AdapterEmulator
    from kiosk.sandbox import Behaviour, Sandbox

    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-mdb-"))
    sandbox = Sandbox(
        work / "sandbox",
        ports={"basic": 0, "standard": 0, "enhanced": 0},
        behaviour=Behaviour(poll_interval=1, scan_timeout=30, confirm_timeout=30),
    )
    sandbox.start()
    emulator = AdapterEmulator(work / "ttyMDB", dispense_delay=0.05).start()
    kiosk: KioskProcess | None = None
    doc: dict[str, Any] = {"benchmark": "mdb", "machine": machine(), "source": source_version()}
    try:
        token = sandbox.register_device()
        path = kiosk_config(
            work / "sandbox",
            "standard",
            token,
            work / "data",
            "kiosk-mdb.toml",
            mdb__enabled=True,
            mdb__port=emulator.port,
            mdb__vend_timeout=60.0,
        )
        kiosk = KioskProcess(path, work / "kiosk.out")
        kiosk.start()
        api = HostApi(path, keep_alive=False)
        kiosk.wait_ready(api)
        if not emulator.wait_enabled(10):
            raise RuntimeError("the kiosk did not enable the cashless slave")
        to_create: list[float] = []
        to_approve: list[float] = []
        refusals: list[float] = []
        for n in range(args.vends):
            kiosk.check_alive()
            # A price above the limits: denied at once, no sale.
            asked = len(emulator.outcomes)
            emulator.select("99", "9999999")
            emulator.wait_for(lambda e, k=asked: len(e.outcomes) > k, 10)
            sent = emulator.selected_at[-1]
            times = list(zip(emulator.command_times, emulator.commands, strict=True))
            refusals.append(_first(times, sent, "C,STOP") - sent)
            # A paid vend.
            asked = len(emulator.outcomes)
            emulator.select(str(10 + n % 5), str(100 + n))
            sent = emulator.selected_at[-1]
            state = _wait_state(api, lambda s: s.get("sale_id") is not None, 10)
            record, _, _ = api.wait_until(int(state["sale_id"]), {"qr"}, wait=0.5)
            payment_id = int(record["qr_payment_id"])
            created = min(
                r.time
                for r in list(sandbox.requests)
                if r.path.endswith("/qr/create") and r.time >= sent
            )
            to_create.append(created - sent)
            sandbox.scan(payment_id)
            sandbox.confirm(payment_id)
            confirmed = time.monotonic()
            emulator.wait_for(lambda e, k=asked: len(e.outcomes) > k, 15)
            times = list(zip(emulator.command_times, emulator.commands, strict=True))
            approved = _first(times, confirmed, "C,VEND")
            reads = [
                r.time
                for r in list(sandbox.requests)
                if r.path.endswith(f"/payment/status/{payment_id}")
                and confirmed <= r.time < approved
            ]
            if reads:
                to_approve.append(approved - max(reads))
            _wait_state(api, lambda s: s.get("screen") == "amount", 10)
            approval = f"{to_approve[-1] * 1000:.1f} ms" if reads else "-"
            print(
                f"  vend {n + 1}/{args.vends}: request -> qr/create {to_create[-1] * 1000:.1f} ms,"
                f" Processed read -> C,VEND {approval}"
            )
        doc["request_to_qr_create"] = summary(to_create)
        doc["processed_to_approval"] = summary(to_approve)
        doc["refusal_round_trip"] = summary(refusals)
        doc["approvals"] = sum(o.answer == "approved" for o in emulator.outcomes)
        doc["stale_answers"] = len(emulator.stale)
    finally:
        if kiosk is not None:
            kiosk.stop()
        emulator.stop()
        sandbox.stop()
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vends", type=int, default=20)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    doc = run(args)
    print_table(
        "MDB: the kiosk's own time on a vend",
        [
            STAT_HEADER,
            stat_row("vend request -> qr/create at the bank", doc["request_to_qr_create"]),
            stat_row("Processed read -> C,VEND at the machine", doc["processed_to_approval"]),
            stat_row("refused price -> C,STOP (serial round trip)", doc["refusal_round_trip"]),
        ],
    )
    print(f"approved {doc['approvals']} of {args.vends}, stale answers {doc['stale_answers']}")
    write_json(args.json, doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
