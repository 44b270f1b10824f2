"""The command line loads a command's module only when that command runs.

`kiosk run` starts the kiosk: building its parser must not load the sandbox
(cryptography) or the bank client (requests), which the kiosk loads after its
window is up. Checked in a fresh interpreter, where sys.modules tells the truth.
"""

import json
import subprocess
import sys

HEAVY = ("requests", "cryptography", "kiosk.sandbox", "kiosk.kaspi.client", "waitress", "qrcode")


def loaded_after(code: str) -> list[str]:
    probe = (
        f"import json, sys\n{code}\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    return list(json.loads(out.stdout.splitlines()[-1]))


def test_parsing_kiosk_run_loads_none_of_the_heavy_modules() -> None:
    code = (
        "from kiosk.cli import build_parser\n"
        "args = build_parser().parse_args(['--config', 'k.toml', 'run', '--windowed'])\n"
        "assert args.command == 'run' and args.windowed and callable(args.func)"
    )
    assert loaded_after(code) == []


def test_a_command_gets_its_module_and_arguments_when_used() -> None:
    code = (
        "from kiosk.cli import build_parser\n"
        "args = build_parser().parse_args(['sandbox', '--port-standard', '0', '--quiet'])\n"
        "assert args.port_standard == 0 and args.quiet and callable(args.func)"
    )
    assert "kiosk.sandbox" in loaded_after(code)


def test_help_lists_every_command_without_loading_them() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("sandbox", "journal", "demo", "run", "pay", "ping"):
        assert f"    {command}" in out.stdout
    sub = subprocess.run(
        [sys.executable, "-m", "kiosk", "sandbox", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--port-standard" in sub.stdout
