"""Processes the end-to-end tests start: `kiosk run` in the background, a command to its end.

One place for what such a process gets, so the tests cannot drift apart on it:
the developer's KIOSK_CONFIG is left out (each test names its own config), and a
kiosk window draws offscreen.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

KIOSK = [sys.executable, "-m", "kiosk"]


def fuzz_seconds(default: int) -> int:
    """Schemathesis's time budget for one run: `default` in the suite, more for a deeper
    run (`KIOSK_FUZZ_SECONDS=300 python3 run.py test -k schemathesis`)."""
    return int(os.environ.get("KIOSK_FUZZ_SECONDS", default))


def process_env(**extra: str) -> dict[str, str]:
    """This process's environment without KIOSK_CONFIG, with `extra` set."""
    env = {k: v for k, v in os.environ.items() if k != "KIOSK_CONFIG"}
    env.update(extra)
    return env


def kiosk_cli(
    *args: str, config: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`kiosk [--config <config>] <args>` run to its end; its exit code and text output."""
    argv = [*KIOSK, "--config", str(config)] if config is not None else [*KIOSK]
    return subprocess.run(
        [*argv, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=process_env(),
        check=False,
    )


class Process:
    """A subprocess whose output goes to a file; killed (and waited for) at the end."""

    def __init__(self, args: list[str], out: Path, env: dict[str, str] | None = None) -> None:
        self.out = out
        with out.open("ab") as sink:
            self.proc = subprocess.Popen(args, stdout=sink, stderr=subprocess.STDOUT, env=env)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL on POSIX (TerminateProcess on Windows): no clean-up code runs."""
        if self.alive():
            self.proc.kill()
        self.proc.wait(10)

    def output(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    def tail(self) -> str:
        """The end of the output, for a failure's message."""
        return self.output()[-3000:]


def kiosk_run(config: Path, out: Path) -> Process:
    """`kiosk --config <config> run --windowed` as the operator starts it, drawing offscreen."""
    return Process(
        [*KIOSK, "--config", str(config), "run", "--windowed"],
        out,
        process_env(QT_QPA_PLATFORM="offscreen"),
    )
