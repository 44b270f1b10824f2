"""`kiosk sandbox`: run the embedded Kaspi test bank in the foreground until Ctrl+C.

Exit codes: 0 after Ctrl+C (or SIGTERM), 2 when a port cannot be opened or the
data folder cannot be used.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.config import write_values
from kiosk.kaspi.settings import SCHEMES
from kiosk.platform.exits import EXIT_OK, EXIT_USAGE
from kiosk.sandbox.behaviour import CODE_STYLES, LINK_TIMEOUT_NAMES, TOKEN_STYLES
from kiosk.sandbox.state import DATE_STYLES, FAULT_MODES

if TYPE_CHECKING:
    from kiosk.sandbox import Sandbox


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a TCP port (0-65535; 0: any free port)")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} must be more than 0 seconds")
    return value


def _fault(text: str) -> tuple[str, int]:
    mode, _, count = text.partition(":")
    if mode not in FAULT_MODES:
        raise argparse.ArgumentTypeError(f"{mode!r} is not one of {', '.join(FAULT_MODES)}")
    try:
        number = int(count) if count else 1
    except ValueError:
        raise argparse.ArgumentTypeError(f"{count!r} is not a count") from None
    if number < 0:
        raise argparse.ArgumentTypeError("the count must be 0 (until stopped) or more")
    return mode, number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path("sandbox-data"),
        metavar="DIR",
        help="folder for the PKI, state and kiosk configs (default ./sandbox-data)",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    for scheme, port in (("basic", 8543), ("standard", 8544), ("enhanced", 8545)):
        parser.add_argument(
            f"--port-{scheme}",
            type=_port,
            default=port,
            metavar="PORT",
            help=f"port of scheme {scheme} (default {port}; 0: any free port)",
        )
    parser.add_argument(
        "--poll-interval",
        type=_seconds,
        metavar="S",
        help="StatusPollingInterval handed out (default 5)",
    )
    parser.add_argument(
        "--scan-timeout",
        type=_seconds,
        metavar="S",
        help="QrCodeScanWaitTimeout handed out (default 180)",
    )
    parser.add_argument(
        "--confirm-timeout",
        type=_seconds,
        metavar="S",
        help="PaymentConfirmationTimeout handed out (default 65)",
    )
    parser.add_argument(
        "--link-timeout",
        type=_seconds,
        metavar="S",
        help="LinkActivationWaitTimeout handed out by qr/create-link (default 180)",
    )
    parser.add_argument(
        "--link-timeout-name",
        choices=LINK_TIMEOUT_NAMES,
        help="the name qr/create-link gives that timeout: the guide's tables say "
        "LinkActivationWaitTimeout (default), its text QrCodeScanWaitTimeout",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="enforce the guide's transport rules: X-Request-ID on every call, "
        "Content-Type: application/json on POSTs, each body field of the guide's JSON type "
        "(refused with StatusCode -1 and a Message naming the rule)",
    )
    parser.add_argument(
        "--codes",
        choices=[style for style in CODE_STYLES if style],
        help="spell the StatusCodes the guide prints two ways as the endpoint's table does "
        "(9900000018 from qr/create) or as the table of codes does (990000018;"
        " docs/kaspi/api.md §9.2)",
    )
    parser.add_argument(
        "--device-token-style",
        choices=TOKEN_STYLES,
        help="DeviceToken handed out: a GUID string (default) or a whole number, "
        "sent as a JSON number, for clients that type it Int64",
    )
    parser.add_argument(
        "--legacy-pfx",
        action="store_true",
        help="also write pki/client-legacy.pfx: 3DES / SHA-1 for clients that cannot read "
        "the AES-256 client.pfx (OpenSSL 1.0, Go's x/crypto/pkcs12)",
    )
    parser.add_argument(
        "--plain-key",
        action="store_true",
        help="also write pki/client-plain.key: the client key unencrypted (PKCS#8 PEM) for "
        "clients that cannot read an encrypted PKCS#8 key",
    )
    parser.add_argument(
        "--date-style",
        choices=DATE_STYLES,
        help="shape of the dates in answers (default production)",
    )
    parser.add_argument(
        "--api-version",
        choices=("v01", "v02"),
        help="payment/status version the written configs use (both are served)",
    )
    parser.add_argument(
        "--fault",
        type=_fault,
        action="append",
        default=[],
        metavar="MODE[:COUNT]",
        help=f"inject a fault at start ({', '.join(FAULT_MODES)}); "
        "COUNT 0 lasts until stopped; repeatable",
    )
    parser.add_argument(
        "--webkassa-port",
        type=_port,
        default=8590,
        metavar="PORT",
        help="port of the embedded Webkassa register (default 8590; 0: any free port)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not print every request")


def run(args: argparse.Namespace) -> int:
    from kiosk.sandbox import Behaviour, Sandbox, SandboxError
    from kiosk.sandbox.pki import write_client_variants

    options = {
        "poll_interval": "poll_interval",
        "scan_timeout": "scan_timeout",
        "confirm_timeout": "confirm_timeout",
        "link_activation_timeout": "link_timeout",
        "link_timeout_name": "link_timeout_name",
        "date_style": "date_style",
        "api_version": "api_version",
        "codes": "codes",
        "device_token_style": "device_token_style",
    }
    changes: dict[str, object] = {
        field: getattr(args, option)
        for field, option in options.items()
        if getattr(args, option, None) is not None
    }
    if getattr(args, "strict", False):
        changes["strict"] = True
    ports = {s: getattr(args, f"port_{s}") for s in SCHEMES}
    sandbox = Sandbox(
        args.dir, host=args.host, ports=ports, behaviour=Behaviour().with_changes(**changes)
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("kiosk.sandbox")
    level = logger.level
    if not args.quiet:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        try:
            sandbox.start()
        except SandboxError as exc:
            print(f"kiosk sandbox: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except OSError as exc:
            print(f"kiosk sandbox: cannot use {args.dir}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        from kiosk.fiscal.emulator import start_embedded

        register = start_embedded(args.webkassa_port)
        try:
            for scheme in SCHEMES:  # one register; every scheme's config sends receipts to it
                write_values(sandbox.config_path(scheme), {"fiscal": register.config_values()})
            for mode, count in args.fault:
                sandbox.inject_fault(mode, count=count)
            extra = write_client_variants(
                sandbox.pki, legacy_pfx=args.legacy_pfx, plain_key=args.plain_key
            )
            _print_summary(sandbox, extra)
            print(f"  Webkassa register: {register.base_url} ([fiscal] in the configs)")
            print(f"    faults: POST {register.base_url}/emulator/faults", flush=True)
            _serve_until_stopped()
        finally:
            register.stop()
            sandbox.stop()
        print("sandbox stopped", flush=True)
        return EXIT_OK
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _serve_until_stopped() -> None:
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        # A bounded wait: on Windows an unbounded Event.wait() ignores Ctrl+C.
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass


def _print_summary(sandbox: Sandbox, extra: list[Path]) -> None:
    from kiosk.sandbox import state

    behaviour = sandbox.behaviour
    print(f"Kaspi sandbox running; data in {sandbox.data_dir.resolve()}. Ctrl+C stops it.")
    if behaviour.strict:
        print("  mode: STRICT - X-Request-ID, Content-Type and JSON field types enforced")
    else:
        print(
            "  mode: lenient - X-Request-ID, Content-Type and field types not checked"
            " (--strict checks them)"
        )
    codes = behaviour.codes or "as built (mostly the table of codes, docs/kaspi/api.md §9.1)"
    print(f"  StatusCode spelling: {codes}; DeviceToken: {behaviour.device_token_style}")
    for scheme in SCHEMES:
        print(f"  {scheme:<9} {sandbox.base_url(scheme)}")
        print(f"            config {sandbox.config_path(scheme)}")
    # Even the sandbox's own secrets stay off the screen: they are in the config files.
    print("  Api-Key (basic): kaspi.api_key in kiosk-basic.toml")
    print(f"  OrganizationBin (enhanced): {state.SANDBOX_BIN}")
    print(f"  client certificate: {sandbox.pki.client_pfx} (kaspi.key_password in the configs)")
    for path in extra:
        print(f"  also: {path}")
    print(f"  CA bundle to trust: {sandbox.pki.ca_bundle}")
    print('  customer: POST {base}/test/payment/scan {"qrPaymentId": "<id>"}, then .../confirm')
    print(flush=True)
