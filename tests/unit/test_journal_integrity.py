"""A damaged journal is refused at open and kept exactly as found; nothing is lost silently."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.journal import new_sale

import kiosk
from kiosk.journal import FILE_NAME, Journal, accept
from kiosk.journal.integrity import JournalDamaged

ROOT = Path(kiosk.__file__).resolve().parents[1]

# Writes sales and dies without closing: the committed sales are in the write-ahead log.
CRASHING_WRITER = """
import os, sys
from decimal import Decimal
from pathlib import Path
from kiosk.journal import Journal

journal = Journal.open(Path(sys.argv[1]))
for n in range(int(sys.argv[2])):
    journal.begin_sale(Decimal("10"), external_id=f"order-{n}", source="host",
                       scheme="standard", device_id="KIOSK-001")
if sys.argv[3] == "crash":
    os._exit(0)
journal.close()
"""


def run_writer(data_dir: Path, count: int, how: str) -> None:
    subprocess.run(
        [sys.executable, "-c", CRASHING_WRITER, str(data_dir), str(count), how],
        check=True,
        cwd=ROOT,
        timeout=120,
    )


def snapshot(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(data_dir.glob(FILE_NAME + "*"))}


def test_a_log_of_random_bytes_is_refused_and_kept(tmp_path: Path) -> None:
    run_writer(tmp_path, 5, "crash")
    wal = tmp_path / (FILE_NAME + "-wal")
    assert wal.stat().st_size > 0  # the five sales live only in the log
    wal.write_bytes(os.urandom(wal.stat().st_size))
    before = snapshot(tmp_path)
    with pytest.raises(JournalDamaged, match=r"damaged .*write-ahead log.*kiosk journal accept"):
        Journal.open(tmp_path)
    with pytest.raises(JournalDamaged):
        Journal.open(
            tmp_path, guard=False
        )  # the operator's reading is refused too: not "No sales."
    assert snapshot(tmp_path) == before  # not reset, not checkpointed: kept for the service team


def test_a_damaged_page_is_refused_and_kept(tmp_path: Path) -> None:
    run_writer(tmp_path, 300, "close")  # closed: everything is in the main file
    db = tmp_path / FILE_NAME
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    data[3 * page + 8 : 4 * page] = os.urandom(page - 8)  # a b-tree page's cells
    db.write_bytes(bytes(data))
    before = snapshot(tmp_path)
    with pytest.raises(JournalDamaged, match="damaged"):
        Journal.open(tmp_path)
    assert snapshot(tmp_path) == before


def test_the_kiosk_journal_command_reports_the_damage(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kaspi]\ncert_file = "x.pfx"\n[storage]\ndata_dir = "{tmp_path / "data"}"\n',
        encoding="utf-8",
    )
    run_writer(tmp_path / "data", 3, "crash")
    wal = tmp_path / "data" / (FILE_NAME + "-wal")
    wal.write_bytes(os.urandom(wal.stat().st_size))
    shown = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(config), "journal"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert shown.returncode == 1 and "No sales" not in shown.stdout
    assert "damaged" in shown.stderr


def test_accept_moves_the_damaged_files_aside_and_continues_above_them(tmp_path: Path) -> None:
    run_writer(tmp_path, 4, "crash")
    wal = tmp_path / (FILE_NAME + "-wal")
    garbage = os.urandom(wal.stat().st_size)
    wal.write_bytes(garbage)
    identity, moved = accept(tmp_path)
    assert {p.name.split(".damaged-")[0] for p in moved} >= {FILE_NAME, FILE_NAME + "-wal"}
    kept = next(p for p in moved if p.name.startswith(FILE_NAME + "-wal"))
    assert kept.read_bytes() == garbage
    assert identity.high_water == 4
    with Journal.open(tmp_path) as journal:
        assert new_sale(journal) == 5
