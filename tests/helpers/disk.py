"""A real small filesystem (tmpfs) for the tests of a full disk; needs root to mount."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


class SmallDisk:
    """A tmpfs of `size` on `folder`; fill() writes a file until ENOSPC, free() deletes it."""

    def __init__(self, folder: Path, size: str) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
        self.filler = folder / "filler.bin"

    def fill(self, leave: int = 0) -> None:
        """Take every free byte but `leave` (rounded to the filesystem's blocks)."""
        block = b"\0" * 4096
        free = os.statvfs(self.folder)
        room = free.f_bavail * free.f_frsize - leave
        with self.filler.open("ab") as sink, contextlib.suppress(OSError):
            while room > 0:
                sink.write(block[: min(room, len(block))])
                sink.flush()
                room -= len(block)

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def unmount(self) -> None:
        subprocess.run(["umount", "-l", str(self.folder)], check=False, capture_output=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    disk = SmallDisk(tmp_path / "disk", "6m")
    try:
        yield disk
    finally:
        disk.unmount()
