"""Logging: one line per event, rotating files in the data folder, secrets masked.

The API key and the key password are never logged on purpose; the mask is the
second line of defence, for the day a library or an exception quotes one. It
masks where a secret is known to stand (a secret-named field or config key, an
Authorization header), and long configured secrets as whole words, never every
short substring: a PIN of 4812 must not turn "4812.00" into "***.00".
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from kiosk.platform.private import private_dir, private_file

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


#: Where a secret is known to stand: a secret-named field or config key (`service_pin = "…"`,
#: `'key_password': '…'`, `"token": "…"`, `device_token=…`) or an HTTP credential header.
_SECRET_NAME = r"(?:[A-Za-z0-9]+[_-])*(?:token|password|passwd|secret|pin|api[_-]?key)"
_IN_CONTEXT = re.compile(
    rf"""(?ix)
    (?P<lead>
        \b(?:proxy-)?authorization\s*[:=]\s*(?:(?:bearer|basic)\s+)?   # HTTP headers
      | \b(?:x-)?api-key\s*:\s*
      | (?<![A-Za-z0-9]){_SECRET_NAME}\s*=\s*                        # key = value
      | ["']{_SECRET_NAME}["']\s*:\s*                                # "key": value
      | (?<![A-Za-z0-9]){_SECRET_NAME}\s*:\s*(?=["'])                # key: "value"
    )
    (?P<quote>["']?)
    (?P<value>[^\s"',;&}}\])]+)
    """
)
# Not `key: text` without quotes: that is how an error names a key ("kaspi.key_password:
# must be text in quotes"), and masking its first word would garble the message.
#: A value masked wherever it stands must be long enough to be only that secret: a 4-digit
#: PIN masked everywhere turned "4812.00" into "***.00" and told the PIN by inference.
MIN_MASKED_VALUE = 8


class SecretMask:
    """Masks secrets where they are known: secret-named fields, config keys and headers.

    Beside that, a configured secret of MIN_MASKED_VALUE characters or more is masked
    where it stands as a whole word (a library's message quoting it); shorter ones
    (a PIN) are only masked beside their name, never as a substring of other text.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets: list[str] = []
        self._values: re.Pattern[str] | None = None
        self.update(secrets)

    def update(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret that contains another is masked whole.
        self.secrets = sorted(
            {s for s in secrets if len(s) >= MIN_MASKED_VALUE}, key=len, reverse=True
        )
        alternatives = "|".join(re.escape(s) for s in self.secrets)
        self._values = (
            re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])")
            if alternatives
            else None
        )

    def mask(self, text: str) -> str:
        text = _IN_CONTEXT.sub(r"\g<lead>\g<quote>***", text)
        if self._values is not None:
            text = self._values.sub("***", text)
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
            private_dir(log_dir)
            private_file(log_dir / "kiosk.log")
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
