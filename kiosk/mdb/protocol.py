"""The Qibixx MDB adapter's text protocol in cashless-slave mode: lines in, typed events out.

Pure functions and values, no I/O: `LineSplitter` cuts the serial byte stream
into lines, `parse_line` turns one line into an event, and the command
functions build what the kiosk sends. Anything the kiosk does not understand
becomes `Garbage` (never an exception): a noisy bus or a firmware with extra
messages must not stop the reader; a vend request it cannot read becomes
`BadVendRequest`, which the kiosk denies at once (the machine waits for an answer).
Where the adapter's documentation and public integrations differ, see the docstring
of kiosk.mdb.qibixx.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

#: Commands end with a carriage return (the adapter also takes a line feed).
TERMINATOR = b"\r"
#: A line longer than this without an end is noise: it is dropped, not kept growing.
MAX_LINE = 256

#: The cashless slave's states as the adapter reports them (c,STATUS,<state>).
STATES = ("INACTIVE", "DISABLED", "ENABLED", "IDLE", "VEND")

_PRICE = re.compile(r"[0-9]{1,9}(\.[0-9]{1,4})?")
_PRODUCT = re.compile(r"[0-9A-Za-z_-]{1,16}")


# --- events (what the adapter says) ---------------------------------------------------------


@dataclass(frozen=True)
class Version:
    """`v,<firmware>`: the answer to `V`; proves an adapter is on the line."""

    firmware: str


@dataclass(frozen=True)
class Status:
    """`c,STATUS,<state>`: the VMC moved the cashless slave (INACTIVE|DISABLED|ENABLED|IDLE)."""

    state: str


@dataclass(frozen=True)
class VendRequest:
    """`c,STATUS,VEND,<price>,<product>`: a customer chose a product; approve or deny it.

    `price` is the machine's number as sent ("3.50" stays Decimal("3.50")), so the
    approval can echo it exactly.
    """

    price: Decimal
    product: str


@dataclass(frozen=True)
class BadVendRequest:
    """`c,STATUS,VEND,...` the kiosk cannot read (a price like " 350 " or "3,50", no product).

    The machine still waits for an answer: the kiosk denies it at once (`C,STOP`) rather
    than leave the customer standing until the machine's own timeout.
    """

    line: str
    why: str


@dataclass(frozen=True)
class VendSucceeded:
    """`c,VEND,SUCCESS`: the machine dispensed the approved product."""


@dataclass(frozen=True)
class VendFailed:
    """`c,ERR,VEND <code>`: the machine failed to dispense the approved product."""

    detail: str


@dataclass(frozen=True)
class AdapterError:
    """Any other `c,ERR,...`: an adapter or bus error (logged; no vend decision rests on it)."""

    detail: str


@dataclass(frozen=True)
class Acknowledged:
    """`r,ACK`, `c,1`/`c,0`, `c,SET,...`, `x,...`: chatter that needs no action."""

    text: str


@dataclass(frozen=True)
class Garbage:
    """A line the kiosk cannot read; kept for the log."""

    line: str
    why: str


Event = (
    Version
    | Status
    | VendRequest
    | BadVendRequest
    | VendSucceeded
    | VendFailed
    | AdapterError
    | Acknowledged
)
AnyEvent = Event | Garbage


def parse_line(raw: bytes | str) -> AnyEvent:
    """One line from the adapter (without its line end) as an event; Garbage when unreadable."""
    if isinstance(raw, bytes):
        try:
            line = raw.decode("ascii")
        except UnicodeDecodeError:
            return Garbage(raw.decode("ascii", "backslashreplace")[:MAX_LINE], "not ASCII text")
    else:
        line = raw
    line = line.strip()
    if not line:
        return Garbage(line, "empty line")
    if not line.isprintable():
        return Garbage(line.encode("unicode_escape").decode("ascii"), "control characters")
    if len(line) > MAX_LINE:
        return Garbage(line[:MAX_LINE], "too long")
    parts = line.split(",")
    head = parts[0]
    if head == "v" and len(parts) >= 2 and parts[1]:
        return Version(",".join(parts[1:]))
    if head in ("r", "x", "d", "f") and len(parts) >= 2:
        return Acknowledged(line)
    if head != "c" or len(parts) < 2:
        return Garbage(line, "not a cashless-slave message")
    kind = parts[1]
    if kind in ("0", "1", "SET"):
        return Acknowledged(line)
    if kind == "STATUS":
        return _status(line, parts[2:])
    if kind == "VEND" and parts[2:] == ["SUCCESS"]:
        return VendSucceeded()
    if kind == "ERR":
        detail = ",".join(parts[2:]).strip()
        if detail.startswith("VEND"):
            return VendFailed(detail)
        return AdapterError(detail or "(no detail)")
    return Garbage(line, "unknown message")


def _status(line: str, rest: list[str]) -> AnyEvent:
    if not rest:
        return Garbage(line, "status without a state")
    state = rest[0]
    if state == "VEND":
        if len(rest) != 3:
            return BadVendRequest(line, "a vend request needs a price and a product")
        price = parse_price(rest[1])
        product = rest[2]
        if price is None:
            return BadVendRequest(line, f"unreadable price {rest[1]!r}")
        if not _PRODUCT.fullmatch(product):
            return BadVendRequest(line, f"unreadable product id {product!r}")
        return VendRequest(price, product)
    if state not in STATES:
        return Garbage(line, f"unknown state {state!r}")
    # c,STATUS,IDLE,<funds> after C,START: the funds are not used in always-idle mode.
    return Status(state)


def parse_price(text: str) -> Decimal | None:
    """A price as the adapter writes it ("1.00", "350"); None when it is not one.

    No padding: the adapter writes the price itself from the MDB frame's binary amount
    ("c,STATUS,VEND,1.00,2" in its documentation), never with spaces. " 350 " is not
    a price it sends, so it is not read as 350 but denied: a line that differs from the
    protocol is noise or a fault, and money is never approved on a guess.
    """
    if not _PRICE.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover (the pattern only lets numbers through)
        return None


class LineSplitter:
    """Cuts a byte stream into lines at CR, LF or CRLF; over-long runs are dropped as Garbage."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._overflowed = False

    def feed(self, data: bytes) -> Iterator[AnyEvent]:
        """The events completed by `data` (a partial line waits for the next feed)."""
        for byte in data:
            if byte in (0x0D, 0x0A):
                if self._overflowed:
                    self._overflowed = False
                    self._buffer.clear()
                    yield Garbage("", "a line longer than 256 characters was dropped")
                elif self._buffer:
                    line = bytes(self._buffer)
                    self._buffer.clear()
                    yield parse_line(line)
                continue
            if self._overflowed:
                continue
            self._buffer.append(byte)
            if len(self._buffer) > MAX_LINE:
                self._overflowed = True
                self._buffer.clear()

    def reset(self) -> None:
        """Forget a partial line (after a reconnect it belongs to a dead link)."""
        self._buffer.clear()
        self._overflowed = False


# --- commands (what the kiosk sends) --------------------------------------------------------


def format_price(price: Decimal) -> str:
    """The machine's price written back as it came ("3.50" -> "3.50"), never in exponent form."""
    if not price.is_finite() or price < 0:
        raise ValueError(f"not a price: {price}")
    return format(price, "f")


VERSION = "V"
SNIFFER_OFF = "X,0"
DISABLE = "C,0"
ENABLE = "C,1"
#: Changed only while the slave is disabled (C,0): the VMC then asks first, the kiosk answers.
ALWAYS_IDLE = "C,SETCONF,mdb-always-idle=1"
DENY = "C,STOP"
#: Sent after opening the port: a known state whatever the adapter was doing before.
START_UP = (SNIFFER_OFF, VERSION, DISABLE, ALWAYS_IDLE, ENABLE)


def approve(price: Decimal) -> str:
    """`C,VEND,<price>`: give the VMC the credit it asked for (echoes the requested price)."""
    return f"C,VEND,{format_price(price)}"


def encode(command: str) -> bytes:
    """One command as the bytes to write."""
    if not command or not command.isascii() or not command.isprintable():
        raise ValueError(f"not a command: {command!r}")
    return command.encode("ascii") + TERMINATOR
