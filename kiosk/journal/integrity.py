"""Is the journal intact? Checked at open, read-only, so a damaged file stays as it was found.

Two ways a journal is lost without an error: a write-ahead log whose header is
garbage is silently ignored by SQLite (every sale committed since the last
checkpoint vanishes, and the next write resets the log), and a damaged page is
only noticed when a query happens to read it. So before the kiosk opens the
journal for writing, the log's header is checked (magic and checksum, as SQLite
computes it) and `PRAGMA quick_check` reads every page on a read-only
connection, which can neither checkpoint nor rewrite the log. On failure the
files are left untouched for the service team; `kiosk journal accept` moves
them aside (`journal.sqlite3.damaged-<time>`) and starts a new journal.
"""

from __future__ import annotations

import contextlib
import sqlite3
import struct
from pathlib import Path

from kiosk.journal.identity import ACCEPT_HINT, JournalRefused

_WAL_MAGIC = (0x377F0682, 0x377F0683)  # the low bit says the checksums are big-endian
_WAL_HEADER = 32
_TAILS = ("", "-wal", "-shm")


class JournalDamaged(JournalRefused):
    """The journal failed its integrity check; its files are kept as found."""


def _damaged(path: Path, what: str) -> JournalDamaged:
    return JournalDamaged(
        f"The journal {path} is damaged ({what}). Sales stop; its files are kept as found:"
        f" copy {path.name}, {path.name}-wal and {path.name}-shm for the service team."
        " Then `kiosk journal accept` moves them aside and starts a new journal.",
        path,
    )


def _wal_checksum(data: bytes, big_endian: bool) -> tuple[int, int]:
    """SQLite's WAL checksum (walChecksumBytes) over `data`, a multiple of 8 bytes."""
    s1 = s2 = 0
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s1 = (s1 + words[i] + s2) & 0xFFFFFFFF
        s2 = (s2 + words[i + 1] + s1) & 0xFFFFFFFF
    return s1, s2


def check_wal(path: Path) -> None:
    """JournalDamaged if the journal's write-ahead log exists but its header is not SQLite's."""
    wal = path.with_name(path.name + "-wal")
    try:
        with wal.open("rb") as fh:
            header = fh.read(_WAL_HEADER)
    except FileNotFoundError:
        return
    if len(header) < _WAL_HEADER:
        return  # a log cut short before its first frame never held a commit
    fields = struct.unpack(">8I", header)
    if fields[0] not in _WAL_MAGIC:
        raise _damaged(path, f"{wal.name} is not a SQLite write-ahead log")
    if _wal_checksum(header[:24], bool(fields[0] & 1)) != fields[6:8]:
        raise _damaged(path, f"the header of {wal.name} fails its checksum")


def quick_check(path: Path) -> None:
    """JournalDamaged unless `PRAGMA quick_check` says ok; a missing file is not checked."""
    if not path.exists():
        return
    extra = [path.with_name(path.name + tail) for tail in _TAILS[1:]]
    absent = [p for p in extra if not p.exists()]
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise _damaged(path, str(exc)) from None
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, str(exc)) from None
    finally:
        conn.close()
        # A read-only reader still makes an empty log and its index: leave the folder as found.
        for made in absent:
            with contextlib.suppress(OSError):
                if made.name.endswith("-shm") or made.stat().st_size == 0:
                    made.unlink()
    if rows != ["ok"]:
        raise _damaged(path, "; ".join(rows))


def check(path: Path) -> None:
    """The write-ahead log's header, then every page: JournalDamaged on the first fault."""
    check_wal(path)
    quick_check(path)


def move_aside(path: Path, stamp: str) -> list[Path]:
    """Rename the journal's files to `<name>.damaged-<stamp>`; returns the new paths."""
    moved = []
    for tail in _TAILS:
        source = path.with_name(path.name + tail)
        if source.exists():
            target = path.with_name(f"{path.name}{tail}.damaged-{stamp}")
            source.rename(target)
            moved.append(target)
    return moved


__all__ = ["ACCEPT_HINT", "JournalDamaged", "check", "move_aside"]
