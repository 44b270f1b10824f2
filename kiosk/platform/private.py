"""Everything the kiosk writes is its own: owner-only on POSIX (0700 folders, 0600 files).

The journal, its identity, the logs and the config hold what a local user must
neither read (the key password, the host token, the sales) nor edit (the
journal the host API serves as truth). The `kiosk` command sets a private umask
first thing, so every file a library makes is private too (SQLite's log and
index copy the journal's mode); the functions below also tighten what already
exists, for a data folder made by an older version. On Windows the installer's
ACL on the data folder does this (installer/README.md); there these are no-ops.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600
_POSIX = os.name == "posix"


def use_private_umask() -> None:
    """Files and folders this process creates from now on are for its user only."""
    if _POSIX:
        os.umask(PRIVATE_UMASK)


def tighten(path: Path, mode: int) -> None:
    """Take group and other access away from `path` if this user owns it."""
    if not _POSIX:
        return
    try:
        st = path.stat()
        if st.st_uid == os.getuid() and stat.S_IMODE(st.st_mode) & 0o077:
            os.chmod(path, stat.S_IMODE(st.st_mode) & mode)
    except FileNotFoundError:
        pass


def private_dir(path: Path) -> None:
    """Make the folder (and its parents) if missing, owner-only; tighten it if it exists."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    tighten(path, DIR_MODE)


def private_file(path: Path) -> None:
    """Create `path` empty and owner-only if missing (before a library opens it); tighten it."""
    if _POSIX:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        os.close(fd)
        tighten(path, FILE_MODE)
