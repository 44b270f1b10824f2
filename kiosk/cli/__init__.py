"""The `kiosk` command: operator tools, the sandbox, and the kiosk itself.

Every expected failure ends in one line on stderr and a distinct exit code
(kiosk.cli.common lists them); a traceback means a bug. The commands live in
kiosk.cli.bank, .pay, .journal and .sandbox; `demo` and `run` in kiosk.app.demo and
kiosk.app.run. Each module is imported only when its command is wanted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from kiosk import __version__
from kiosk.cli.common import (
    EXIT_API,
    EXIT_INTERRUPTED,
    EXIT_NETWORK,
    EXIT_USAGE,
    CommandError,
    load_config,
)
from kiosk.config import ConfigError


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    from kiosk.cli import bank, pay

    parser = argparse.ArgumentParser(prog="kiosk", description="Kaspi QR self-service kiosk")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: $KIOSK_CONFIG, ./kiosk.toml, then the data folder)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log requests to the console")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)

    def add(
        name: str, func: Callable[[argparse.Namespace], int], help: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        return p

    add("ping", bank.cmd_ping, "check that the bank answers with this config")
    add("tradepoints", bank.cmd_tradepoints, "list the organisation's trade points").add_argument(
        "--json", action="store_true"
    )
    p = add("register", bank.cmd_register, "register this kiosk as a device; saves device_token")
    p.add_argument("--trade-point", type=_positive_int, metavar="ID")
    p.add_argument("--device-id", metavar="ID")
    add("unregister", bank.cmd_unregister, "delete this device at the bank; clears device_token")
    p = add("pay", pay.cmd_pay, "take one payment in the terminal")
    p.add_argument("amount", type=pay.parse_amount)
    p.add_argument("--external-id", metavar="X")
    p.add_argument("--json", action="store_true")
    p = add("status", bank.cmd_status, "one payment's status at the bank")
    p.add_argument("payment_id", type=_positive_int)
    p.add_argument("--json", action="store_true")
    p = add("details", bank.cmd_details, "a payment's amount and refundable amount")
    p.add_argument("payment_id", type=_positive_int)
    p.add_argument("--json", action="store_true")
    p = add("refund", pay.cmd_refund, "refund (part of) a payment")
    p.add_argument("payment_id", type=_positive_int)
    p.add_argument("amount", type=pay.parse_amount)
    p.add_argument("--json", action="store_true")
    p = add("remote-invoice", pay.cmd_remote_invoice, "scheme enhanced: invoice a phone number")
    p.add_argument("phone")
    p.add_argument("amount", type=pay.parse_amount)
    p.add_argument("--comment")
    p = add("remote-cancel", pay.cmd_remote_cancel, "scheme enhanced: cancel a remote invoice")
    p.add_argument("payment_id", type=_positive_int)
    add(
        "cert-info", bank.cmd_cert_info, "the client certificate's subject, issuer and expiry"
    ).add_argument("--json", action="store_true")
    _add_optional(sub, "sandbox", "kiosk.cli.sandbox", "run the embedded Kaspi sandbox")
    _add_optional(sub, "journal", "kiosk.cli.journal", "list and show recorded sales")
    _add_optional(sub, "set-pin", "kiosk.cli.setpin", "set the service PIN (stored as a hash)")
    _add_optional(
        sub, "demo", "kiosk.app.demo", "the kiosk on the embedded sandbox, no config needed"
    )
    _add_optional(sub, "run", "kiosk.app.run", "run the kiosk full screen with this config")
    return parser


class _CommandParser(argparse.ArgumentParser):
    """A command's parser; `load`, when set, adds its arguments the first time it parses."""

    load: Callable[[argparse.ArgumentParser], None] | None = None

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self.load is not None:
            load, self.load = self.load, None
            load(self)
        return super().parse_known_args(args, namespace)


def _add_optional(sub: Any, name: str, module: str, help: str) -> None:
    """A command implemented in its own module, with add_arguments() and run().

    The module is imported only when its command is used: `kiosk run` does not load
    the sandbox (cryptography), and `kiosk --help` loads none of them.
    """
    import importlib
    import importlib.util

    if importlib.util.find_spec(module) is None:
        return  # left out of this build
    p = sub.add_parser(name, help=help, description=help)

    def load(parser: argparse.ArgumentParser) -> None:
        mod = importlib.import_module(module)
        mod.add_arguments(parser)
        needs_config = getattr(mod, "NEEDS_CONFIG", False)

        def run(args: argparse.Namespace) -> int:
            if needs_config:
                return int(mod.run(args, load_config(args)))
            return int(mod.run(args))

        parser.set_defaults(func=run)

    p.load = load


def main(argv: list[str] | None = None) -> int:
    from kiosk.kaspi import errors
    from kiosk.platform.console import utf8_console
    from kiosk.platform.private import use_private_umask

    utf8_console()  # before any output: UTF-8 and never raising (kiosk/platform/console.py)
    use_private_umask()  # every file this process writes is the kiosk account's alone
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
    from kiosk.platform.logs import masked

    print(f"kiosk: {masked(message)}", file=sys.stderr)
