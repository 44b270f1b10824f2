"""The journal cannot vanish unnoticed: its identity and high-water mark live outside it.

Real files and real processes: the journal is written by one process, deleted,
replaced or rolled back on disk, and opened again by another.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.journal import new_sale

import kiosk
from kiosk.journal import FILE_NAME, Journal, JournalError, JournalRefused, accept
from kiosk.journal.identity import IDENTITY_NAME, IdentityFiles

ROOT = Path(kiosk.__file__).resolve().parents[1]

WRITER = """
import sys
from decimal import Decimal
from pathlib import Path
from kiosk.journal import Journal

with Journal.open(Path(sys.argv[1])) as journal:
    for n in range(int(sys.argv[2])):
        journal.begin_sale(Decimal("10"), external_id=f"{sys.argv[3]}-{n}", source="host",
                           scheme="standard", device_id="KIOSK-001")
"""


def write_sales(data_dir: Path, count: int, prefix: str = "order") -> None:
    """`count` sales by a separate kiosk process that then exits."""
    subprocess.run(
        [sys.executable, "-c", WRITER, str(data_dir), str(count), prefix],
        check=True,
        cwd=ROOT,
        timeout=60,
    )


def journal_files(data_dir: Path) -> list[Path]:
    return [data_dir / (FILE_NAME + tail) for tail in ("", "-wal", "-shm")]


def remove_journal(data_dir: Path) -> None:
    for path in journal_files(data_dir):
        path.unlink(missing_ok=True)


def test_a_journal_deleted_while_stopped_is_refused_not_recreated(tmp_path: Path) -> None:
    write_sales(tmp_path, 3)
    remove_journal(tmp_path)
    with pytest.raises(JournalRefused, match=r"missing.*up to 3.*kiosk journal accept"):
        Journal.open(tmp_path)
    assert not (tmp_path / FILE_NAME).exists()  # nothing silently made in its place


def test_the_second_copy_refuses_even_when_the_folder_was_emptied(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_sales(data, 2)
    shutil.rmtree(data)  # journal and journal.id gone: the account's own copy remembers
    with pytest.raises(JournalRefused, match="missing"):
        Journal.open(data)


def test_a_different_journal_is_refused(tmp_path: Path) -> None:
    write_sales(tmp_path / "a", 5)
    write_sales(tmp_path / "b", 7)
    for path in journal_files(tmp_path / "b"):
        if path.exists():
            shutil.copy(path, tmp_path / "a" / path.name)
    with pytest.raises(JournalRefused, match="not the journal this kiosk has used"):
        Journal.open(tmp_path / "a")


def test_an_old_copy_of_the_journal_is_refused(tmp_path: Path) -> None:
    data, backup = tmp_path / "data", tmp_path / "backup"
    write_sales(data, 2)
    backup.mkdir()
    shutil.copy(data / FILE_NAME, backup / FILE_NAME)
    write_sales(data, 3, "later")  # ids 3..5
    shutil.copy(backup / FILE_NAME, data / FILE_NAME)
    with pytest.raises(JournalRefused, match="last sale id 2 is below the 5"):
        Journal.open(data)


def test_accept_starts_a_new_journal_above_every_id_issued(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kaspi]\ncert_file = "x.pfx"\n[storage]\ndata_dir = "{tmp_path / "data"}"\n',
        encoding="utf-8",
    )
    write_sales(tmp_path / "data", 4)
    remove_journal(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(config), "journal", "accept"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "next sale id is above 4" in done.stdout
    with Journal.open(tmp_path / "data") as journal:
        assert new_sale(journal) == 5  # never a reused id, though the journal is new
    ids = IdentityFiles(tmp_path / "data").read()
    assert [i.high_water for i in ids] == [5, 5]


def test_accept_adopts_a_replaced_journal_and_keeps_its_sales(tmp_path: Path) -> None:
    write_sales(tmp_path / "a", 6)
    write_sales(tmp_path / "b", 2, "b")
    remove_journal(tmp_path / "a")
    shutil.copy(tmp_path / "b" / FILE_NAME, tmp_path / "a" / FILE_NAME)
    with pytest.raises(JournalRefused):
        Journal.open(tmp_path / "a")
    accept(tmp_path / "a")  # adopts: nothing damaged, nothing moved
    with Journal.open(tmp_path / "a") as journal:
        assert journal.find_by_external_id("b-1") is not None
        assert new_sale(journal) == 7


def test_the_high_water_mark_follows_every_sale(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        for _ in range(3):
            journal.begin_sale(
                Decimal("1"), external_id=None, source="keypad", scheme="basic", device_id="K"
            )
    copy = json.loads((tmp_path / IDENTITY_NAME).read_text(encoding="utf-8"))
    assert copy["high_water"] == 3 and len(copy["journal_id"]) == 36


def test_a_damaged_identity_file_is_refused(tmp_path: Path) -> None:
    write_sales(tmp_path, 1)
    (tmp_path / IDENTITY_NAME).write_text("{not json", encoding="utf-8")
    with pytest.raises(JournalRefused, match=r"identity .* is damaged"):
        Journal.open(tmp_path)


def test_reading_for_the_operator_still_works_when_refused(tmp_path: Path) -> None:
    write_sales(tmp_path, 2)
    (tmp_path / IDENTITY_NAME).unlink()
    IdentityFiles(tmp_path).mirror.unlink()
    with Journal.open(tmp_path, guard=False) as journal:
        assert len(journal.list()) == 2


# --- deleted or replaced while open ---------------------------------------------------------


def test_a_journal_deleted_while_open_takes_no_more_sales(tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        new_sale(journal)
        assert journal.file_problem() is None
        remove_journal(tmp_path)
        assert "deleted while the kiosk ran" in (journal.file_problem() or "")
        with pytest.raises(JournalError, match="deleted while the kiosk ran"):
            new_sale(journal)
        with pytest.raises(JournalError):
            journal.check_writable()


def test_a_journal_replaced_while_open_takes_no_more_sales(tmp_path: Path) -> None:
    write_sales(tmp_path / "other", 9, "other")
    with Journal.open(tmp_path / "data") as journal:
        new_sale(journal)
        os.replace(tmp_path / "other" / FILE_NAME, tmp_path / "data" / FILE_NAME)
        with pytest.raises(JournalError, match="replaced while the kiosk ran"):
            new_sale(journal)


def test_a_lost_copy_is_restored_from_the_other(tmp_path: Path) -> None:
    write_sales(tmp_path, 2)
    files = IdentityFiles(tmp_path)
    files.mirror.unlink()
    with Journal.open(tmp_path):
        pass
    assert [i.high_water for i in files.read()] == [2, 2]


def test_a_journal_from_before_identities_and_deadlines_is_migrated_then_adopted(
    tmp_path: Path,
) -> None:
    """A kiosk upgraded from schema v1 (no scan_deadline, no journal_id): migration v2 and
    the identity compose; its sales keep their ids and the next one continues above them."""
    import sqlite3

    from kiosk.journal.schema import MIGRATIONS

    path = tmp_path / FILE_NAME
    conn = sqlite3.connect(path)
    MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    for n in range(3):
        conn.execute(
            "INSERT INTO sales (created_at, updated_at, amount, external_id, source, scheme,"
            " device_id, state) VALUES ('2026-11-01T10:00:00+00:00', '2026-11-01T10:00:00+00:00',"
            " '10', ?, 'host', 'standard', 'KIOSK-001', 'failed')",
            (f"old-{n}",),
        )
    conn.commit()
    conn.close()
    with Journal.open(tmp_path) as journal:
        assert journal.find_by_external_id("old-2") is not None
        assert new_sale(journal) == 4
        columns = {r[1] for r in journal._connection().execute("PRAGMA table_info(sales)")}
    assert {"scan_deadline", "confirm_timeout"} <= columns
    assert [i.high_water for i in IdentityFiles(tmp_path).read()] == [4, 4]
    remove_journal(tmp_path)
    with pytest.raises(JournalRefused):
        Journal.open(tmp_path)
    identity, moved = accept(tmp_path)  # a new journal of schema v2, its counter raised
    assert identity.high_water == 4 and moved == []
    with Journal.open(tmp_path) as journal:
        assert new_sale(journal) == 5
