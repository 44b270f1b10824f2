"""Start-up and memory, side by side with a bare PySide6 window measured in the same run.

    .venv/bin/python bench/measure_startup.py [--starts 10] [--json out.json] [--compare DIR]

Each round starts, in turn: a bare full-screen QWidget that quits as soon as the
event loop runs (time from spawn to exit, and its peak RSS), then the kiosk: time
from spawn until its host API says the amount screen is up (digits are taken, Pay
still waits) and its RSS then, until it is ready to sell (health ok: Pay enabled),
and its RSS and peak RSS then. Interleaving the two spreads the machine's noise evenly
over both, so the ratios compare like with like. benchmark.py runs this as its first part.

--compare DIR: another checkout of the kiosk (e.g. `git worktree add /tmp/old HEAD~3`,
or `git archive OLD | tar -x -C DIR`) is started too in every round, right after this
one, with the same interpreter and sandbox, and gets its own table: old and new measured
under the same load.
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
usage = resource.getrusage(resource.RUSAGE_SELF)
print(usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


def measure_imports(runs: int) -> list[float]:
    """Interpreter + Qt + kiosk imports alone: the floor under the start-up time."""
    code = "import PySide6.QtWidgets, kiosk.gui.shell.kiosk, kiosk.app.run"
    times = []
    for _ in range(runs):
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
        times.append(time.monotonic() - started)
    return times


def bare_window() -> tuple[float, float, float]:
    """(seconds from spawn to exit, peak RSS in MiB, CPU seconds) of a bare full-screen
    PySide6 window."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", BARE_WINDOW], env=env, capture_output=True, text=True, check=True
    )
    took = time.monotonic() - started
    cpu, peak = done.stdout.split()[-2:]
    return took, int(peak) / 1024, float(cpu)  # ru_maxrss is in KiB on Linux


def peak_rss_mib(pid: int) -> float | None:
    """The process's peak RSS so far (VmHWM, Linux); None elsewhere."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def kiosk_start(
    sandbox: Any, token: str, work: Path, n: int, source: Path = REPO
) -> dict[str, float]:
    """One start: seconds to the first host API answer, the amount screen and ready to sell;
    RSS (MiB) at the amount screen, RSS and peak RSS when ready."""
    data_dir = work / f"startup-{n}-{source.name}"  # an empty journal each time
    path = kiosk_config(sandbox.data_dir, "standard", token, data_dir, "bench-startup.toml")
    kiosk = KioskProcess(path, work / "startup.log", source)
    api = HostApi(path)
    kiosk.start()
    at_shown: list[float] = []

    def on_shown() -> None:
        ps = kiosk.ps
        cpu = ps.cpu_times()
        at_shown.extend((ps.memory_info().rss / 1024 / 1024, cpu.user + cpu.system))

    try:
        first, shown, ready = kiosk.wait_ready(api, on_shown=on_shown)
        ps = kiosk.ps
        rss = ps.memory_info().rss / 1024 / 1024
        peak = peak_rss_mib(ps.pid) or rss
    finally:
        api.close()
        kiosk.stop()
    return {
        "first": first,
        "shown": shown,
        "ready": ready,
        "rss_shown": at_shown[0],
        "cpu_shown": at_shown[1],
        "rss": rss,
        "peak": peak,
    }


def measure_startup(
    sandbox: Any, token: str, work: Path, runs: int, compare: Path | None = None
) -> dict[str, Any]:
    """The kiosk's start-up and a bare window's, interleaved, with their ratios (and those
    of the kiosk in `compare`, started right after this one in every round)."""
    bare: list[float] = []
    bare_rss: list[float] = []
    bare_cpu: list[float] = []
    starts: list[dict[str, float]] = []
    others: list[dict[str, float]] = []
    for n in range(runs):
        b_time, b_rss, b_cpu = bare_window()
        k = kiosk_start(sandbox, token, work, n)
        bare.append(b_time)
        bare_rss.append(b_rss)
        bare_cpu.append(b_cpu)
        starts.append(k)
        print(
            f"  start {n + 1}/{runs}: bare window {b_time * 1000:.0f} ms "
            f"(CPU {b_cpu * 1000:.0f} ms) {b_rss:.0f} MiB"
        )
        print(f"    kiosk: {_line(k)}")
        if compare is not None:
            others.append(kiosk_start(sandbox, token, work, n, compare))
            print(f"    {compare}: {_line(others[-1])}")
    out = _figures(starts, bare, bare_rss, bare_cpu)
    if compare is not None:
        out["compare"] = {"source": str(compare), **_figures(others, bare, bare_rss, bare_cpu)}
    return out


def _line(k: dict[str, float]) -> str:
    return (
        f"first answer {k['first'] * 1000:.0f} ms, amount screen {k['shown'] * 1000:.0f} ms "
        f"(CPU {k['cpu_shown'] * 1000:.0f} ms, {k['rss_shown']:.0f} MiB), "
        f"ready to sell {k['ready'] * 1000:.0f} ms, {k['rss']:.0f} MiB (peak {k['peak']:.0f})"
    )


def _figures(
    starts: list[dict[str, float]], bare: list[float], bare_rss: list[float], bare_cpu: list[float]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "first_answer": summary([k["first"] for k in starts]),
        "amount_screen": summary([k["shown"] for k in starts]),
        "ready_to_sell": summary([k["ready"] for k in starts]),
        "bare_window": summary(bare),
        "runs_s": [round(k["ready"], 4) for k in starts],
        # CPU seconds (all threads, user + system) used by then: what the load does not change.
        "cpu_to_amount_screen": summary([k["cpu_shown"] for k in starts]),
        "bare_window_cpu": summary(bare_cpu),
        "rss_at_amount_screen_mib": _median([k["rss_shown"] for k in starts]),
        "rss_at_ready_mib": _median([k["rss"] for k in starts]),
        "peak_rss_at_ready_mib": _median([k["peak"] for k in starts]),
        "bare_window_peak_rss_mib": _median(bare_rss),
    }
    bare_ms = out["bare_window"]["median_ms"]
    out["time_ratio_amount_screen"] = round(out["amount_screen"]["median_ms"] / bare_ms, 2)
    out["time_ratio_ready_to_sell"] = round(out["ready_to_sell"]["median_ms"] / bare_ms, 2)
    out["cpu_ratio_amount_screen"] = round(
        out["cpu_to_amount_screen"]["median_ms"] / out["bare_window_cpu"]["median_ms"], 2
    )
    out["memory_ratio_amount_screen"] = round(
        out["rss_at_amount_screen_mib"] / out["bare_window_peak_rss_mib"], 2
    )
    out["memory_ratio"] = round(out["rss_at_ready_mib"] / out["bare_window_peak_rss_mib"], 2)
    out["peak_memory_ratio"] = round(
        out["peak_rss_at_ready_mib"] / out["bare_window_peak_rss_mib"], 2
    )
    # Per round, each start against the bare window just before it: the spread of the ratio.
    out["time_ratios_amount_screen"] = sorted(
        round(k["shown"] / b, 2) for k, b in zip(starts, bare, strict=True)
    )
    out["time_ratios_ready_to_sell"] = sorted(
        round(k["ready"] / b, 2) for k, b in zip(starts, bare, strict=True)
    )
    return out


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return round(ordered[middle], 1)
    return round((ordered[middle - 1] + ordered[middle]) / 2, 1)


def _spread(s: dict[str, Any]) -> str:
    return f"{s['min_ms']:.0f}–{s['max_ms']:.0f}"


def report(st: dict[str, Any], title: str = "start-up and memory, side by side") -> None:
    """The side-by-side table: bare window, kiosk, kiosk / bare (medians; min–max)."""
    b = st["bare_window"]
    shown_r, ready_r = st["time_ratios_amount_screen"], st["time_ratios_ready_to_sell"]
    print_table(
        f"{title} (medians of {b['n']}; min–max per round)",
        [
            ["", "bare PySide6 window", "kiosk", "kiosk / bare"],
            [
                "amount screen, taking digits",
                f"{b['median_ms']:.0f} ms ({_spread(b)})",
                f"{st['amount_screen']['median_ms']:.0f} ms ({_spread(st['amount_screen'])})",
                f"{st['time_ratio_amount_screen']:.2f}x ({shown_r[0]}–{shown_r[-1]})",
            ],
            [
                "CPU used until then (all threads)",
                f"{st['bare_window_cpu']['median_ms']:.0f} ms ({_spread(st['bare_window_cpu'])})",
                f"{st['cpu_to_amount_screen']['median_ms']:.0f} ms "
                f"({_spread(st['cpu_to_amount_screen'])})",
                f"{st['cpu_ratio_amount_screen']:.2f}x",
            ],
            [
                "ready to sell (Pay enabled)",
                "",
                f"{st['ready_to_sell']['median_ms']:.0f} ms ({_spread(st['ready_to_sell'])})",
                f"{st['time_ratio_ready_to_sell']:.2f}x ({ready_r[0]}–{ready_r[-1]})",
            ],
            [
                "memory: RSS at the amount screen (bare: peak)",
                f"{st['bare_window_peak_rss_mib']:.0f} MiB",
                f"{st['rss_at_amount_screen_mib']:.0f} MiB",
                f"{st['memory_ratio_amount_screen']:.2f}x",
            ],
            [
                "memory: RSS when ready (bare: peak)",
                f"{st['bare_window_peak_rss_mib']:.0f} MiB",
                f"{st['rss_at_ready_mib']:.0f} MiB",
                f"{st['memory_ratio']:.2f}x",
            ],
            [
                "memory: peak RSS (both)",
                f"{st['bare_window_peak_rss_mib']:.0f} MiB",
                f"{st['peak_rss_at_ready_mib']:.0f} MiB",
                f"{st['peak_memory_ratio']:.2f}x",
            ],
        ],
    )


def main(argv: list[str] | None = None) -> int:
    from kiosk.sandbox import Sandbox

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=10, help="rounds (default 10)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument(
        "--compare", type=Path, metavar="DIR", help="also start the kiosk of this checkout"
    )
    args = parser.parse_args(argv)
    if args.compare is not None and not (args.compare / "kiosk" / "__main__.py").is_file():
        parser.error(f"{args.compare} holds no kiosk package (kiosk/__main__.py)")
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
            "startup": measure_startup(sandbox, token, work, args.starts, args.compare),
        }
    finally:
        sandbox.stop()
        shutil.rmtree(work, ignore_errors=True)
    report(doc["startup"])
    if args.compare is not None:
        report(doc["startup"]["compare"], f"the same for {args.compare}")
    write_json(args.json, doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
