"""`kiosk demo`: the embedded sandbox and the kiosk together, with no config at all.

The sandbox makes its own certificates and a config per scheme; the demo
registers the device, turns on the host API and service mode (PIN 1234), and
adds a strip that plays the customer's phone through the sandbox's test API.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config import atomic_write_text, kaspi_settings, write_value, write_values
from kiosk.operator.access import hash_pin

if TYPE_CHECKING:
    from kiosk.fiscal.emulator import WebkassaEmulator
    from kiosk.sandbox import Sandbox

log = logging.getLogger(__name__)

DEMO_PIN = "1234"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir",
        default="sandbox-data",
        type=Path,
        help="where the sandbox keeps its certificates and configs",
    )
    parser.add_argument("--scheme", choices=("basic", "standard", "enhanced"), default="standard")
    parser.add_argument(
        "--fast",
        action="store_true",
        help="1 s polling, 30 s to scan, 20 s to confirm (the bank: 5/180/65)",
    )
    parser.add_argument("--fullscreen", action="store_true", help="full screen, as on a kiosk")
    parser.add_argument("--host-api-port", type=int, default=8765)
    parser.add_argument(
        "--mdb",
        action="store_true",
        help="a vending machine on an emulated MDB adapter, with product buttons (POSIX)",
    )


def prepare(
    directory: Path,
    scheme: str,
    *,
    fast: bool,
    host_api_port: int,
    fullscreen: bool = False,
    mdb_port: str | None = None,
) -> tuple[Sandbox, Path]:
    """Start the sandbox and make its config ready for the kiosk: registered, host API on."""
    from kiosk.config import load
    from kiosk.kaspi.client import KaspiClient
    from kiosk.sandbox import Behaviour, PortInUseError, Sandbox

    behaviour = Behaviour(poll_interval=1, scan_timeout=30, confirm_timeout=20) if fast else None
    sandbox = Sandbox(directory, behaviour=behaviour)
    try:
        sandbox.start()
    except PortInUseError:
        # The usual ports are taken (another sandbox?): any free ones will do for a demo.
        sandbox = Sandbox(
            directory, behaviour=behaviour, ports={"basic": 0, "standard": 0, "enhanced": 0}
        )
        sandbox.start()
    path = sandbox.config_path(scheme)
    config = load(path)
    if not config.kaspi.device_token:
        with KaspiClient(kaspi_settings(config)) as client:
            token = client.register_device(config.device.device_id, config.device.trade_point_id)
        write_value(path, "kaspi", "device_token", token)
    token_file = directory / "host-api-token.txt"
    if not token_file.exists():
        atomic_write_text(token_file, secrets.token_urlsafe(24))  # 0600: it is the host token
    host_token = token_file.read_text(encoding="utf-8").strip()
    write_values(
        path,
        {
            "kiosk": {"fullscreen": fullscreen, "service_pin": hash_pin(DEMO_PIN)},
            "host_api": {"enabled": True, "port": host_api_port, "token": host_token},
            # The config file outlives the run: a demo without --mdb must not look for one.
            "mdb": {
                "enabled": mdb_port is not None,
                "port": mdb_port or "",
                "vend_timeout": 40 if fast else 170,
            },
        },
    )
    return sandbox, path


def add_register(path: Path) -> WebkassaEmulator:
    """The embedded Webkassa register, and the config's `[fiscal]` sending receipts to it."""
    from kiosk.fiscal.emulator import start_embedded

    register = start_embedded()
    write_values(path, {"fiscal": register.config_values()})
    return register


def run(args: argparse.Namespace) -> int:
    from kiosk.app.run import run_kiosk
    from kiosk.gui.demo.panel import DemoPanel

    demo_bar: Any = DemoPanel
    emulator = None
    if args.mdb:
        if sys.platform == "win32":
            print("kiosk demo --mdb needs pseudo-terminals (Linux, macOS)", file=sys.stderr)
            return 2
        from kiosk.mdb.emulator import AdapterEmulator

        args.dir.mkdir(parents=True, exist_ok=True)
        emulator = AdapterEmulator(args.dir.resolve() / "ttyMDB").start()

        def demo_bar(shell: Any) -> Any:
            from kiosk.gui.demo.mdb import MdbDemoStrip

            return MdbDemoStrip(shell, emulator, DemoPanel(shell))

    sandbox, path = prepare(
        args.dir,
        args.scheme,
        fast=args.fast,
        host_api_port=args.host_api_port,
        fullscreen=args.fullscreen,
        mdb_port=emulator.port if emulator is not None else None,
    )
    register = add_register(path)
    print(f"Sandbox: {sandbox.base_url(args.scheme)}")
    print(f"Webkassa register: {register.base_url} (receipts' QR on the success screen)")
    print(f"Config:  {path}")
    token_file = args.dir / "host-api-token.txt"
    print(
        f'Host API: curl -H "Authorization: Bearer $(cat {token_file})" '
        f"http://127.0.0.1:{args.host_api_port}/v1/health"
    )
    if emulator is not None:
        print(f"MDB: a vending machine on {emulator.port}; pick a product on the demo strip")
    print(f"Service mode: long press the top-left corner (or Ctrl+Alt+S), PIN {DEMO_PIN}")
    print("Quit: Ctrl+Alt+Q")
    try:
        return run_kiosk(
            path,
            windowed=not args.fullscreen,
            console_level="INFO" if args.verbose else "WARNING",
            demo_bar=demo_bar,
        )
    finally:
        register.stop()
        sandbox.stop()
        if emulator is not None:
            emulator.stop()
