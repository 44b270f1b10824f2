"""A Qibixx MDB adapter with a vending machine (VMC) behind it, on a pseudo-terminal.

For tests and `kiosk demo --mdb`: the emulator holds the master side of a
pseudo-terminal and speaks the adapter's side of the text protocol; the kiosk
opens the slave side through pyserial exactly as it opens a real adapter. The
port is a symbolic link (like /dev/serial/by-id/…) that `unplug` removes and
`replug` points at a new pseudo-terminal, so a driver that reopens the same
path finds the adapter again.

POSIX only (pseudo-terminals). Run alone as a VMC you type at:

    python -m kiosk.mdb.emulator /tmp/ttyMDB
    > select 7 3.50        a customer picks product 7 at 3.50
    > dispense fail        the next approved vend fails to dispense (success|fail|silent)
    > unplug / replug / cancel / quit
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

log = logging.getLogger(__name__)

DISPENSE_MODES = ("success", "fail", "silent")


@dataclass(frozen=True)
class Outcome:
    """How one vend request ended, as the VMC saw it."""

    product: str
    price: Decimal
    answer: str  # "approved" | "denied" | "vmc_gave_up" | "unplugged" | "reset"
    approved_price: str | None = None
    dispensed: str | None = None  # "success" | "fail" | "silent" after an approval


class AdapterEmulator:
    """The adapter's side of the serial line, and a VMC that requests vends.

    `vmc_timeout`: seconds the VMC waits for an answer before it gives up by
    itself (None: forever). `dispense`: what the machine does after the next
    approvals ("success", "fail": c,ERR,VEND 3, "silent": no report).
    """

    def __init__(
        self,
        port: Path,
        *,
        firmware: str = "EMU-4.0.2",
        vmc_timeout: float | None = None,
        dispense: str = "success",
        dispense_delay: float = 0.2,
    ) -> None:
        if dispense not in DISPENSE_MODES:
            raise ValueError(f"dispense must be one of {DISPENSE_MODES}")
        self.link_path = Path(port)
        self.firmware = firmware
        self.vmc_timeout = vmc_timeout
        self.dispense = dispense
        self.dispense_delay = dispense_delay
        self.commands: list[str] = []  # every command the kiosk sent, in order
        self.command_times: list[float] = []  # time.monotonic() each one arrived (benchmarks)
        self.selected_at: list[float] = []  # time.monotonic() of each vend request sent
        self.outcomes: list[Outcome] = []
        self.stale: list[str] = []  # answers that came when no vend was asked for
        self.state = "INACTIVE"
        self.always_idle = False
        self._lock = threading.Condition()
        self._master: int | None = None
        self._slave: int | None = None
        self._vend: tuple[str, Decimal, float] | None = None  # product, price, asked at
        self._timers: list[tuple[float, Callable[[], None]]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._buffer = bytearray()
        # Descriptors unplugged but not yet closed. Closed on the reader thread only: a
        # number closed while it waits on it is reused by the next open() anywhere in the
        # process, and the reader would swallow that file's bytes.
        self._retired: list[int] = []

    @property
    def port(self) -> str:
        return str(self.link_path)

    # --- life ---------------------------------------------------------------------------------

    def start(self) -> AdapterEmulator:
        self.replug()
        self._thread = threading.Thread(target=self._run, name="mdb-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self.unplug()

    def __enter__(self) -> AdapterEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def unplug(self) -> None:
        """The USB cable is pulled: the kiosk's port fails and the path disappears."""
        with self._lock:
            self._retired.extend(fd for fd in (self._master, self._slave) if fd is not None)
            self._master = self._slave = None
            reader = self._thread
            if reader is None or not reader.is_alive() or reader is threading.current_thread():
                self._close_retired()
            else:
                # The reader may be inside select()/read() on the old number: it closes
                # the pty itself, between passes, and this waits for that (a pass is 20 ms).
                self._lock.wait_for(lambda: not self._retired, timeout=2.0)
            self._buffer.clear()
            if self._vend is not None:
                product, price, _at = self._vend
                self.outcomes.append(Outcome(product, price, "unplugged"))
                self._vend = None
            self.state = "INACTIVE"
            self.always_idle = False
            self._timers.clear()
            with contextlib.suppress(FileNotFoundError):
                self.link_path.unlink()
            self._lock.notify_all()

    def replug(self) -> None:
        """A (new) adapter is plugged in at the same path, freshly powered."""
        with self._lock:
            if self._master is not None:
                return
            import tty  # POSIX only (termios): imported here so Windows can import the module

            master, slave = os.openpty()
            # Raw: no echo of what the emulator writes, CR stays CR.
            tty.setraw(slave)
            self._master, self._slave = master, slave
            with contextlib.suppress(FileNotFoundError):
                self.link_path.unlink()
            self.link_path.symlink_to(os.ttyname(slave))

    # --- the VMC ------------------------------------------------------------------------------

    def select(self, product: str, price: str | Decimal) -> bool:
        """A customer chooses a product: c,STATUS,VEND,<price>,<product>. False if not enabled."""
        with self._lock:
            if self.state != "ENABLED" or self._master is None:
                return False
            price_text = str(price)
            try:
                value = Decimal(price_text)
            except ArithmeticError:  # a price the kiosk must refuse ("3,50") is sent too
                value = Decimal("NaN")
            self._vend = (product, value, time.monotonic())
            self.state = "VEND"
            self.selected_at.append(time.monotonic())
            self._send(f"c,STATUS,VEND,{price_text},{product}")
            if self.vmc_timeout is not None:
                asked = self._vend
                self._later(self.vmc_timeout, lambda: self._give_up(asked))
            return True

    def cancel(self) -> bool:
        """The customer presses cancel on the machine while it waits for the answer."""
        with self._lock:
            if self._vend is None:
                return False
            self._give_up(self._vend)
            return True

    def send_raw(self, data: bytes) -> None:
        """Bytes as they are, for garbage on the line."""
        with self._lock:
            if self._master is not None:
                os.write(self._master, data)

    def wait_for(self, check: Callable[[AdapterEmulator], bool], timeout: float = 10.0) -> bool:
        """Wait until `check(self)` is true (under the lock); False after `timeout`."""
        with self._lock:
            return self._lock.wait_for(lambda: check(self), timeout)

    def wait_enabled(self, timeout: float = 10.0) -> bool:
        return self.wait_for(lambda e: e.state == "ENABLED", timeout)

    # --- the adapter --------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                self._close_retired()
                master = self._master
                self._fire_timers()
            if master is None:
                time.sleep(0.02)
                continue
            try:
                ready, _, _ = select.select([master], [], [], 0.02)
                data = os.read(master, 1024) if ready else b""
            except OSError:
                # No reader on the other side (EIO), or unplugged meanwhile: keep waiting.
                time.sleep(0.02)
                continue
            if not data:
                continue
            with self._lock:
                if self._master != master:
                    continue
                self._buffer.extend(data)
                while True:
                    cut = [
                        i for i in (self._buffer.find(b"\r"), self._buffer.find(b"\n")) if i >= 0
                    ]
                    if not cut:
                        break
                    end = min(cut)
                    line = bytes(self._buffer[:end]).decode("ascii", "replace").strip()
                    del self._buffer[: end + 1]
                    if line:
                        self.commands.append(line)
                        self.command_times.append(time.monotonic())
                        self._command(line)
                self._lock.notify_all()

    def _close_retired(self) -> None:
        """Close unplugged descriptors; under the lock, on the reader (or with none running)."""
        for fd in self._retired:
            with contextlib.suppress(OSError):
                os.close(fd)
        if self._retired:
            self._retired.clear()
            self._lock.notify_all()

    def _command(self, line: str) -> None:
        parts = line.split(",")
        if line == "V":
            self._send(f"v,{self.firmware}")
        elif parts[0] == "X":
            self._send("x,ACK")
        elif line == "C,0":
            self._send("c,0")
            if self._vend is not None:  # the reader was switched off: the vend is over
                product, price, _at = self._vend
                self.outcomes.append(Outcome(product, price, "reset"))
                self._vend = None
            self.state = "INACTIVE"
            self._send("c,STATUS,INACTIVE")
        elif parts[:2] == ["C", "SETCONF"]:
            if self.state != "INACTIVE":
                self._send("c,ERR,SETCONF needs the slave disabled (C,0)")
            else:
                if parts[2:] == ["mdb-always-idle=1"]:
                    self.always_idle = True
                self._send("c,SET," + ",".join(parts[2:]))
        elif line == "C,1":
            self._send("c,1")
            self._send("c,STATUS,INACTIVE")
            self._send("r,ACK")
            self._send("c,STATUS,DISABLED")
            self._send("r,ACK")
            self.state = "ENABLED"  # the VMC enables the reader at once
            self._send("c,STATUS,ENABLED")
        elif parts[:2] == ["C", "VEND"] and len(parts) == 3:
            self._approved(parts[2])
        elif line == "C,STOP":
            self._denied()
        else:
            self._send(f"c,ERR,UNKNOWN COMMAND {line[:32]}")

    def _approved(self, price_text: str) -> None:
        if self._vend is None or self.state != "VEND":
            self.stale.append(f"C,VEND,{price_text}")
            self._send("c,ERR,VEND NOT REQUESTED")
            return
        product, price, _at = self._vend
        self._vend = None
        self._send("r,ACK")
        mode = self.dispense
        self.outcomes.append(Outcome(product, price, "approved", price_text, mode))

        def report() -> None:
            if mode == "success":
                self._send("c,VEND,SUCCESS")
            elif mode == "fail":
                self._send("c,ERR,VEND 3")
            if mode != "silent":
                self._send("c,STATUS,IDLE")
            self.state = "ENABLED"
            if mode != "silent":
                self._send("c,STATUS,ENABLED")

        self.state = "DISPENSING"
        self._later(self.dispense_delay, report)

    def _denied(self) -> None:
        if self._vend is None or self.state != "VEND":
            self.stale.append("C,STOP")
            return
        product, price, _at = self._vend
        self._vend = None
        self.outcomes.append(Outcome(product, price, "denied"))
        self._send("r,ACK")
        self._send("c,STATUS,IDLE")
        self.state = "ENABLED"
        self._send("c,STATUS,ENABLED")

    def _give_up(self, asked: tuple[str, Decimal, float]) -> None:
        if self._vend is not asked:
            return  # answered (or another vend) meanwhile
        product, price, _at = asked
        self._vend = None
        self.outcomes.append(Outcome(product, price, "vmc_gave_up"))
        self._send("c,STATUS,IDLE")
        self.state = "ENABLED"
        self._send("c,STATUS,ENABLED")
        self._lock.notify_all()

    def _later(self, delay: float, action: Callable[[], None]) -> None:
        self._timers.append((time.monotonic() + delay, action))

    def _fire_timers(self) -> None:
        now = time.monotonic()
        due = [t for t in self._timers if t[0] <= now]
        if not due:
            return
        self._timers = [t for t in self._timers if t[0] > now]
        for _at, action in sorted(due, key=lambda t: t[0]):
            action()
        self._lock.notify_all()

    def _send(self, line: str) -> None:
        if self._master is None:
            return
        try:
            os.write(self._master, line.encode("ascii") + b"\r\n")
        except OSError as exc:
            log.debug("emulator write failed: %s", exc)


def main(argv: list[str]) -> int:
    """A VMC at the terminal: commands on stdin, the kiosk on the port."""
    if len(argv) != 1:
        print(__doc__)
        return 2
    emulator = AdapterEmulator(Path(argv[0])).start()
    print(
        f"adapter emulator on {emulator.port}; commands: select P PRICE | cancel | "
        "dispense success|fail|silent | unplug | replug | quit",
        flush=True,
    )
    try:
        for raw in sys.stdin:
            words = raw.split()
            if not words:
                continue
            if words[0] == "quit":
                break
            if words[0] == "select" and len(words) == 3:
                print("asked" if emulator.select(words[1], words[2]) else "not enabled yet")
            elif words[0] == "cancel":
                emulator.cancel()
            elif words[0] == "dispense" and len(words) == 2 and words[1] in DISPENSE_MODES:
                emulator.dispense = words[1]
            elif words[0] == "unplug":
                emulator.unplug()
            elif words[0] == "replug":
                emulator.replug()
            else:
                print("?")
            for outcome in emulator.outcomes:
                print(" ", outcome)
            sys.stdout.flush()
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
