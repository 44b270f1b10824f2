"""The worker after close: no "cannot schedule new futures after shutdown" when the kiosk closes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from kiosk.gui.kit.worker import Worker


def test_a_closed_worker_drops_jobs_and_drains_without_raising(qtbot: QtBot) -> None:
    worker = Worker("test-closed")
    answers: list[Any] = []
    worker.submit(lambda: 1, lambda result, error: answers.append(result))
    qtbot.waitUntil(lambda: answers == [1])
    worker.close()
    ran: list[int] = []
    future = worker.submit(lambda: ran.append(1), lambda *_: answers.append("late"))
    assert future.cancelled()
    worker.drain()  # a second teardown drains again
    worker.close()  # and closes again
    qtbot.wait(50)
    assert ran == [] and answers == [1]


def test_a_job_submitted_while_the_interpreter_exits_prints_no_traceback(tmp_path: Path) -> None:
    """Python's exit shuts every executor down before Qt objects die; a job asked for then
    (a screen's destroyed() closing its backend) used to print a RuntimeError traceback."""
    script = tmp_path / "exit.py"
    script.write_text(
        "import atexit\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from kiosk.gui.kit.worker import Worker\n"
        "app = QCoreApplication([])\n"
        "worker = Worker('exiting')\n"
        "worker.submit(lambda: 1, lambda *_: None).result()\n"
        "def late():\n"
        "    worker.submit(lambda: 2, lambda *_: None)\n"
        "    worker.drain()\n"
        "    print('late job refused quietly')\n"
        "atexit.register(late)\n",  # runs after concurrent.futures' own exit hook
        encoding="utf-8",
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "late job refused quietly" in done.stdout
    assert "Traceback" not in done.stderr and "RuntimeError" not in done.stderr
