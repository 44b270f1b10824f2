"""Logging: one line per event, rotating files in the data folder, secrets masked.

The API key and the key password are never logged on purpose; the mask is the
second line of defence, for the day a library or an exception quotes one.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from collections.abc import Iterable
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class SecretMask:
    """Replaces every configured secret in a text with `***`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets: list[str] = []
        self.update(secrets)

    def update(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret that contains another is masked whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


class MaskingFormatter(logging.Formatter):
    """Masks secrets in the final line, traceback included, without touching the record
    (other handlers, such as pytest's, see the record as it was logged)."""

    def __init__(self, fmt: str, mask: SecretMask) -> None:
        super().__init__(fmt)
        self._mask = mask

    def format(self, record: logging.LogRecord) -> str:
        return self._mask.mask(super().format(record))


_mask = SecretMask()


def masked(text: str) -> str:
    """`text` with every known secret replaced (for lines printed outside logging)."""
    return _mask.mask(text)


def mask_secrets(secrets: Iterable[str]) -> None:
    """Tell the mask the current secrets (call again after the config changes)."""
    _mask.update(secrets)


def setup(
    *,
    level: str = "INFO",
    log_dir: Path | None = None,
    console_level: str = "WARNING",
    secrets: Iterable[str] = (),
) -> None:
    """Console on stderr at `console_level`; a rotating `kiosk.log` in `log_dir` at `level`."""
    mask_secrets(secrets)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(logging.DEBUG)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(console_level.upper())
    console.setFormatter(MaskingFormatter("%(levelname)s: %(message)s", _mask))
    handlers: list[logging.Handler] = [console]
    if log_dir is not None:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            file_handler = logging.handlers.RotatingFileHandler(
                log_dir / "kiosk.log", maxBytes=2_000_000, backupCount=10, encoding="utf-8"
            )
        except OSError as exc:
            console.handle(
                logging.makeLogRecord(
                    {
                        "levelno": logging.WARNING,
                        "levelname": "WARNING",
                        "msg": f"cannot write logs in {log_dir}: {exc.strerror}",
                    }
                )
            )
        else:
            file_handler.setLevel(level.upper())
            file_handler.setFormatter(MaskingFormatter(FORMAT, _mask))
            handlers.append(file_handler)
    for handler in handlers:
        handler._kiosk = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    # Third-party chatter stays out of the kiosk's one-line-per-event log.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
