"""What every `kiosk` command shares: the exit codes, the one-line failure, the config loader.

Exit codes (one set for the whole command line):

    0  success (for `pay`: the payment is Processed)
    1  the payment, refund or lookup did not happen (declined, timed out, no such sale)
    2  usage or configuration error (the line names the config key)
    3  the bank answered with an error (StatusCode, HTTP status, bad answer)
    4  network or TLS failure: the bank could not be reached or the handshake failed
    5  the outcome is unknown: the bank could not be asked in time
  130  interrupted (Ctrl+C)
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from kiosk.config import Config, default_data_dir, load, secret_values

EXIT_OK = 0
EXIT_NOT_PAID = 1
EXIT_FAILED = EXIT_NOT_PAID  # the same code for "it did not happen" outside payments
EXIT_USAGE = 2
EXIT_API = 3
EXIT_NETWORK = 4
EXIT_UNKNOWN = 5
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
    from kiosk.platform import logs

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
