"""The core (client, flow, journal, config, sandbox, host API) must run without Qt."""

import subprocess
import sys

CORE = [
    "kiosk.config",
    "kiosk.sale",
    "kiosk.logs",
    "kiosk.cli",
    "kiosk.cli_pay",
    "kiosk.kaspi.client",
    "kiosk.kaspi.tls",
    "kiosk.kaspi.models",
    "kiosk.kaspi.errors",
    "kiosk.kaspi.dates",
    "kiosk.flow",
    "kiosk.journal",
    "kiosk.hostapi",
    "kiosk.metrics",
    "kiosk.metrics.server",
    "kiosk.sandbox.server",
    "kiosk.sandbox.state",
    "kiosk.sandbox.pki",
]


def test_core_modules_do_not_import_qt() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}:\n"
        "    importlib.import_module(name)\n"
        "    assert 'PySide6' not in sys.modules, name\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
