"""The core (everything outside kiosk/gui) must run without Qt.

Every module is found by walking the package, so a new module is checked
without anyone adding it to a list. Each is imported in a fresh interpreter,
where `PySide6` in sys.modules can only have come from that import.
"""

import json
import pkgutil
import subprocess
import sys

import kiosk


def core_modules() -> list[str]:
    """Every module under kiosk/ except kiosk.gui and what is inside it."""
    found = [m.name for m in pkgutil.walk_packages(kiosk.__path__, "kiosk.")]
    return sorted(n for n in found if n != "kiosk.gui" and not n.startswith("kiosk.gui."))


def test_the_walk_finds_modules_in_every_core_package() -> None:
    names = core_modules()
    for expected in (
        "kiosk.payment.flow",
        "kiosk.kaspi.client",
        "kiosk.journal",
        "kiosk.cli.pay",
        "kiosk.metrics.server",
    ):
        assert expected in names
    assert "kiosk.sandbox.routes" in names
    assert not [n for n in names if n.startswith("kiosk.gui")]


def test_core_modules_do_not_import_qt() -> None:
    # kiosk.__main__ runs the command line when imported; it is checked through kiosk.cli.
    names = [n for n in core_modules() if n != "kiosk.__main__"]
    code = (
        "import importlib, json, sys\n"
        f"names = {names!r}\n"
        "with_qt = []\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "    if 'PySide6' in sys.modules:\n"
        "        with_qt.append(name)\n"
        "        break\n"
        "print(json.dumps(with_qt))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [], "this module imports PySide6"
