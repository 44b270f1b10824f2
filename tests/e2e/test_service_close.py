"""Closing the kiosk from service mode, as a real process: exit code 0, no traceback, no crash.

Before: `RuntimeError: cannot schedule new futures after shutdown` on the console (a
worker asked for a job as Python exited), and a segmentation fault at exit when service
mode's touch watcher outlived its screen.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.kiosk import kiosk_config

from kiosk.sandbox import Sandbox

SCRIPT = """
import os, sys
from pathlib import Path
from PySide6.QtCore import QTimer, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton
from kiosk.app.run import run_kiosk

def press(widget, name):
    QTest.mouseClick(widget.findChild(QPushButton, name), Qt.MouseButton.LeftButton)

def window():
    found = [w for w in QApplication.topLevelWidgets() if w.objectName() == "kiosk_window"]
    return found[0] if found else None

def operator():
    w = window()
    if w is None or w.screen_name != "amount":
        QTimer.singleShot(200, operator)
        return
    w.service_requested.emit()
    screen = w.service_screen
    for digit in "2468":
        press(screen, "pin_" + digit)
    press(screen, "pin_ok")
    QTimer.singleShot(1500, lambda: close(screen))

def close(screen):
    press(screen, "tab_system")
    press(screen, "system_quit")
    press(screen, "system_yes")

app = QApplication(sys.argv[:1])  # before the timers: they need the application's loop
QTimer.singleShot(500, operator)
QTimer.singleShot(60000, lambda: os._exit(3))  # never hang the test
sys.exit(run_kiosk(Path(sys.argv[1]), windowed=True))
"""


@pytest.mark.slow
def test_closing_from_service_mode_exits_cleanly(fast_sandbox: Sandbox, tmp_path: Path) -> None:
    path = kiosk_config(fast_sandbox)
    script = tmp_path / "operator.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(script), str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr and "RuntimeError" not in done.stderr, done.stderr
