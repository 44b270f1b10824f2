"""Start-up and memory, side by side with a bare PySide6 window measured in the same run.

    .venv/bin/python bench/measure_startup.py [--starts 10] [--json out.json]

Each round starts, in turn: a bare full-screen QWidget that quits as soon as the
event loop runs (time from spawn to exit, and its peak RSS), then the kiosk
(time from spawn until its host API says the amount screen is up, and its RSS
then). Interleaving the two spreads the machine's noise evenly over both, so the
ratios compare like with like. benchmark.py runs this as its first part.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    REPO,
    HostApi,
    KioskProcess,
    kiosk_config,
    machine,
    print_table,
    source_version,
    summary,
    write_json,
)

# The baseline: what any PySide6 application pays to put a full-screen window up.
BARE_WINDOW = """
import resource, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv[:1])
window = QWidget()
window.showFullScreen()
QTimer.singleShot(0, app.quit)
app.exec()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def measure_imports(runs: int) -> list[float]:
    """Interpreter + Qt + kiosk imports alone: the floor under the start-up time."""
    code = "import PySide6.QtWidgets, kiosk.gui.kiosk, kiosk.app"
    times = []
    for _ in range(runs):
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
        times.append(time.monotonic() - started)
    return times


def bare_window() -> tuple[float, float]:
    """(seconds from spawn to exit, peak RSS in MiB) of a bare full-screen PySide6 window."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", BARE_WINDOW], env=env, capture_output=True, text=True, check=True
    )
    took = time.monotonic() - started
    return took, int(done.stdout.split()[-1]) / 1024  # ru_maxrss is in KiB on Linux


def kiosk_start(sandbox: Any, token: str, work: Path, n: int) -> tuple[float, float, float]:
    """(first host API answer s, amount screen s, RSS MiB at the amount screen) of one start."""
    data_dir = work / f"startup-{n}"  # an empty journal each time: nothing to recover
    path = kiosk_config(sandbox.data_dir, "standard", token, data_dir, "bench-startup.toml")
    kiosk = KioskProcess(path, work / "startup.log")
    api = HostApi(path)
    kiosk.start()
    try:
        first, ready = kiosk.wait_ready(api)
        rss = kiosk.ps.memory_info().rss / 1024 / 1024
    finally:
        api.close()
        kiosk.stop()
    return first, ready, rss


def measure_startup(sandbox: Any, token: str, work: Path, runs: int) -> dict[str, Any]:
    """The kiosk's start-up and a bare window's, interleaved, with their ratios."""
    firsts, readies, rss, bare, bare_rss = [], [], [], [], []
    for n in range(runs):
        b_time, b_rss = bare_window()
        first, ready, k_rss = kiosk_start(sandbox, token, work, n)
        bare.append(b_time)
        bare_rss.append(b_rss)
        firsts.append(first)
        readies.append(ready)
        rss.append(k_rss)
        print(
            f"  start {n + 1}/{runs}: bare window {b_time * 1000:.0f} ms {b_rss:.0f} MiB; "
            f"kiosk first answer {first * 1000:.0f} ms, amount screen {ready * 1000:.0f} ms "
            f"{k_rss:.0f} MiB"
        )
    out: dict[str, Any] = {
        "first_answer": summary(firsts),
        "amount_screen": summary(readies),
        "bare_window": summary(bare),
        "runs_s": [round(r, 4) for r in readies],
        "rss_at_amount_screen_mib": _median(rss),
        "bare_window_peak_rss_mib": _median(bare_rss),
    }
    out["time_ratio"] = round(
        out["amount_screen"]["median_ms"] / out["bare_window"]["median_ms"], 2
    )
    out["memory_ratio"] = round(
        out["rss_at_amount_screen_mib"] / out["bare_window_peak_rss_mib"], 2
    )
    return out


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return round(ordered[middle], 1)
    return round((ordered[middle - 1] + ordered[middle]) / 2, 1)


def report(st: dict[str, Any]) -> None:
    """The side-by-side table: bare window, kiosk, kiosk / bare."""
    print_table(
        "start-up and memory, side by side (medians)",
        [
            ["", "bare PySide6 window", "kiosk (amount screen)", "kiosk / bare"],
            [
                "time from spawn",
                f"{st['bare_window']['median_ms']:.0f} ms",
                f"{st['amount_screen']['median_ms']:.0f} ms",
                f"{st['time_ratio']:.2f}x",
            ],
            [
                "memory (bare: peak RSS)",
                f"{st['bare_window_peak_rss_mib']:.0f} MiB",
                f"{st['rss_at_amount_screen_mib']:.0f} MiB",
                f"{st['memory_ratio']:.2f}x",
            ],
        ],
    )


def main(argv: list[str] | None = None) -> int:
    from kiosk.sandbox import Sandbox

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=10, help="rounds (default 10)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-startup-"))
    sandbox = Sandbox(work / "sandbox", ports={"basic": 0, "standard": 0, "enhanced": 0})
    sandbox.start()
    try:
        token = sandbox.register_device()
        doc: dict[str, Any] = {
            "benchmark": "startup",
            "machine": machine(),
            "source": source_version(),
            "imports": summary(measure_imports(args.starts)),
            "startup": measure_startup(sandbox, token, work, args.starts),
        }
    finally:
        sandbox.stop()
        shutil.rmtree(work, ignore_errors=True)
    report(doc["startup"])
    write_json(args.json, doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
