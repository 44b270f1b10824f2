"""What a kiosk needs from Windows: the display on, one kiosk per config, restart after a crash.

- `keep_display_awake()`: SetThreadExecutionState keeps the display and the machine
  on while the kiosk runs (a customer must never meet a black screen). Elsewhere a
  no-op: a Linux kiosk sets its display's power management in the session.
- `single_instance(config)`: a second kiosk on the same config would share the
  journal, the host API port and the screen; it is refused with `AlreadyRunning`.
  Windows: a named mutex (freed by Windows however the kiosk ends); elsewhere an
  flock on a lock file in the temporary folder (freed by the OS the same way).
- `supervise(command)`: runs the kiosk and starts it again when it crashes (any exit
  but 0, or `EXIT_ALREADY_RUNNING`), waiting longer after each quick crash. The
  installer's autostart task runs `kiosk.exe --supervise` (installer/README.md).

Autostart itself is the installer's task (HKLM Run key), not a config key: the kiosk
cannot register itself without administrator rights, which it never has.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("kiosk.platform.winsys")

WINDOWS = sys.platform == "win32"
#: `kiosk run` exits with this when another kiosk already runs on the same config.
EXIT_ALREADY_RUNNING = 6

ES_CONTINUOUS = 0x80000000
ES_SYSTEM_REQUIRED = 0x00000001
ES_DISPLAY_REQUIRED = 0x00000002
ERROR_ALREADY_EXISTS = 183

#: A kiosk that ran this long before it ended was not crash-looping: the wait resets.
STABLE_SECONDS = 300.0
FIRST_DELAY, MAX_DELAY = 2.0, 60.0


class AlreadyRunning(Exception):
    """Another kiosk runs on this config; the message says so in one line."""


def keep_display_awake() -> bool:
    """Keep the display and the machine on until this thread ends; True where it applies."""
    if not WINDOWS:
        return False
    import ctypes

    kernel32: Any = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
    flags = ES_CONTINUOUS | ES_DISPLAY_REQUIRED | ES_SYSTEM_REQUIRED
    previous = kernel32.SetThreadExecutionState(ctypes.c_uint32(flags))
    if not previous:
        log.warning("SetThreadExecutionState failed: the display may turn off")
        return False
    return True


def instance_name(config: Path) -> str:
    """One name per config file, however its path is spelled."""
    key = os.path.normcase(str(config.expanduser().resolve()))
    return "KaspiQRKiosk-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


class InstanceLock:
    """Held while the kiosk runs; `release()` (or the process ending) frees it."""

    def __init__(self, handle: Any, release: Callable[[Any], None]) -> None:
        self._handle = handle
        self._release = release

    def release(self) -> None:
        if self._handle is not None:
            self._release(self._handle)
            self._handle = None


def single_instance(config: Path, lock_dir: Path | None = None) -> InstanceLock:
    """Claim the kiosk of this config; AlreadyRunning if another process has it."""
    name = instance_name(config)
    message = f"a kiosk is already running with {config}; this one exits"
    if WINDOWS:
        return _windows_mutex(name, message)
    import fcntl

    path = (lock_dir or Path(tempfile.gettempdir())) / f"{name}.lock"
    handle = open(path, "a+b")  # noqa: SIM115 (held open while the kiosk runs)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise AlreadyRunning(message) from None

    def unlock(file: Any) -> None:
        fcntl.flock(file, fcntl.LOCK_UN)
        file.close()

    return InstanceLock(handle, unlock)


def _windows_mutex(name: str, message: str) -> InstanceLock:  # pragma: no cover (Windows)
    import ctypes

    kernel32: Any = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
    kernel32.CreateMutexW.restype = ctypes.c_void_p
    # Local\: one kiosk per session; the kiosk is the session's shell under Assigned Access.
    handle = kernel32.CreateMutexW(None, False, f"Local\\{name}")
    if not handle:
        raise OSError(ctypes.get_last_error(), "CreateMutexW failed")  # type: ignore[attr-defined,unused-ignore]
    if ctypes.get_last_error() == ERROR_ALREADY_EXISTS:  # type: ignore[attr-defined,unused-ignore]
        kernel32.CloseHandle(ctypes.c_void_p(handle))
        raise AlreadyRunning(message)
    return InstanceLock(handle, lambda h: kernel32.CloseHandle(ctypes.c_void_p(h)))


def supervise(
    command: list[str],
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    max_starts: int | None = None,
) -> int:
    """Run command until it ends by itself (exit 0) or another kiosk has the screen.

    A crash starts it again after FIRST_DELAY seconds, doubling up to MAX_DELAY while
    it keeps crashing within STABLE_SECONDS of its start. max_starts bounds the loop
    (tests); the exit code of the last run is returned.
    """
    delay = FIRST_DELAY
    starts = 0
    while True:
        started = clock()
        starts += 1
        try:
            code = subprocess.run(command, check=False).returncode
        except OSError as exc:
            log.critical("cannot start %s: %s", command[0], exc)
            return 1
        if code in (0, EXIT_ALREADY_RUNNING):
            return code
        if max_starts is not None and starts >= max_starts:
            return code
        if clock() - started > STABLE_SECONDS:
            delay = FIRST_DELAY
        log.critical("the kiosk ended with exit code %s; starting it again in %.0f s", code, delay)
        sleep(delay)
        delay = min(delay * 2, MAX_DELAY)
