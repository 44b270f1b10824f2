"""The adapter's text protocol: every line the adapter may send, and garbage, as typed events."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest

from kiosk.mdb import protocol as p


@pytest.mark.parametrize(
    ("line", "event"),
    [
        ("v,4.0.2", p.Version("4.0.2")),
        ("v,MDB-USB,2.1", p.Version("MDB-USB,2.1")),
        ("c,STATUS,INACTIVE", p.Status("INACTIVE")),
        ("c,STATUS,DISABLED", p.Status("DISABLED")),
        ("c,STATUS,ENABLED", p.Status("ENABLED")),
        ("c,STATUS,IDLE", p.Status("IDLE")),
        ("c,STATUS,IDLE,0", p.Status("IDLE")),
        ("c,STATUS,VEND,1.00,2", p.VendRequest(Decimal("1.00"), "2")),
        ("c,STATUS,VEND,350,18", p.VendRequest(Decimal("350"), "18")),
        ("  c,STATUS,VEND,99.20,18 \r", p.VendRequest(Decimal("99.20"), "18")),
        ("c,VEND,SUCCESS", p.VendSucceeded()),
        ("c,ERR,VEND 3", p.VendFailed("VEND 3")),
        ("c,ERR,VEND", p.VendFailed("VEND")),
        ("c,ERR,BUS TIMEOUT", p.AdapterError("BUS TIMEOUT")),
        ("c,ERR", p.AdapterError("(no detail)")),
        ("r,ACK", p.Acknowledged("r,ACK")),
        ("c,1", p.Acknowledged("c,1")),
        ("c,0", p.Acknowledged("c,0")),
        ("c,SET,mdb-always-idle=1", p.Acknowledged("c,SET,mdb-always-idle=1")),
        ("x,ACK", p.Acknowledged("x,ACK")),
    ],
)
def test_lines_become_events(line: str, event: p.AnyEvent) -> None:
    assert p.parse_line(line) == event
    assert p.parse_line(line.encode("ascii")) == event


def test_the_price_keeps_its_digits_so_the_approval_echoes_it() -> None:
    event = p.parse_line("c,STATUS,VEND,3.50,7")
    assert isinstance(event, p.VendRequest)
    assert p.approve(event.price) == "C,VEND,3.50"
    assert p.approve(Decimal("350")) == "C,VEND,350"


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"", "empty line"),
        (b"   ", "empty line"),
        (b"\xff\xfe\x00garbage", "not ASCII text"),
        (b"c,STATUS,VEND,1.00,2\x07", "control characters"),
        (b"hello world", "not a cashless-slave message"),
        (b"c", "not a cashless-slave message"),
        (b"v,", "not a cashless-slave message"),
        (b"c,STATUS", "status without a state"),
        (b"c,STATUS,ASLEEP", "unknown state 'ASLEEP'"),
        (b"c,VEND,MAYBE", "unknown message"),
        (b"c,WHAT,EVER", "unknown message"),
        (b"C,VEND,1.00", "not a cashless-slave message"),  # our own command echoed back
        (b"c," + b"9" * 300, "too long"),
    ],
)
def test_garbage_is_an_event_with_a_reason_never_an_exception(raw: bytes, why: str) -> None:
    event = p.parse_line(raw)
    assert isinstance(event, p.Garbage)
    assert event.why == why
    assert len(event.line) <= p.MAX_LINE


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"c,STATUS,VEND", "a vend request needs a price and a product"),
        (b"c,STATUS,VEND,1.00", "a vend request needs a price and a product"),
        (b"c,STATUS,VEND,1.00,2,3", "a vend request needs a price and a product"),
        (b"c,STATUS,VEND,-1.00,2", "unreadable price '-1.00'"),
        (b"c,STATUS,VEND,1e3,2", "unreadable price '1e3'"),
        (b"c,STATUS,VEND,NaN,2", "unreadable price 'NaN'"),
        (b"c,STATUS,VEND,,2", "unreadable price ''"),
        (b"c,STATUS,VEND,3,50,2", "a vend request needs a price and a product"),
        # The adapter writes the price itself, never padded: " 350 " is not 350.
        (b"c,STATUS,VEND, 350 ,2", "unreadable price ' 350 '"),
        (b"c,STATUS,VEND,350 ,2", "unreadable price '350 '"),
        (b"c,STATUS,VEND,1.00,", "unreadable product id ''"),
        (b"c,STATUS,VEND,1.00,a b", "unreadable product id 'a b'"),
        (b"c,STATUS,VEND,1.00, 2", "unreadable product id ' 2'"),
    ],
)
def test_a_vend_request_it_cannot_read_is_told_apart_to_be_denied(raw: bytes, why: str) -> None:
    event = p.parse_line(raw)
    assert event == p.BadVendRequest(raw.decode("ascii"), why)


def test_the_line_end_is_framing_not_padding() -> None:
    # CR/LF (and blanks next to them) end the line; the fields themselves are exact.
    assert p.parse_line(b"c,STATUS,VEND,350,2 ") == p.VendRequest(Decimal("350"), "2")


def test_the_splitter_takes_cr_lf_and_crlf_and_waits_for_partial_lines() -> None:
    splitter = p.LineSplitter()
    assert list(splitter.feed(b"v,1.0\r\nc,STATUS,ENA")) == [p.Version("1.0")]
    assert list(splitter.feed(b"BLED\rr,ACK\n\n\r\nc,VEND,SUCCESS\r")) == [
        p.Status("ENABLED"),
        p.Acknowledged("r,ACK"),
        p.VendSucceeded(),
    ]
    assert list(splitter.feed(b"c,STATUS,ID")) == []
    splitter.reset()  # a reconnect: the partial line belonged to the dead link
    assert list(splitter.feed(b"LE\r")) == [p.Garbage("LE", "not a cashless-slave message")]


def test_an_endless_line_is_dropped_and_the_next_one_is_read() -> None:
    splitter = p.LineSplitter()
    events = list(splitter.feed(b"x" * 5000))
    assert events == []
    events = list(splitter.feed(b"yyy\rc,STATUS,IDLE\r"))
    assert events == [
        p.Garbage("", "a line longer than 256 characters was dropped"),
        p.Status("IDLE"),
    ]


def test_commands_end_with_cr_and_refuse_what_is_not_a_command() -> None:
    assert p.encode(p.DENY) == b"C,STOP\r"
    assert p.encode(p.approve(Decimal("1.50"))) == b"C,VEND,1.50\r"
    assert p.START_UP[-1] == p.ENABLE and p.DISABLE in p.START_UP
    assert p.START_UP.index(p.DISABLE) < p.START_UP.index(p.ALWAYS_IDLE)
    for bad in ("", "C,VEND,1\rC,1", "С,1"):  # empty, two commands, a Cyrillic С
        with pytest.raises(ValueError):
            p.encode(bad)
    for bad_price in (Decimal("-1"), Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(ValueError):
            p.approve(bad_price)
    assert p.format_price(Decimal("1E+2")) == "100"


def test_the_mdb_core_does_not_import_qt() -> None:
    code = (
        "import sys\n"
        "import kiosk.mdb.protocol, kiosk.mdb.vend, kiosk.mdb.qibixx, kiosk.mdb.emulator\n"
        "assert 'PySide6' not in sys.modules\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
