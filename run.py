#!/usr/bin/env python3
"""Bootstrap: make the project's virtual environment, then run the kiosk or its checks.

    python3 run.py            # set up, then the kiosk in demo mode on the embedded sandbox
    python3 run.py test       # set up, then lint, types and the whole test suite, in parallel
    python3 run.py test --quick  # the same with the unit and fast GUI tests only (no `slow`)
    python3 run.py kiosk ARGS # set up, then any `kiosk` command
    python3 run.py windows    # set up, then build the Windows kiosk and installer and prove
                              # them under Wine (on Windows: build natively)

Only the standard library is used here: this file runs on a machine that has
nothing but Python 3.11+.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"
LINTED = ["kiosk", "tests", "bench", "docs", "installer", "run.py"]
#: `test --quick`: what a change is checked against while working; `slow` marks a test that
#: starts a whole kiosk or a process, or waits out real deadlines (tests/conftest.py).
QUICK = ["-m", "not slow", "tests/unit", "tests/gui"]


def _wanted() -> str:
    """What the environment was installed from; a change means reinstall."""
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _wanted():
        return
    print("Installing the kiosk and its test tools into .venv ...", flush=True)
    subprocess.run(
        [
            str(PYTHON),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "-q",
            "-e",
            f"{ROOT}[dev]",
        ],
        check=True,
    )
    STAMP.write_text(_wanted())


def cores() -> int:
    """The cores this process may run on (a container's share, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def parallel() -> list[str]:
    """pytest-xdist options: worker processes, each with its own QApplication and sandboxes.

    The suite mostly waits (sale deadlines, processes starting, the bank's intervals): one
    worker keeps well under a core busy. So there are twice as many workers as cores (4 on
    2 cores: 4 min 27 s and 176 % CPU for the whole suite, against 5 min 33 s with 3).
    `worksteal` lets an idle worker take half of another's queue, so a few long tests at the
    end do not leave a core idle. A later `-n 0` on the command line runs everything in one
    process again.
    """
    workers = 2 * cores()
    return ["-n", str(workers), "--dist", "worksteal"] if workers > 1 else []


def run_tests(extra: list[str]) -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    linted = [p for p in LINTED if (ROOT / p).exists()]
    quick = "--quick" in extra
    chosen = [*QUICK, *(a for a in extra if a != "--quick")] if quick else extra
    steps = [
        [str(PYTHON), "-m", "ruff", "check", *linted],
        [str(PYTHON), "-m", "ruff", "format", "--check", *linted],
        [str(PYTHON), "-m", "mypy"],
        [str(PYTHON), "-m", "pytest", *parallel(), *chosen],
    ]
    for step in steps:
        print(
            "$",
            " ".join(Path(step[0]).name if i == 0 else a for i, a in enumerate(step)),
            flush=True,
        )
        code = subprocess.run(step, cwd=ROOT, env=env).returncode
        if code != 0:
            return code
    return 0


#: Qt's X11 window plugin and its own library: what `ldd` must resolve for a window to open.
XCB_FILES = ("plugins/platforms/libqxcb.so", "lib/libQt6XcbQpa.so.6")


def missing_libraries(ldd_output: str) -> list[str]:
    """The shared libraries `ldd` could not find ("libxcb-cursor.so.0 => not found")."""
    return [
        line.split("=>")[0].strip()
        for line in ldd_output.splitlines()
        if "=>" in line and "not found" in line
    ]


def debian_package(soname: str) -> str:
    """Debian's package for a library: libxcb-cursor.so.0 -> libxcb-cursor0,
    libxkbcommon-x11.so.0 -> libxkbcommon-x11-0 (a dash when the name ends in a digit)."""
    name, _, version = soname.partition(".so.")
    name = name.lower()
    return f"{name}{'-' if name[-1:].isdigit() else ''}{version}"


def display_packages() -> list[str]:
    """The packages a Linux desktop lacks for Qt to open the kiosk's window (Debian names).

    Qt's message names only the first missing library ("xcb-cursor0 ... is needed"); a
    fresh Debian lacks three or more, so every one is found at once, with ldd.
    """
    if not sys.platform.startswith("linux") or not os.environ.get("DISPLAY"):
        return []
    if os.environ.get("QT_QPA_PLATFORM", "xcb") != "xcb" or shutil.which("ldd") is None:
        return []
    qt = next(iter(sorted(VENV.glob("lib/python3*/site-packages/PySide6/Qt"))), None)
    if qt is None:
        return []
    missing: dict[str, None] = {}
    for relative in XCB_FILES:
        if (qt / relative).exists():
            done = subprocess.run(["ldd", str(qt / relative)], capture_output=True, text=True)
            missing.update(dict.fromkeys(missing_libraries(done.stdout)))
    return [debian_package(name) for name in missing]


def ensure_display_libraries() -> None:
    """Say the one `apt-get install` line Qt's window needs; run it as root unless KIOSK_APT=0."""
    packages = display_packages()
    if not packages:
        return
    line = "apt-get install -y " + " ".join(packages)
    print(f"Qt needs these libraries to open a window here: {', '.join(packages)}", flush=True)
    allowed = os.environ.get("KIOSK_APT", "1") != "0" and shutil.which("apt-get") is not None
    if allowed and hasattr(os, "geteuid") and os.geteuid() == 0:
        print(f"$ apt-get update && {line}", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=False)
        return
    print(f"Install them (as root):  {line}", flush=True)


def main(argv: list[str]) -> int:
    ensure_venv()
    command = argv[0] if argv else "demo"
    if command == "test":
        return run_tests(argv[1:])
    if command == "setup":
        return 0
    if command == "windows":
        # The Windows build, proven under Wine on Linux (installer/README.md).
        script = ROOT / "installer" / "windows.py"
        return subprocess.run([str(PYTHON), str(script), *argv[1:]], cwd=ROOT).returncode
    args = argv[1:] if command == "kiosk" else argv or ["demo"]
    if not args or args[0] in ("demo", "run"):
        ensure_display_libraries()
    return subprocess.run([str(PYTHON), "-m", "kiosk", *args], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
