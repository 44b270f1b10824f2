"""Logging is never what fails: a log file on a full disk drops lines quietly, counts them,
and keeps the critical ones for the journal's notes (a real tmpfs that fills and frees)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.disk import SmallDisk
from helpers.journal import new_sale

from kiosk.journal import Journal
from kiosk.platform import logs


@pytest.fixture
def kiosk_logging() -> Iterator[None]:
    """The kiosk's handlers on the root logger for one test, then the ones there before."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    logs.lost.take()
    logs.lost.failing = False
    yield
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk", False):
            root.removeHandler(handler)
            handler.close()
    root.handlers[:] = before
    root.setLevel(level)


def test_a_full_disk_drops_log_lines_quietly_and_keeps_the_critical_ones(
    small_disk: SmallDisk, kiosk_logging: None, capfd: pytest.CaptureFixture[str]
) -> None:
    log_dir = small_disk.folder / "logs"
    logs.setup(level="INFO", log_dir=log_dir, console_level="WARNING")
    log = logging.getLogger("kiosk.test")
    log.info("before the disk fills")
    small_disk.fill()
    dropped_before = logs.lost.dropped
    for n in range(200):
        log.info("line %d: %s", n, "x" * 200)
    log.critical("sale %s: PAID but not recorded: hand over or refund", 17)
    err = capfd.readouterr().err
    assert "Logging error" not in err and "Traceback" not in err, err[:2000]
    assert err.count("log lines are dropped") == 1, err
    assert err.count("PAID but not recorded") == 1, err  # stderr once
    assert logs.lost.dropped - dropped_before >= 150
    kept = logs.lost.take()
    assert [sale for sale, _ in kept] == [17]
    assert "sale 17: PAID but not recorded" in kept[0][1]
    small_disk.free()
    log.warning("after the disk has room again")
    text = (log_dir / "kiosk.log").read_text(encoding="utf-8")
    assert "before the disk fills" in text and "after the disk has room again" in text
    assert "work again" in capfd.readouterr().err


def test_critical_lines_the_log_lost_become_notes_of_their_sales(
    tmp_path: Path, kiosk_logging: None
) -> None:
    from kiosk.gui.shell.journal_guard import note_lost_lines

    with Journal.open(tmp_path) as journal:
        sale_id = new_sale(journal)
        record = logging.makeLogRecord(
            {"levelno": logging.CRITICAL, "msg": "PAID but not recorded", "sale_id": sale_id}
        )
        logs.lost.add(record, f"sale {sale_id}: PAID but not recorded")
        logs.lost.add(logging.makeLogRecord({"levelno": logging.CRITICAL}), "no sale named")
        note_lost_lines(journal)
        notes = [e.detail for e in journal.events(sale_id) if e.kind == "note"]
    assert any("PAID but not recorded" in str(n) for n in notes), notes
    assert logs.lost.take() == []  # each line is noted once


def test_the_log_set_up_again_on_a_full_disk_does_not_say_it_again(
    small_disk: SmallDisk, kiosk_logging: None, capfd: pytest.CaptureFixture[str]
) -> None:
    log_dir = small_disk.folder / "logs"
    logs.setup(level="INFO", log_dir=log_dir)
    small_disk.fill()
    for _ in range(5):  # the start-up chain, retried every 2 s while the disk is full
        logs.setup(level="INFO", log_dir=log_dir)
        logging.getLogger("kiosk.test").info("%s", "x" * 5000)
    assert capfd.readouterr().err.count("log lines are dropped") == 1
    small_disk.free()
    logging.getLogger("kiosk.test").info("room again")
