"""run.py's own logic (it runs before the venv exists: standard library only)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_py", ROOT / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# What ldd prints for Qt's X11 plugin on a fresh Debian (libraries elided).
LDD = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6Gui.so.6 => /opt/venv/PySide6/Qt/lib/libQt6Gui.so.6 (0x00007f1)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibX11-xcb.so.1 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f2)
"""


def test_every_missing_library_is_named_with_its_debian_package() -> None:
    run = load_run()
    missing = run.missing_libraries(LDD)
    assert missing == [
        "libxcb-cursor.so.0",
        "libxcb-icccm.so.4",
        "libxcb-keysyms.so.1",
        "libxkbcommon-x11.so.0",
        "libX11-xcb.so.1",
    ]
    assert [run.debian_package(m) for m in missing] == [
        "libxcb-cursor0",
        "libxcb-icccm4",
        "libxcb-keysyms1",
        "libxkbcommon-x11-0",
        "libx11-xcb1",
    ]


def test_no_display_or_offscreen_needs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    run = load_run()
    monkeypatch.delenv("DISPLAY", raising=False)
    assert run.display_packages() == []
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert run.display_packages() == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd and X11: Linux only")
def test_the_real_plugin_is_checked_with_ldd(monkeypatch: pytest.MonkeyPatch) -> None:
    """Against this machine's Qt: whatever ldd says is missing is what run.py asks for."""
    run = load_run()
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    qt = next(iter(sorted(run.VENV.glob("lib/python3*/site-packages/PySide6/Qt"))))
    plugin = qt / "plugins/platforms/libqxcb.so"
    assert plugin.exists()
    ldd = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True).stdout
    expected = [run.debian_package(n) for n in run.missing_libraries(ldd)]
    assert set(expected) <= set(run.display_packages())
