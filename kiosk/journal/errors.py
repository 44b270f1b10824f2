"""The journal's errors, and SQLite's failures in words an operator can act on."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class JournalError(Exception):
    """The journal cannot be read or written; the message says why and names the file."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


#: Below this much free space on the journal's disk the kiosk takes no new sale: a sale's own
#: writes (a few KiB each) and SQLite's write-ahead log must still fit once it has begun.
MIN_FREE_BYTES = 1024 * 1024


def disk_full(path: Path) -> str:
    """The one sentence for a journal whose disk is full, whoever found it (SQLite or a check)."""
    return f"The journal {path} cannot be written: the disk is full. Free some space."


class DiskFull(JournalError):
    """The journal's disk is full (or below MIN_FREE_BYTES): a state that passes by itself."""


class SaleNotFound(LookupError):
    """No sale with this id in the journal (a caller's mistake, not a storage failure)."""


_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR = 3, 5, 6, 8, 10
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 11, 13, 14, 26


def describe(exc: sqlite3.Error, path: Path) -> str:
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None  # extended codes keep it low
    text = str(exc)
    if primary == _SQLITE_FULL or "disk is full" in text:
        return disk_full(path)
    if primary in (_SQLITE_READONLY, _SQLITE_PERM) or "readonly" in text:
        return (
            f"The journal {path} is read-only: the kiosk needs write access to the file"
            f" and to its folder {path.parent}."
        )
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in text:
        return f"The journal {path} is locked by another program (is a second kiosk running?)."
    if primary in (_SQLITE_NOTADB, _SQLITE_CORRUPT) or "not a database" in text:
        return (
            f"The journal {path} is damaged (not a readable SQLite database). Do not delete"
            " it: it holds the sales records. Move it aside for the service team, restart."
        )
    if primary == _SQLITE_CANTOPEN:
        return f"The journal {path} cannot be opened: check that its folder exists and is writable."
    if primary == _SQLITE_IOERR:
        return f"The journal {path} could not be read or written (disk error: {text})."
    return f"The journal {path} failed: {text}"


def journal_error(exc: sqlite3.Error, path: Path) -> JournalError:
    """SQLite's failure as the journal's error: DiskFull when the disk is full."""
    text = describe(exc, path)
    return (DiskFull if text == disk_full(path) else JournalError)(text, path)
