"""`kiosk set-pin`: store the service PIN as a salted hash in the config file.

    kiosk set-pin            asks twice, without echo
    kiosk set-pin --stdin    reads one line (scripts, an installer)

The PIN is never a command-line argument (shell history, the process list) and
never printed. The file keeps its comments and layout (kiosk.config.write_value);
it need not be valid before, since a plain PIN in it is what this command fixes.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys

from kiosk.cli.common import EXIT_OK, EXIT_USAGE, CommandError, config_path
from kiosk.config import write_value
from kiosk.operator.access import PinError, hash_pin

log = logging.getLogger("kiosk.cli")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stdin", action="store_true", help="read the PIN from standard input")


def _read_pin(args: argparse.Namespace) -> str:
    if args.stdin:
        return sys.stdin.readline().strip()
    first = getpass.getpass("New service PIN (4-12 digits): ")
    if getpass.getpass("The same PIN again: ") != first:
        raise CommandError("the two PINs differ; nothing was changed", EXIT_USAGE)
    return first


def run(args: argparse.Namespace) -> int:
    path = config_path(args.config)
    if not path.exists():
        raise CommandError(f"config file not found: {path}", EXIT_USAGE)
    pin = _read_pin(args)
    try:
        stored = hash_pin(pin)
    except PinError as exc:
        raise CommandError(f"{exc}; nothing was changed", EXIT_USAGE) from None
    write_value(path, "kiosk", "service_pin", stored)
    print(f"Service PIN set in {path} (stored as a salted hash).")
    return EXIT_OK
