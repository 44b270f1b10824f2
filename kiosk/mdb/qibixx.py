"""The Qibixx MDB USB interface / MDB Pi HAT as the kiosk's cashless-slave driver, over pyserial.

One daemon thread owns the serial port: it opens it, sends the start-up
commands, reads lines and hands typed events to `on_event` (called on that
thread: the GUI side queues them to its own thread), writes the answers the
kiosk queued, and when the adapter is unplugged (a read or write fails, or it
does not answer `V`) reports `LinkDown`, closes the port and tries again every
`retry_interval` seconds until it is back (`LinkUp`). Nothing here blocks the
caller: `approve` and `deny` only queue a command.

Every link gets a number. An answer carries the number of the link its vend
request came on, and is dropped if the link changed since: a vend the VMC asked
for before an unplug (which the VMC has forgotten) is never approved on the
next link.

The protocol as implemented, checked against the adapter's documentation
(docs.qibixx.com: "API: Cashless Slave", "Configuration", "Cashless Device -
Accept a Vend Request from VMC in Always Idle", "Vending Sessions Examples")
and public integrations (Python, Node.js and Kotlin programs driving these
adapters). Differences from the issue's description, and how they are handled:

- Always-idle mode is a setting of the adapter (`C,SETCONF,mdb-always-idle=1`),
  changeable only while the slave is disabled; the issue sends only `C,1`. The
  kiosk sends `C,0`, the setting, then `C,1` at every connect, so an adapter
  configured otherwise by an earlier program still works.
- Denying: the always-idle tutorial denies with `C,STOP` (as the issue does);
  the API reference calls `C,STOP` "stop an inactive session" and lists a
  separate "deny credit request" for an active vend, which a public
  integration sends as `C,VEND,-1`. The kiosk sends `C,STOP` (protocol.DENY,
  one constant to change if a firmware wants the other).
- Line ends: the issue says CR; public integrations send LF, CR or CRLF and the
  adapter accepts each. The kiosk sends CR and reads any of the three.
- `C,VEND,<price>` in the tutorial echoes the price; the session examples
  also show `C,VEND,<price>,<product>`. The kiosk echoes the price exactly as
  the VMC wrote it ("3.50" stays "3.50").
- The adapter answers commands with `c,1` / `c,0` / `c,SET,…` and reports VMC
  polls as `r,ACK`; after a vend it reports `c,STATUS,IDLE` then
  `c,STATUS,ENABLED`. A return to IDLE/ENABLED while a vend request is
  unanswered means the VMC gave up (its own timeout, or the customer
  cancelled on the machine); the documentation does not say this in words,
  public integrations treat it so.
- `c,ERR,VEND 3` is the documented dispense failure; other `c,ERR,VEND …`
  codes are read as failures too, any other `c,ERR,…` as an adapter error.
- The MDB currency code (`mdb-currency-code`, 0x1398 for tenge in MDB's BCD
  form) is left as configured on the adapter: the VMC does not check it in the
  always-idle flow, and a wrong value here would stop vends.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from kiosk.mdb import protocol
from kiosk.mdb.protocol import AnyEvent

log = logging.getLogger(__name__)

READ_TIMEOUT = 0.05  # seconds a read waits when nothing arrives (an answer cuts it short)


@dataclass(frozen=True)
class LinkUp:
    """The adapter is connected and answered `V`; `link` numbers this connection."""

    firmware: str
    link: int


@dataclass(frozen=True)
class LinkDown:
    """The adapter is not (or no longer) reachable; the reason is for the log and health."""

    reason: str


DriverEvent = AnyEvent | LinkUp | LinkDown


class Driver(Protocol):
    """An MDB adapter in cashless-slave mode, as the kiosk uses it (Qibixx text, or binary HAT)."""

    @property
    def connected(self) -> bool: ...

    def start(self, on_event: Callable[[DriverEvent], None]) -> None:
        """Open the adapter in the background; events go to `on_event` on the driver's thread."""

    def stop(self) -> None:
        """Disable the slave (the VMC stops offering the cashless payment), close, join."""

    def approve(self, price: Decimal, link: int) -> None:
        """Queue the approval of the vend requested on `link` (dropped if the link changed)."""

    def deny(self, link: int) -> None:
        """Queue the denial of the vend requested on `link` (dropped if the link changed)."""


class _LinkLost(Exception):
    pass


class QibixxDriver:
    """The Qibixx text protocol over a serial port (USB CDC or the Pi HAT's UART)."""

    def __init__(
        self,
        port: str,
        baudrate: int = 115200,
        *,
        retry_interval: float = 1.0,
        answer_timeout: float = 3.0,
        open_port: Callable[..., Any] | None = None,
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self.retry_interval = retry_interval
        self.answer_timeout = answer_timeout
        self._open_port = open_port
        self._outgoing: queue.SimpleQueue[tuple[int, str]] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_event: Callable[[DriverEvent], None] = lambda _event: None
        self._link = 0
        self._port: Any = None  # the open port, for cancel_read from other threads
        # Held by a wake-up's cancel_read and by the close of the port: pyserial's
        # cancel_read writes to a pipe that close() closes, and a write that overlaps the
        # close lands on the closed number, or on whatever file just reused it.
        self._port_lock = threading.Lock()
        self._up = False
        self._reported: bool | None = None

    @property
    def connected(self) -> bool:
        return self._up

    @property
    def link(self) -> int:
        """The number of the current (or last) link."""
        return self._link

    def start(self, on_event: Callable[[DriverEvent], None]) -> None:
        if self._thread is not None:
            return
        self._on_event = on_event
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="kiosk-mdb", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        thread.join(5.0)

    def approve(self, price: Decimal, link: int) -> None:
        self._outgoing.put((link, protocol.approve(price)))
        self._wake()

    def deny(self, link: int) -> None:
        self._outgoing.put((link, protocol.DENY))
        self._wake()

    def _wake(self) -> None:
        """End the thread's wait in read() so the answer leaves now, not after READ_TIMEOUT."""
        with self._port_lock:
            cancel = getattr(self._port, "cancel_read", None)
            if cancel is not None:
                try:
                    cancel()
                except Exception:  # the port failed meanwhile: the answer is dropped anyway
                    log.debug("MDB: cancel_read failed", exc_info=True)

    # --- the thread ---------------------------------------------------------------------------

    def _open(self) -> Any:
        if self._open_port is not None:
            return self._open_port(self.port, self.baudrate)
        import serial  # pyserial

        return serial.Serial(
            self.port,
            self.baudrate,
            timeout=READ_TIMEOUT,
            write_timeout=1.0,
            exclusive=True,  # a second kiosk on the same adapter fails to open, not half-works
        )

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                port = self._open()
            except Exception as exc:  # noqa: BLE001 (SerialException, OSError, ValueError)
                self._down(f"cannot open {self.port}: {_short(exc)}")
                self._stop.wait(self.retry_interval)
                continue
            try:
                self._port = port
                self._serve(port)
            except Exception as exc:  # noqa: BLE001 (any failure of the link ends it; retry)
                self._down(f"{self.port}: {_short(exc)}")
            finally:
                with self._port_lock:
                    self._port = None
                    self._close(port)
            self._stop.wait(self.retry_interval)
        self._up = False

    def _serve(self, port: Any) -> None:
        self._link += 1
        link = self._link
        splitter = protocol.LineSplitter()
        # Answers queued for an earlier link are for vends the VMC has forgotten.
        self._drop_queued()
        for command in protocol.START_UP:
            port.write(protocol.encode(command))
        opened = time.monotonic()
        while not self._stop.is_set():
            self._write_queued(port, link)
            data = port.read(max(1, port.in_waiting))
            for event in splitter.feed(data):
                if isinstance(event, protocol.Version) and not self._up:
                    self._up = True
                    self._reported = True
                    log.info("MDB adapter on %s: firmware %s", self.port, event.firmware)
                    self._on_event(LinkUp(event.firmware, link))
                elif isinstance(event, protocol.Garbage):
                    log.warning("MDB: unreadable line %r (%s)", event.line, event.why)
                else:
                    log.debug("MDB <- %s", event)
                self._on_event(event)
            if not self._up and time.monotonic() - opened > self.answer_timeout:
                raise _LinkLost(f"no answer to V within {self.answer_timeout:g} s")
        if self._up:
            # Stopping: tell the VMC the reader is gone, so it stops offering it.
            port.write(protocol.encode(protocol.DISABLE))
            port.flush()

    def _write_queued(self, port: Any, link: int) -> None:
        while True:
            try:
                for_link, command = self._outgoing.get_nowait()
            except queue.Empty:
                return
            if for_link != link or not self._up:
                log.warning("MDB: %s dropped: it answers a vend of an earlier link", command)
                continue
            log.info("MDB -> %s", command)
            port.write(protocol.encode(command))

    def _drop_queued(self) -> None:
        while True:
            try:
                _link, command = self._outgoing.get_nowait()
            except queue.Empty:
                return
            log.warning("MDB: %s dropped: the link it answered is gone", command)

    def _down(self, reason: str) -> None:
        self._up = False
        if self._reported is not False:
            self._reported = False
            log.warning("MDB adapter not connected: %s", reason)
            self._on_event(LinkDown(reason))

    @staticmethod
    def _close(port: Any) -> None:
        try:
            port.close()
        except Exception:  # a dead port may fail to close; it is gone anyway
            log.debug("MDB: closing the port failed", exc_info=True)


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]
