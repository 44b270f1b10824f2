"""Display scaling (125 % and 200 %): every screen still fits, in a process of its own.

QT_SCALE_FACTOR must be set before Qt starts, so tests/helpers/layout_run.py runs the
same gallery and checker as test_layout.py in a subprocess, at panel sizes whose
logical size is a real kiosk's (200 % on an 800x480 panel would be a 400x240 screen).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parents[1] / "helpers" / "layout_run.py"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("factor", "sizes"),
    [
        ("1.25", ["1920x1080", "1280x800", "1080x1920"]),
        ("2", ["1920x1080", "1080x1920"]),
    ],
)
def test_every_screen_fits_under_display_scaling(factor: str, sizes: list[str]) -> None:
    env = {**os.environ, "QT_SCALE_FACTOR": factor, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(RUNNER), *sizes],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no problems" in done.stdout
