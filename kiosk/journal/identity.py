"""Which journal this is and the highest sale id ever issued, kept outside the database.

A journal deleted or swapped while the kiosk is stopped would otherwise pass
unnoticed: a fresh file starts sale ids at 1 and forgets every `external_id` a
controller has already been charged for, so a re-posted order is charged twice.
So the journal carries an id (its `meta` table), and `journal.id` beside it
holds that id, when it was made and the high-water mark (the highest sale id
issued), rewritten atomically after every new sale. A second copy lives in the
kiosk account's own state folder (`state_dir()`): on Windows its profile, which
other users cannot write, and it survives the data folder being emptied.

At open the journal must be the one both copies name, with a last sale id not
below their high-water mark; anything else (missing, younger, a different
journal, gone backwards) refuses sales until an operator runs
`kiosk journal accept`, which adopts the journal present (or starts a new one
whose ids start above the mark: a sale id is never reused).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from kiosk.journal.errors import JournalError
from kiosk.platform.private import private_dir

log = logging.getLogger("kiosk.journal")

IDENTITY_NAME = "journal.id"
#: Overrides state_dir() (tests, a second kiosk on one account).
STATE_DIR_ENV = "KIOSK_STATE_DIR"

ACCEPT_HINT = "Check what happened, then run `kiosk journal accept` to take sales again."


class JournalRefused(JournalError):
    """The journal is not the one the kiosk knows (or is damaged): no sales until accepted."""


@dataclass(frozen=True)
class Identity:
    journal_id: str
    created_at: str
    high_water: int  # the highest sale id ever issued by this kiosk

    def to_json(self) -> dict[str, object]:
        return {
            "journal_id": self.journal_id,
            "created_at": self.created_at,
            "high_water": self.high_water,
        }


def state_dir() -> Path:
    """The kiosk account's own folder for the identity's second copy."""
    if os.environ.get(STATE_DIR_ENV):
        return Path(os.environ[STATE_DIR_ENV])
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "KaspiKiosk"
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "kaspi-kiosk"


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (temp file, fsync, rename, fsync of the folder)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if sys.platform != "win32":  # a folder cannot be opened for fsync on Windows
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class IdentityFiles:
    """The two copies of a data folder's journal identity."""

    def __init__(self, data_dir: Path, mirror_dir: Path | None = None) -> None:
        self.primary = Path(data_dir) / IDENTITY_NAME
        key = hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:16]
        self.mirror = (mirror_dir or state_dir()) / f"journal-{key}.id"

    @property
    def paths(self) -> tuple[Path, Path]:
        return self.primary, self.mirror

    def read(self, *, skip_damaged: bool = False) -> list[Identity]:
        """Every copy present; JournalRefused if one cannot be read (unless `skip_damaged`)."""
        found = []
        for path in self.paths:
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                continue
            except OSError as exc:
                if skip_damaged:
                    continue
                raise JournalRefused(
                    f"The journal identity {path} cannot be read: {exc.strerror or exc}."
                    f" {ACCEPT_HINT}",
                    path,
                ) from None
            try:
                data = json.loads(raw)
                found.append(
                    Identity(
                        str(data["journal_id"]), str(data["created_at"]), int(data["high_water"])
                    )
                )
            except (ValueError, KeyError, TypeError):
                if skip_damaged:
                    continue
                raise JournalRefused(
                    f"The journal identity {path} is damaged. {ACCEPT_HINT}", path
                ) from None
        return found

    def write(self, identity: Identity) -> None:
        """Both copies; the one beside the journal must succeed, the second is best effort."""
        data = json.dumps(identity.to_json(), indent=2).encode() + b"\n"
        try:
            write_private(self.primary, data)
        except OSError as exc:
            raise JournalError(
                f"The journal identity {self.primary} cannot be written: {exc.strerror or exc}",
                self.primary,
            ) from exc
        try:
            private_dir(self.mirror.parent)
            write_private(self.mirror, data)
        except OSError as exc:
            log.warning("the second copy %s cannot be written: %s", self.mirror, exc)


def mismatch(known: list[Identity], journal_id: str | None, last_sale_id: int) -> str | None:
    """Why this journal is not the one the identity copies name; None when it is."""
    for copy in known:
        if journal_id != copy.journal_id:
            return (
                f"it is not the journal this kiosk has used since {copy.created_at}"
                f" (a newer or a different file)"
            )
        if last_sale_id < copy.high_water:
            return (
                f"its last sale id {last_sale_id} is below the {copy.high_water} already"
                " issued (an old copy, or sales were lost)"
            )
    return None


def last_sale_id(conn: sqlite3.Connection) -> int:
    """The highest sale id this file ever issued (AUTOINCREMENT's counter survives archiving)."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'sales'").fetchone()
    return int(row[0]) if row is not None else 0


def journal_id_of(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = 'journal_id'").fetchone()
    return str(row[0]) if row is not None else None


def identity_of(conn: sqlite3.Connection, high_water: int) -> Identity:
    """This journal's identity (from its `meta` table) with the given high-water mark."""
    journal_id = journal_id_of(conn)
    created = conn.execute("SELECT value FROM meta WHERE key = 'journal_created_at'").fetchone()
    assert journal_id is not None and created is not None  # written by check_identity / adopt
    return Identity(journal_id, str(created[0]), high_water)


def check_identity(
    conn: sqlite3.Connection,
    path: Path,
    ids: IdentityFiles,
    known: list[Identity],
    now: str,
) -> None:
    """Refuse a journal that is not the known one; the first start makes it the known one."""
    journal_id, last = journal_id_of(conn), last_sale_id(conn)
    if known:
        why = mismatch(known, journal_id, last)
        if why is not None:
            raise JournalRefused(f"The journal {path} is refused: {why}. {ACCEPT_HINT}", path)
        if len(known) < len(ids.paths):
            # One copy lost (a cleaned profile, a copied data folder): the other restores it.
            ids.write(max(known, key=lambda k: k.high_water))
        return
    # No identity yet: the first start, or a kiosk from before identities existed.
    ids.write(adopt(conn, now, high_water=last))


def adopt(conn: sqlite3.Connection, now: str, *, high_water: int) -> Identity:
    """Make this file the known journal; its next sale id is above `high_water`."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        journal_id = journal_id_of(conn)
        if journal_id is None:
            journal_id = str(uuid.uuid4())
            conn.execute("INSERT INTO meta VALUES ('journal_id', ?)", (journal_id,))
            conn.execute("INSERT INTO meta VALUES ('journal_created_at', ?)", (now,))
        if last_sale_id(conn) < high_water:
            # Never hand out an id an earlier journal already gave to a sale.
            conn.execute("DELETE FROM sqlite_sequence WHERE name = 'sales'")
            conn.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES ('sales', ?)", (high_water,)
            )
        created = conn.execute("SELECT value FROM meta WHERE key = 'journal_created_at'").fetchone()
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return Identity(journal_id, str(created[0]), max(high_water, last_sale_id(conn)))
