"""The console of every `kiosk` entry point: UTF-8 whatever the code page, and output never fails.

On Windows, Python writes a pipe or a redirected file in the ANSI code page
(cp1252, cp1251 on Russian Windows), which has neither "₸" nor the block
characters of a terminal QR code: `kiosk pay ... | more` raised UnicodeEncodeError
after the payment was created at the bank. A closed pipe (`kiosk pay 100 | head -1`)
or a console that went away raises OSError the same way. Either must not turn a
payment or a refund that happened into a traceback and a failure exit code: the
operator would take the money again. So every console entry calls `utf8_console()`
first: stdout and stderr write UTF-8 (a character the stream still cannot take is
replaced), and a stream that cannot be written any more is dropped silently; the
outcome is still in the exit code and in the log file.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
from typing import Any, TextIO

log = logging.getLogger("kiosk.platform.console")


class QuietStream(io.TextIOBase):
    """A text stream that passes writes on until one fails, then drops the rest."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream
        self.broken = False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.stream, "encoding", None) or "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.stream, "errors", None)

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        try:
            return not self.broken and self.stream.isatty()
        except (OSError, ValueError):
            return False

    def fileno(self) -> int:
        return self.stream.fileno()

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                self.stream.write(text)
            except (OSError, ValueError, UnicodeError) as exc:
                self._break(exc)
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self.stream.flush()
            except (OSError, ValueError) as exc:
                self._break(exc)

    def _break(self, exc: BaseException) -> None:
        self.broken = True
        log.warning(
            "console output stopped (%s: %s); the rest goes to the log only",
            type(exc).__name__,
            exc,
        )
        # Python flushes the original stream once more at exit; with its descriptor on
        # the null device that flush succeeds instead of printing "Exception ignored".
        try:
            fd = self.stream.fileno()
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, fd)
            os.close(devnull)
        except (OSError, ValueError, io.UnsupportedOperation):
            pass


def utf8_console() -> None:
    """Make sys.stdout and sys.stderr write UTF-8 and never raise. Safe to call twice."""
    for name in ("stdout", "stderr"):
        stream: Any = getattr(sys, name)
        if stream is None or isinstance(stream, QuietStream):
            continue
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(encoding="utf-8", errors="replace")
            except (OSError, ValueError, io.UnsupportedOperation):
                # Already written to in a way that forbids a new encoding: keep it, but
                # still never let a character it cannot take raise.
                with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
                    reconfigure(errors="replace")
        setattr(sys, name, QuietStream(stream))
