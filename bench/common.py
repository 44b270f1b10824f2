"""Shared by the benchmarks and the soak: figures, the machine, a kiosk process, its host API.

The kiosk runs as `python -m kiosk --config CFG run --windowed` on Qt's offscreen
platform and is driven through its host API, as a vending controller drives it.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]
import requests

REPO = Path(__file__).resolve().parent.parent
# Run as a script from anywhere: the kiosk package is beside us, and the controller's
# helpers (the host API client) are the tests' own, in tests/helpers.
for _path in (REPO, REPO / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from helpers.controller import HostApi, free_port  # noqa: E402

from kiosk import config as cfg  # noqa: E402

MIB = 1024 * 1024
FINAL = frozenset({"processed", "failed", "cancelled", "unknown"})


# --- numbers ---------------------------------------------------------------------------------


def summary(seconds: Sequence[float]) -> dict[str, Any]:
    """n, median, p95, min, max of durations, in milliseconds."""
    ms = sorted(s * 1000 for s in seconds)
    if not ms:
        return {"n": 0}
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 1),
        "p95_ms": round(p95, 1),
        "min_ms": round(ms[0], 1),
        "max_ms": round(ms[-1], 1),
    }


def machine() -> dict[str, Any]:
    import PySide6

    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(psutil.virtual_memory().total / 1024**3, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "pyside6": PySide6.__version__,
        "requests": requests.__version__,
    }


def source_version() -> dict[str, Any]:
    """The commit measured, and whether kiosk/ had uncommitted changes (read-only git)."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", "--no-optional-locks", *args],
                cwd=REPO,
                text=True,
                capture_output=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    return {
        "commit": git("rev-parse", "--short", "HEAD") or None,
        "kiosk_modified": bool(git("status", "--porcelain", "--", "kiosk")),
    }


def print_table(title: str, rows: Iterable[Sequence[Any]]) -> None:
    rows = [[str(c) for c in row] for row in rows]
    if not rows:
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print(f"\n{title}")
    for n, row in enumerate(rows):
        print(
            "  "
            + "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def stat_row(name: str, s: dict[str, Any], note: str = "") -> list[Any]:
    if not s.get("n"):
        return [name, "-", "-", "-", "-", note]
    return [name, s["n"], f"{s['median_ms']:.1f}", f"{s['p95_ms']:.1f}", f"{s['max_ms']:.1f}", note]


STAT_HEADER = ["figure", "n", "median ms", "p95 ms", "max ms", "note"]


def write_json(path: Path | None, doc: dict[str, Any]) -> None:
    if path is not None:
        path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nJSON written to {path}")


# --- the kiosk's config and host API -----------------------------------------------------------


def kiosk_config(
    sandbox_dir: Path, scheme: str, token: str, data_dir: Path, name: str, **values: Any
) -> Path:
    """A copy of the sandbox's config for `scheme`, registered, with a host API and `values`.

    Written beside the sandbox's own (its relative certificate paths resolve there);
    `values` are "section__key" = value.
    """
    source = sandbox_dir / f"kiosk-{scheme}.toml"
    path = sandbox_dir / name
    path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    settings: dict[str, Any] = {
        "kaspi__device_token": token,
        "storage__data_dir": str(data_dir),
        "kiosk__fullscreen": False,
        "sale__result_seconds": 1.0,
        "host_api__enabled": True,
        "host_api__port": free_port(),
        "host_api__token": secrets.token_urlsafe(24),
        **values,
    }
    for key, value in settings.items():
        section, field = key.split("__")
        cfg.write_value(path, section, field, value)
    return path


# --- a kiosk process -------------------------------------------------------------------------


def die_with_parent() -> None:
    """In the child: SIGTERM when the soak's process ends, even by an abort (Linux)."""
    import ctypes
    import signal

    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


class KioskDied(RuntimeError):
    """The kiosk process under test ended by itself."""


class KioskProcess:
    """`python -m kiosk --config CFG run --windowed` on the offscreen platform."""

    def __init__(self, config_path: Path, log_path: Path, source: Path = REPO) -> None:
        self.config_path = config_path
        self.log_path = log_path
        # The tree whose `kiosk` package runs (`-m kiosk` finds it first in its cwd): another
        # checkout can be measured with the same interpreter, interleaved with this one.
        self.source = source
        self.proc: subprocess.Popen[bytes] | None = None
        self.spawned = 0.0

    def start(self) -> None:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        env.pop("KIOSK_CONFIG", None)
        command = [
            sys.executable,
            "-m",
            "kiosk",
            "--config",
            str(self.config_path),
            "run",
            "--windowed",
        ]
        with self.log_path.open("ab") as log:
            self.spawned = time.monotonic()
            self.proc = subprocess.Popen(
                command,
                cwd=self.source,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent if sys.platform == "linux" else None,
            )

    @property
    def ps(self) -> psutil.Process:
        assert self.proc is not None
        return psutil.Process(self.proc.pid)

    def wait_ready(
        self,
        api: HostApi,
        timeout: float = 60.0,
        step: float = 0.005,
        ready_step: float = 0.02,
        on_shown: Callable[[], object] | None = None,
    ) -> tuple[float, float, float]:
        """(first answer, amount screen, ready to sell), in seconds after spawn.

        "Amount screen": GET /v1/state every `step` s until `screen` is the amount screen
        (digits are taken: the answer comes through the GUI thread, so its event loop
        runs). "Ready to sell": then GET /v1/health every `ready_step` s until `ok` (Pay
        enabled). Slower polling there keeps the poller from slowing the start-up it
        measures (each poll is a call on the kiosk's GUI thread); it can add up to
        `ready_step` to the figure, never subtract. `on_shown()` is called as soon as the
        amount screen is seen (measure_startup.py reads the RSS then).
        """
        first: float | None = None
        shown: float | None = None
        end = self.spawned + timeout
        while time.monotonic() < end:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(
                    f"the kiosk exited with {self.proc.returncode}; see {self.log_path}"
                )
            try:
                answer = api.state(timeout=5) if shown is None else api.health(timeout=5)
            except (requests.ConnectionError, requests.HTTPError):
                time.sleep(step)
                continue
            now = time.monotonic() - self.spawned
            first = now if first is None else first
            if shown is None:
                if answer.get("screen") == "amount":
                    shown = now
                    if on_shown is not None:
                        on_shown()
                    continue  # ask for health at once: a kiosk may be ready already
                time.sleep(step)
            elif answer.get("screen") == "amount" and answer.get("ok"):
                return first, shown, now
            else:
                time.sleep(ready_step)
        raise TimeoutError(f"the kiosk was not ready in {timeout:g} s; see {self.log_path}")

    def check_alive(self) -> None:
        """RuntimeError with the kiosk's last words if the process has ended."""
        if self.proc is None or self.proc.poll() is None:
            return
        lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        fatal = [x for x in lines if x.startswith("Fatal Python error")]
        raise KioskDied(
            f"the kiosk exited with {self.proc.returncode}: "
            f"{fatal[-1] if fatal else (lines[-1] if lines else 'no output')}"
        )

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None
