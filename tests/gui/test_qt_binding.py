"""The Qt binding itself must survive a kiosk's lifetime of calls.

PySide6-Essentials 6.12.0 on Python 3.11 drops a reference to None on every
void Qt call; the kiosk aborted with `none_dealloc` after about 40 sales. The
check runs in a subprocess so a binding that crashes fails this test cleanly.
"""

import subprocess
import sys

CHECK = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

class Emitter(QObject):
    changed = Signal(bool)

app = QCoreApplication([])
timer, emitter = QTimer(), Emitter()
before = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
for _ in range(50_000):
    timer.setInterval(5)      # a void call returns None
    emitter.changed.emit(True)  # emit returns a bool
after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
print(before, after)
assert all(abs(a - b) < 100 for a, b in zip(before, after)), (before, after)
"""


def test_void_calls_and_emits_keep_reference_counts() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
