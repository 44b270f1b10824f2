"""What every `kiosk` command shares: the one-line failure and the config loader.

The exit codes they return are kiosk.platform.exits' (one set for the whole kiosk).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from kiosk.config import Config, default_data_dir, load, secret_values
from kiosk.platform.exits import EXIT_USAGE


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
