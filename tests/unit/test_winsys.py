"""winsys off Windows: the no-op display call, the single-instance lock, the supervisor.

The Windows side (SetThreadExecutionState, the named mutex) runs in the frozen
kiosk under Wine: `python3 run.py windows` (installer/gui_proof.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kiosk.platform import winsys

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the non-Windows side")


def test_keep_display_awake_is_a_no_op_off_windows() -> None:
    assert winsys.keep_display_awake() is False


def test_instance_name_is_one_per_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "kiosk.toml"
    monkeypatch.chdir(tmp_path)
    assert winsys.instance_name(config) == winsys.instance_name(Path("kiosk.toml"))
    assert winsys.instance_name(config) == winsys.instance_name(tmp_path / "." / "kiosk.toml")
    assert winsys.instance_name(config) != winsys.instance_name(tmp_path / "other.toml")


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from kiosk.platform.winsys import AlreadyRunning, single_instance
    try:
        lock = single_instance(Path(sys.argv[1]), Path(sys.argv[2]))
    except AlreadyRunning as exc:
        print(exc)
        sys.exit(6)
    print("held", flush=True)
    sys.stdin.read()  # until the test closes stdin
    """
)


def test_a_second_process_on_the_same_config_is_refused_until_the_first_ends(
    tmp_path: Path,
) -> None:
    config = tmp_path / "kiosk.toml"
    argv = [sys.executable, "-c", HOLDER, str(config), str(tmp_path)]
    first = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert first.stdout is not None and first.stdin is not None
    try:
        assert first.stdout.readline().strip() == "held"
        second = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
        assert second.returncode == 6
        assert "already running" in second.stdout and str(config) in second.stdout
        other = subprocess.run(
            [*argv[:3], str(tmp_path / "other.toml"), str(tmp_path)],
            input="",
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert other.returncode == 0, other.stderr  # another config is another kiosk
    finally:
        first.stdin.close()
        first.wait(timeout=30)
    # The first process ended (however it ended, the OS freed its lock).
    lock = winsys.single_instance(config, tmp_path)
    lock.release()
    lock.release()  # twice is harmless


def test_kiosk_run_exits_6_when_its_config_already_has_a_kiosk(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    lock = winsys.single_instance(config)
    try:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        result = subprocess.run(
            [sys.executable, "-m", "kiosk", "--config", str(config), "run"],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            check=False,
        )
    finally:
        lock.release()
    assert result.returncode == winsys.EXIT_ALREADY_RUNNING, result.stderr
    assert "a kiosk is already running with" in result.stderr
    assert "Traceback" not in result.stderr


COUNTING_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    counter = Path(sys.argv[1])
    runs = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(runs))
    codes = [int(c) for c in sys.argv[2:]]
    sys.exit(codes[min(runs, len(codes)) - 1])
    """
)


def supervised(
    tmp_path: Path, *codes: int, clock: list[float] | None = None
) -> tuple[int, int, list[float]]:
    counter = tmp_path / "runs"
    waits: list[float] = []
    times = iter(clock) if clock is not None else None
    code = winsys.supervise(
        [sys.executable, "-c", COUNTING_CHILD, str(counter), *map(str, codes)],
        sleep=waits.append,
        clock=(lambda: next(times)) if times is not None else (lambda: 0.0),  # type: ignore[arg-type]
        max_starts=10,
    )
    return code, int(counter.read_text()), waits


def test_supervisor_restarts_a_crashed_kiosk_with_growing_waits(tmp_path: Path) -> None:
    code, runs, waits = supervised(tmp_path, 1, 3, -11 & 0xFF, 0)
    assert (code, runs) == (0, 4)
    assert waits == [winsys.FIRST_DELAY, winsys.FIRST_DELAY * 2, winsys.FIRST_DELAY * 4]


def test_supervisor_stops_when_another_kiosk_has_the_screen(tmp_path: Path) -> None:
    assert supervised(tmp_path, winsys.EXIT_ALREADY_RUNNING) == (6, 1, [])


def test_supervisor_wait_resets_after_a_long_run(tmp_path: Path) -> None:
    # start 0, crash at 1; start 1, crash at 1000 (ran long); start 1000, exits 0.
    _code, _runs, waits = supervised(tmp_path, 1, 1, 0, clock=[0, 1, 1, 1000, 1000, 1001])
    assert waits == [winsys.FIRST_DELAY, winsys.FIRST_DELAY]


def test_supervisor_gives_up_when_the_kiosk_cannot_start(tmp_path: Path) -> None:
    assert winsys.supervise([str(tmp_path / "missing.exe")], sleep=lambda _s: None) == 1


def test_supervisor_bounded_by_max_starts(tmp_path: Path) -> None:
    code, runs, _waits = supervised(tmp_path, *([1] * 20))
    assert (code, runs) == (1, 10)
