"""The Qibixx driver over real serial I/O (pyserial on a pseudo-terminal) against the emulator."""

from __future__ import annotations

import queue
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk.mdb import protocol as p
from kiosk.mdb.emulator import AdapterEmulator
from kiosk.mdb.qibixx import LinkDown, LinkUp, QibixxDriver

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


class Events:
    def __init__(self) -> None:
        self.q: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.seen: list[Any] = []

    def __call__(self, event: Any) -> None:
        self.q.put(event)

    def wait(self, kind: type, timeout: float = 5.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"no {kind.__name__} within {timeout} s; seen {self.seen}")
            try:
                event = self.q.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(event)
            if isinstance(event, kind):
                return event


@pytest.fixture
def emulator(tmp_path: Path) -> Any:
    with AdapterEmulator(tmp_path / "ttyMDB") as emu:
        yield emu


@pytest.fixture
def driver(emulator: AdapterEmulator) -> Any:
    d = QibixxDriver(emulator.port, retry_interval=0.1, answer_timeout=1.0)
    yield d
    d.stop()


def test_connect_configures_always_idle_and_enables_the_slave(
    emulator: AdapterEmulator, driver: QibixxDriver
) -> None:
    events = Events()
    driver.start(events)
    up = events.wait(LinkUp)
    assert up.firmware == "EMU-4.0.2" and driver.connected
    assert events.wait(p.Status).state in ("INACTIVE", "DISABLED", "ENABLED")
    assert emulator.wait_enabled()
    assert emulator.commands[: len(p.START_UP)] == list(p.START_UP)
    assert emulator.always_idle


def test_a_vend_request_is_answered_on_its_link_only(
    emulator: AdapterEmulator, driver: QibixxDriver
) -> None:
    events = Events()
    driver.start(events)
    up = events.wait(LinkUp)
    assert emulator.wait_enabled()
    assert emulator.select("7", "3.50")
    request = events.wait(p.VendRequest)
    assert request == p.VendRequest(Decimal("3.50"), "7")
    driver.approve(request.price, up.link)
    events.wait(p.VendSucceeded)
    assert emulator.outcomes[-1].answer == "approved"
    assert emulator.outcomes[-1].approved_price == "3.50"

    # An answer for an earlier link is never sent.
    assert emulator.select("8", "1.00")
    events.wait(p.VendRequest)
    driver.approve(Decimal("1.00"), up.link - 1)
    driver.deny(up.link)
    assert emulator.wait_for(lambda e: e.outcomes[-1].answer == "denied")
    assert "C,VEND,1.00" not in emulator.commands
    assert emulator.stale == []


def test_unplugged_and_plugged_back_the_driver_reconnects(
    emulator: AdapterEmulator, driver: QibixxDriver
) -> None:
    events = Events()
    driver.start(events)
    first = events.wait(LinkUp)
    assert emulator.wait_enabled()
    assert emulator.select("7", "3.50")
    events.wait(p.VendRequest)
    emulator.unplug()
    down = events.wait(LinkDown)
    assert down.reason and not driver.connected
    # The approval of the forgotten vend, made while unplugged, is dropped.
    driver.approve(Decimal("3.50"), first.link)
    time.sleep(0.3)  # several failed reopen attempts: only one LinkDown is reported
    emulator.replug()
    second = events.wait(LinkUp)
    assert second.link > first.link
    assert emulator.wait_enabled()
    assert [e for e in events.seen if isinstance(e, LinkDown)] == [down]
    time.sleep(0.2)
    assert not any(c.startswith("C,VEND") for c in emulator.commands)
    assert emulator.stale == []


def test_garbage_on_the_line_is_reported_and_reading_goes_on(
    emulator: AdapterEmulator, driver: QibixxDriver
) -> None:
    events = Events()
    driver.start(events)
    events.wait(LinkUp)
    assert emulator.wait_enabled()
    emulator.send_raw(b"\xff\xfe\x00\x01noise\r\nc,STATUS,VEND,abc,7\r\n" + b"z" * 1000 + b"\r\n")
    emulator.send_raw(b"c,STATUS,VE")
    emulator.send_raw(b"ND,2.00,9\r\n")
    request = events.wait(p.VendRequest)
    assert request == p.VendRequest(Decimal("2.00"), "9")
    garbage = [e for e in events.seen if isinstance(e, p.Garbage)]
    assert len(garbage) == 3, garbage
    assert driver.connected


def test_a_port_that_never_answers_v_is_not_connected(tmp_path: Path) -> None:
    import os
    import tty

    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        d = QibixxDriver(os.ttyname(slave), retry_interval=0.1, answer_timeout=0.3)
        events = Events()
        d.start(events)
        down = events.wait(LinkDown)
        assert "no answer to V" in down.reason
        assert not d.connected
        d.stop()
    finally:
        os.close(master)
        os.close(slave)


def test_a_missing_port_is_reported_once_not_raised(tmp_path: Path) -> None:
    d = QibixxDriver(str(tmp_path / "nothing-here"), retry_interval=0.05)
    events = Events()
    d.start(events)
    down = events.wait(LinkDown)
    assert "nothing-here" in down.reason
    time.sleep(0.3)
    d.stop()
    assert sum(isinstance(e, LinkDown) for e in events.seen + _drain(events)) == 1


def _drain(events: Events) -> list[Any]:
    out = []
    while True:
        try:
            out.append(events.q.get_nowait())
        except queue.Empty:
            return out


@pytest.mark.slow
def test_unplugging_never_lets_the_emulator_read_a_file_that_reuses_its_descriptor(
    tmp_path: Path,
) -> None:
    # The emulator's reader waits on the pty outside its lock. Closing the pty there let the
    # next open() reuse the number, and the reader swallowed the first KiB of that file: a
    # test's config came back without its [kaspi] section (a CI failure, 2026-11-29).
    text = "".join(f"line {i:04d} of a file opened right after an unplug\n" for i in range(60))
    source = tmp_path / "config.txt"
    source.write_text(text, encoding="ascii")
    with AdapterEmulator(tmp_path / "ttyMDB") as emu:
        for _ in range(150):
            emu.unplug()
            with source.open(encoding="ascii") as fh:
                time.sleep(0.005)  # the reader's next pass, were it still on the old number
                assert fh.read() == text
            emu.replug()


class _ClosingPort:
    """A port that fails after a few reads, and notes a wake-up that overlaps its close.

    pyserial's cancel_read() checks is_open, then writes to a pipe close() closes: run
    during close(), the write lands on the closed number or on the file that reused it.
    """

    in_waiting = 0

    def __init__(self, overlaps: list[str]) -> None:
        self._overlaps = overlaps
        self._reads = 0
        self._closing = False
        self._cancelling = False

    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass

    def read(self, size: int) -> bytes:
        self._reads += 1
        if self._reads > 2:
            raise OSError("device reports readiness to read but returned no data")
        time.sleep(0.001)
        return b""

    def cancel_read(self) -> None:
        if self._closing:
            self._overlaps.append("cancel_read during close")
        self._cancelling = True
        time.sleep(0.0005)  # between pyserial's is_open check and its write
        self._cancelling = False

    def close(self) -> None:
        if self._cancelling:
            self._overlaps.append("close during cancel_read")
        self._closing = True
        time.sleep(0.002)
        self._closing = False


def test_an_answer_queued_as_the_link_drops_never_wakes_a_closing_port() -> None:
    overlaps: list[str] = []
    opened: list[_ClosingPort] = []

    def open_port(_path: str, _baud: int) -> _ClosingPort:
        opened.append(_ClosingPort(overlaps))
        return opened[-1]

    driver = QibixxDriver("fake", retry_interval=0.001, answer_timeout=5.0, open_port=open_port)
    driver.start(lambda _event: None)
    try:
        deadline = time.monotonic() + 30
        while len(opened) < 300 and time.monotonic() < deadline:
            driver.deny(driver.link)  # the GUI thread answering while links come and go
            time.sleep(0.0002)
    finally:
        driver.stop()
    assert len(opened) >= 300
    assert overlaps == []
