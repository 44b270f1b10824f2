"""The `kiosk` command: operator tools, the sandbox, and the kiosk itself.

Every expected failure ends in one line on stderr and a distinct exit code;
a traceback means a bug. Exit codes:

    0  success (for `pay`: the payment is Processed)
    1  the payment or refund did not happen (declined, timed out, cancelled)
    2  usage or configuration error (the line names the config key)
    3  the bank answered with an error (StatusCode, HTTP status, bad answer)
    4  network or TLS failure: the bank could not be reached or the handshake failed
    5  the outcome is unknown: the bank could not be asked in time
  130  interrupted (Ctrl+C)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk import __version__
from kiosk.config import Config, ConfigError, default_data_dir, load, secret_values

log = logging.getLogger("kiosk.cli")

EXIT_OK, EXIT_NOT_PAID, EXIT_USAGE, EXIT_API, EXIT_NETWORK, EXIT_UNKNOWN = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130


class CommandError(Exception):
    """An expected failure of a command: printed as one line, exits with `code`."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def config_path(arg: str | None) -> Path:
    """--config, else $KIOSK_CONFIG, else ./kiosk.toml, else kiosk.toml in the data folder."""
    if arg:
        return Path(arg)
    if os.environ.get("KIOSK_CONFIG"):
        return Path(os.environ["KIOSK_CONFIG"])
    local = Path("kiosk.toml")
    return local if local.exists() else default_data_dir() / "kiosk.toml"


def load_config(args: argparse.Namespace) -> Config:
    from kiosk import logs

    config = load(config_path(args.config))
    logs.setup(
        level=config.logging.level,
        log_dir=config.data_dir / "logs",
        console_level="INFO" if args.verbose else "WARNING",
        secrets=secret_values(config),
    )
    return config


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


# --- commands that need only the client ---------------------------------------------------


def cmd_ping(args: argparse.Namespace) -> int:
    from kiosk.kaspi.client import KaspiClient

    config = load_config(args)
    with KaspiClient(config) as client:
        client.ping()
    print(f"OK: {config.kaspi.base_url} answers (scheme {config.kaspi.scheme})")
    return EXIT_OK


def cmd_tradepoints(args: argparse.Namespace) -> int:
    from kiosk.kaspi.client import KaspiClient

    config = load_config(args)
    with KaspiClient(config) as client:
        points = client.trade_points()
    if args.json:
        print_json([{"TradePointId": p.id, "TradePointName": p.name} for p in points])
    else:
        for point in points:
            print(f"{point.id:>10}  {point.name}")
        if not points:
            print("No trade points.")
    return EXIT_OK


def cmd_register(args: argparse.Namespace) -> int:
    from kiosk.config import write_value
    from kiosk.kaspi.client import KaspiClient

    config = load_config(args)
    device_id = args.device_id or config.device.device_id
    trade_point = args.trade_point if args.trade_point is not None else config.device.trade_point_id
    if not trade_point:
        raise CommandError("--trade-point is required (see `kiosk tradepoints`)")
    with KaspiClient(config) as client:
        try:
            token = client.register_device(device_id, trade_point)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
    assert config.path is not None
    write_value(config.path, "kaspi", "device_token", token)
    write_value(config.path, "device", "device_id", device_id)
    write_value(config.path, "device", "trade_point_id", trade_point)
    print(
        f"Registered {device_id} at trade point {trade_point}; device_token saved in {config.path}"
    )
    return EXIT_OK


def cmd_unregister(args: argparse.Namespace) -> int:
    from kiosk.config import write_value
    from kiosk.kaspi.client import KaspiClient

    config = load_config(args)
    with KaspiClient(config) as client:
        client.delete_device()
    assert config.path is not None
    write_value(config.path, "kaspi", "device_token", "")
    print(f"Device {config.device.device_id} deleted at the bank; device_token cleared")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from kiosk.kaspi.client import KaspiClient

    config = load_config(args)
    with KaspiClient(config) as client:
        report = client.payment_status(args.payment_id)
    if args.json:
        print_json({"QrPaymentId": args.payment_id, "Status": report.status, **report.extra})
    else:
        print(report.status)
    return EXIT_OK


def cmd_details(args: argparse.Namespace) -> int:
    from kiosk.kaspi.client import KaspiClient

    config = load_config(args)
    with KaspiClient(config) as client:
        d = client.payment_details(args.payment_id)
    if args.json:
        print_json(
            {
                "QrPaymentId": d.payment_id,
                "TotalAmount": str(d.total_amount),
                "AvailableReturnAmount": str(d.available_return_amount),
                "TransactionDate": d.transaction_date.isoformat() if d.transaction_date else None,
                **d.extra,
            }
        )
    else:
        print(
            f"Payment {d.payment_id}: {d.total_amount} ₸, refundable {d.available_return_amount} ₸,"
            f" at {d.transaction_date.isoformat() if d.transaction_date else 'unknown time'}"
        )
    return EXIT_OK


def cmd_cert_info(args: argparse.Namespace) -> int:
    from kiosk.kaspi import tls

    config = load_config(args)
    if config.kaspi.scheme == "basic" or not config.kaspi.cert_file:
        raise CommandError("kaspi.cert_file: scheme basic uses an API key, not a certificate")
    info = tls.load_identity(config).info
    if args.json:
        print_json({"file": str(config.resolve(config.kaspi.cert_file)), **info.to_json()})
        return EXIT_OK
    days = info.days_left()
    print(f"Subject:  {info.subject}")
    print(f"Issuer:   {info.issuer}")
    print(f"Serial:   {info.serial}")
    print(f"Valid:    {info.not_before:%Y-%m-%d} to {info.not_after:%Y-%m-%d}")
    print(
        f"Days left: {days}"
        + ("  (EXPIRED)" if days < 0 else "  (renew soon)" if days < 30 else "")
    )
    print(f"SHA-256:  {info.sha256}")
    return EXIT_OK


# --- the parser -----------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    from kiosk import cli_pay

    parser = argparse.ArgumentParser(prog="kiosk", description="Kaspi QR self-service kiosk")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: $KIOSK_CONFIG, ./kiosk.toml, then the data folder)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log requests to the console")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(
        name: str, func: Callable[[argparse.Namespace], int], help: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        return p

    add("ping", cmd_ping, "check that the bank answers with this config")
    add("tradepoints", cmd_tradepoints, "list the organisation's trade points").add_argument(
        "--json", action="store_true"
    )
    p = add("register", cmd_register, "register this kiosk as a device; saves device_token")
    p.add_argument("--trade-point", type=_positive_int, metavar="ID")
    p.add_argument("--device-id", metavar="ID")
    add("unregister", cmd_unregister, "delete this device at the bank; clears device_token")
    p = add("pay", cli_pay.cmd_pay, "take one payment in the terminal")
    p.add_argument("amount", type=cli_pay.parse_amount)
    p.add_argument("--external-id", metavar="X")
    p.add_argument("--json", action="store_true")
    p = add("status", cmd_status, "one payment's status at the bank")
    p.add_argument("payment_id", type=_positive_int)
    p.add_argument("--json", action="store_true")
    p = add("details", cmd_details, "a payment's amount and refundable amount")
    p.add_argument("payment_id", type=_positive_int)
    p.add_argument("--json", action="store_true")
    p = add("refund", cli_pay.cmd_refund, "refund (part of) a payment")
    p.add_argument("payment_id", type=_positive_int)
    p.add_argument("amount", type=cli_pay.parse_amount)
    p.add_argument("--json", action="store_true")
    p = add("remote-invoice", cli_pay.cmd_remote_invoice, "scheme enhanced: invoice a phone number")
    p.add_argument("phone")
    p.add_argument("amount", type=cli_pay.parse_amount)
    p.add_argument("--comment")
    p = add("remote-cancel", cli_pay.cmd_remote_cancel, "scheme enhanced: cancel a remote invoice")
    p.add_argument("payment_id", type=_positive_int)
    add(
        "cert-info", cmd_cert_info, "the client certificate's subject, issuer and expiry"
    ).add_argument("--json", action="store_true")
    _add_optional(sub, "sandbox", "kiosk.sandbox.cli", "run the embedded Kaspi sandbox")
    _add_optional(sub, "journal", "kiosk.journal_cli", "list and show recorded sales")
    _add_optional(sub, "demo", "kiosk.demo", "the kiosk on the embedded sandbox, no config needed")
    _add_optional(sub, "run", "kiosk.app", "run the kiosk full screen with this config")
    return parser


def _add_optional(sub: Any, name: str, module: str, help: str) -> None:
    """A command implemented in its own module, with add_arguments() and run()."""
    import importlib

    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return
    p = sub.add_parser(name, help=help, description=help)
    mod.add_arguments(p)
    needs_config = getattr(mod, "NEEDS_CONFIG", False)

    def run(args: argparse.Namespace) -> int:
        if needs_config:
            return int(mod.run(args, load_config(args)))
        return int(mod.run(args))

    p.set_defaults(func=run)


def main(argv: list[str] | None = None) -> int:
    from kiosk.console import utf8_console
    from kiosk.kaspi import errors

    utf8_console()  # before any output: UTF-8 and never raising (kiosk/console.py)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except CommandError as exc:
        _fail(str(exc))
        return exc.code
    except ConfigError as exc:
        _fail(f"config: {exc}")
        return EXIT_USAGE
    except (errors.TransportError, errors.TlsError) as exc:
        _fail(str(exc))
        return EXIT_NETWORK
    except errors.UnsupportedOperation as exc:
        _fail(str(exc))
        return EXIT_USAGE
    except errors.KaspiError as exc:
        _fail(str(exc))
        return EXIT_API
    except KeyboardInterrupt:
        _fail("interrupted")
        return EXIT_INTERRUPTED


def _fail(message: str) -> None:
    from kiosk.logs import masked

    print(f"kiosk: {masked(message)}", file=sys.stderr)
