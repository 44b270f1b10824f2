"""Everything the kiosk writes is owner-only on POSIX: stat the real files real processes made."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.journal import FILE_NAME, Journal
from kiosk.platform import logs
from kiosk.sandbox.pki import ensure_pki

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes; Windows uses ACLs")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def everything_under(folder: Path) -> Iterator[Path]:
    yield folder
    yield from folder.rglob("*")


def assert_private(folder: Path) -> list[str]:
    seen = []
    for path in everything_under(folder):
        expected = 0o700 if path.is_dir() else 0o600
        assert mode(path) & 0o077 == 0, f"{path} is {oct(mode(path))}, not {oct(expected)}"
        seen.append(path.name)
    return seen


@contextmanager
def open_umask(value: int = 0o022) -> Iterator[None]:
    """The usual umask of a login session: files 0644, folders 0755 unless the kiosk says so."""
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def kiosk_cli(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        capture_output=True,
        text=True,
        input=input,
        timeout=60,
        check=False,
        preexec_fn=lambda: os.umask(0o022),  # a login session's umask: the point of the test
    )


def test_the_kiosk_command_writes_a_private_data_folder(
    tmp_path: Path, _own_state_dir: Path
) -> None:
    data = tmp_path / "var" / "kaspi-kiosk"  # not there yet: the kiosk makes it
    config = tmp_path / "kiosk.toml"
    with open_umask():
        config.write_text(
            f'[kaspi]\ncert_file = "c.pfx"\n[storage]\ndata_dir = "{data}"\n', encoding="utf-8"
        )
    assert mode(config) == 0o644
    done = kiosk_cli("--config", str(config), "journal", "accept")
    assert done.returncode == 0, done.stderr
    names = assert_private(data)
    assert {FILE_NAME, "journal.id", "logs", "kiosk.log"} <= set(names)
    assert_private(_own_state_dir)  # the identity's second copy

    done = kiosk_cli("--config", str(config), "set-pin", "--stdin", input="975310\n")
    assert done.returncode == 0, done.stderr
    assert mode(config) == 0o600  # the write-back holds a secret: owner-only


def test_the_journal_its_log_and_index_are_private_while_open(tmp_path: Path) -> None:
    with open_umask(), Journal.open(tmp_path / "data") as journal:
        journal.begin_sale(
            Decimal("5"), external_id=None, source="keypad", scheme="basic", device_id="K"
        )
        names = assert_private(tmp_path / "data")
    assert {FILE_NAME, FILE_NAME + "-wal", FILE_NAME + "-shm", "journal.id"} <= set(names)


def test_an_old_world_readable_journal_is_tightened(tmp_path: Path) -> None:
    with open_umask(), Journal.open(tmp_path):
        pass
    os.chmod(tmp_path, 0o755)
    os.chmod(tmp_path / FILE_NAME, 0o644)
    with Journal.open(tmp_path):
        assert mode(tmp_path) == 0o700 and mode(tmp_path / FILE_NAME) == 0o600


def test_logs_and_sandbox_keys_are_private(tmp_path: Path) -> None:
    with open_umask():
        logs.setup(log_dir=tmp_path / "logs", console_level="ERROR")
        ensure_pki(tmp_path / "pki")
    logs.setup(console_level="ERROR")
    assert_private(tmp_path / "logs")
    names = assert_private(tmp_path / "pki")
    assert {"root-ca.key", "client.pfx", "client-password.txt"} <= set(names)
