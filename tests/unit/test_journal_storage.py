"""The journal on real SQLite files when things go wrong: kills, threads, full disks, locks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.journal import new_sale, raw, sale_in

import kiosk
from kiosk.journal import (
    FILE_NAME,
    Journal,
    JournalError,
)
from kiosk.payment.sale import Reason, SaleState

S = SaleState


# --- durability and concurrency -------------------------------------------------------------

CHILD = """
import sys
from decimal import Decimal
from pathlib import Path
from kiosk.journal import Journal

journal = Journal.open(Path(sys.argv[1]))
sale_id = journal.begin_sale(Decimal("150.50"), external_id="KILL-1", source="host",
                             scheme="standard", device_id="KIOSK-001")
if sys.argv[2] == "payment_created":
    journal.payment_created(sale_id, 424242, "2025-10-22T17:10:50.717+05:00")
print(sale_id, flush=True)
sys.stdin.read()  # the journal stays open until the parent kills this process
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("step", ["begin_sale", "payment_created"])
def test_a_write_survives_sigkill_right_after_it_returns(tmp_path: Path, step: str) -> None:
    root = Path(kiosk.__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(root))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path), step],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        line = child.stdout.readline()  # type: ignore[union-attr]
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=10)
        child.stdin.close()  # type: ignore[union-attr]
        child.stdout.close()  # type: ignore[union-attr]
    assert child.returncode == -signal.SIGKILL
    sale_id = int(line)
    # Killed with the connection open: the sale is in the WAL, not yet in the main file.
    assert (tmp_path / f"{FILE_NAME}-wal").exists()
    with Journal.open(tmp_path) as j:
        record = j.get(sale_id)
        assert record is not None
        assert (record.amount, record.external_id) == (Decimal("150.50"), "KILL-1")
        if step == "begin_sale":
            assert record.state is S.CREATING and [r.sale_id for r in j.unfinished()] == [sale_id]
        else:
            assert (record.state, record.qr_payment_id) == (S.QR, 424242)


def test_two_threads_write_through_one_journal(journal: Journal) -> None:
    per_thread = 40
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    made: list[int] = []

    def work(offset: int) -> None:
        try:
            start.wait(timeout=5)
            for n in range(per_thread):
                sale_id = new_sale(journal, f"{offset + n}.01")
                journal.payment_created(sale_id, offset + n, "2025-03-01T17:03:00+05:00")
                journal.record_status(sale_id, "QrTokenCreated")
                journal.set_state(sale_id, S.CANCELLED, Reason.CANCELLED)
                made.append(sale_id)
                journal.list(limit=5)
        except BaseException as exc:  # noqa: BLE001  (asserted in the test's own thread)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(base,)) for base in (1000, 2000)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert len(set(made)) == 2 * per_thread
    records = journal.list()
    assert len(records) == 2 * per_thread
    for record in records:
        assert record.state is S.CANCELLED
        assert record.amount == Decimal(f"{record.qr_payment_id}.01")
        assert len(journal.events(record.sale_id)) == 4


# --- storage failures -----------------------------------------------------------------------


def test_disk_full_is_a_journal_error_and_nothing_half_written(journal: Journal) -> None:
    journal.check_writable()
    kept = sale_in(journal, S.QR)
    conn = journal._conn
    assert conn is not None
    # A real SQLITE_FULL: the file may not grow beyond the pages it has now.
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    written = 0
    with pytest.raises(JournalError) as caught:
        for _ in range(10_000):
            new_sale(journal)
            written += 1
    message = str(caught.value)
    assert "disk is full" in message and str(journal.path) in message
    with pytest.raises(JournalError, match="disk is full"):
        journal.check_writable()
    # Reads still work, and the failed writes left no trace.
    assert len(journal.list()) == written + 1
    assert journal.get(kept).state is S.QR  # type: ignore[union-attr]
    with raw(journal.path.parent) as other:
        assert other.execute("SELECT count(DISTINCT sale_id) FROM events").fetchone()[0] == (
            written + 1
        )
    # Space freed: the same journal writes again without a restart.
    conn.execute(f"PRAGMA max_page_count = {pages * 100}")
    journal.check_writable()
    journal.set_state(kept, S.PROCESSED)


def test_a_read_only_database_is_a_journal_error(journal: Journal) -> None:
    sale_id = new_sale(journal)
    conn = journal._conn
    assert conn is not None
    conn.execute("PRAGMA query_only = 1")  # SQLite's own SQLITE_READONLY, even as root
    with pytest.raises(JournalError, match="read-only") as caught:
        journal.check_writable()
    assert str(journal.path) in str(caught.value)
    with pytest.raises(JournalError, match="read-only"):
        journal.set_state(sale_id, S.FAILED, Reason.CREATE_FAILED)
    assert journal.get(sale_id).state is S.CREATING  # type: ignore[union-attr]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="chmod does not stop root; the disk-full and query_only tests cover the mapping",
)
def test_a_read_only_folder_and_file_is_a_journal_error(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with Journal.open(data_dir) as j:
        new_sale(j)
    (data_dir / FILE_NAME).chmod(0o444)
    data_dir.chmod(0o555)
    try:
        with pytest.raises(JournalError) as caught, Journal.open(data_dir) as j:
            j.check_writable()
        assert str(data_dir / FILE_NAME) in str(caught.value)
        with pytest.raises(JournalError, match="cannot be created"):
            Journal.open(data_dir / "sub")
    finally:
        data_dir.chmod(0o755)
        (data_dir / FILE_NAME).chmod(0o644)


def test_a_locked_file_is_a_journal_error(tmp_path: Path) -> None:
    with Journal.open(tmp_path, busy_timeout=0.05) as j, raw(tmp_path) as other:
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        with pytest.raises(JournalError, match="locked") as caught:
            new_sale(j)
        assert str(j.path) in str(caught.value)
        other.execute("ROLLBACK")
        assert j.get(new_sale(j)) is not None


def test_a_corrupt_file_is_a_journal_error_and_is_not_overwritten(tmp_path: Path) -> None:
    garbage = b"these are not the sales you are looking for\n" * 200
    (tmp_path / FILE_NAME).write_bytes(garbage)
    with pytest.raises(JournalError, match="damaged") as caught:
        Journal.open(tmp_path)
    assert str(tmp_path / FILE_NAME) in str(caught.value)
    assert (tmp_path / FILE_NAME).read_bytes() == garbage


def test_a_data_folder_that_is_a_file_is_a_journal_error(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a folder")
    with pytest.raises(JournalError, match="cannot be created"):
        Journal.open(tmp_path / "data" / "kiosk")


def test_a_closed_journal_raises_journal_error(tmp_path: Path) -> None:
    j = Journal.open(tmp_path)
    j.close()
    j.close()
    with pytest.raises(JournalError, match="closed"):
        j.get(1)
