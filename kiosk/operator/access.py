"""Who may open service mode: the PIN's salted hash, the tries and a lock-out that grows. No Qt.

A PIN of four to twelve digits is a small space, so the config holds only
`scrypt$n$r$p$salt$hash` (salt and hash in base64, the parameters in the string
so they can be raised later without breaking stored PINs), written by
`kiosk set-pin`. A plain PIN in the file is refused at load with a message
saying how to set one.

One `PinLock` lives as long as the kiosk (the kiosk owns it, the service screen
only asks it), so leaving service mode and opening it again does not reset the
tries or end a lock-out: three free tries, then a wait of 30 s, 60 s, 120 s, …
up to 15 minutes after each further failure; the right PIN resets it. Each
lock-out is logged, never with the PIN tried. Time is passed in as a monotonic
clock, so a 15-minute lock-out is tested in microseconds.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

log = logging.getLogger("kiosk.service")

PREFIX = "scrypt"
#: scrypt's cost: 16 MiB and about 50 ms a check; slow for a guesser, quick at the kiosk.
N, R, P = 2**14, 8, 1
MIN_PIN_DIGITS, MAX_PIN_DIGITS = 4, 12
FREE_TRIES = 3
FIRST_DELAY = 30.0
MAX_DELAY = 900.0

HOW_TO_SET = "set it with `kiosk set-pin` (the file keeps only a salted hash of the PIN)"


class PinError(ValueError):
    """A PIN or a stored hash that cannot be used; the message never holds the PIN."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def check_pin(pin: str) -> None:
    if not (pin.isascii() and pin.isdigit() and MIN_PIN_DIGITS <= len(pin) <= MAX_PIN_DIGITS):
        raise PinError(f"the PIN must be {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits")


def hash_pin(pin: str, *, n: int = N, r: int = R, p: int = P, salt: bytes | None = None) -> str:
    """The string to store for `pin`: `scrypt$n$r$p$salt$hash`."""
    check_pin(pin)
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=2**26)
    return f"{PREFIX}${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes]:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != PREFIX:
        raise PinError(f"not a PIN hash: {HOW_TO_SET}")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        raise PinError(f"a damaged PIN hash: {HOW_TO_SET}") from None
    if n < 2 or n & (n - 1) or not (1 <= r <= 64 and 1 <= p <= 16) or len(digest) < 16:
        raise PinError(f"a PIN hash with impossible parameters: {HOW_TO_SET}")
    return n, r, p, salt, digest


def check_stored(stored: str) -> None:
    """PinError (naming what to do, never the value) unless `stored` is a usable PIN hash."""
    if stored.isdigit():
        raise PinError(f"is a plain PIN: {HOW_TO_SET}")
    _parse(stored)


def verify(stored: str, pin: str) -> bool:
    """Whether `pin` is the one `stored` was made from; False for a damaged hash."""
    try:
        n, r, p, salt, digest = _parse(stored)
    except PinError:
        return False
    try:
        tried = hashlib.scrypt(
            pin.encode(), salt=salt, n=n, r=r, p=p, dklen=len(digest), maxmem=2**26
        )
    except ValueError:
        return False
    return hmac.compare_digest(tried, digest)


class PinVerdict(Enum):
    OPEN = "open"  # the right PIN: service mode opens
    WRONG = "wrong"  # a wrong PIN; free tries are left
    LOCKED = "locked"  # the pad is shut: this failure began a wait, or the entry came during one
    SHORT = "short"  # fewer digits than any PIN has: a slip of the finger, not a try


@dataclass(frozen=True)
class PinAnswer:
    verdict: PinVerdict
    tries_left: int  # free tries before the first wait (0 once waits have begun)
    locked_for: float  # seconds until entries are compared again (0 when not locked)


class PinLock:
    """Checks service PINs against the stored hash; wrong ones bring waits that grow."""

    def __init__(
        self,
        stored: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        free_tries: int = FREE_TRIES,
        first_delay: float = FIRST_DELAY,
        max_delay: float = MAX_DELAY,
    ) -> None:
        self._stored = stored  # the hash (or ""), never the PIN itself
        self._clock = clock
        self.free_tries = free_tries
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.failures = 0
        self._allowed_at = 0.0

    def set_pin(self, stored: str) -> None:
        """The configured hash changed (config re-read); failures and the wait carry on."""
        self._stored = stored

    @property
    def configured(self) -> bool:
        return bool(self._stored)

    @property
    def tries_left(self) -> int:
        return max(0, self.free_tries - self.failures)

    def next_delay(self) -> float:
        """The wait the next failure would bring (0 while tries are free)."""
        over = self.failures + 1 - self.free_tries  # 0 for the failure that uses the last try
        if over < 0:
            return 0.0
        return min(self.max_delay, self.first_delay * 2**over)

    def locked_for(self) -> float:
        """Seconds left of the wait; 0.0 when entries are compared."""
        return max(0.0, self._allowed_at - self._clock())

    def locked_seconds_shown(self) -> int:
        """The wait as a countdown shows it: whole seconds, rounded up."""
        return math.ceil(self.locked_for())

    def is_locked(self) -> bool:
        return self.locked_for() > 0

    def check(self, entry: str) -> PinAnswer:
        if self.is_locked():
            return PinAnswer(PinVerdict.LOCKED, self.tries_left, self.locked_for())
        if len(entry) < MIN_PIN_DIGITS:
            # No PIN is this short, so no guess is spent: an OK pressed before the last digit
            # (or a digit lost to a slow screen) must not cost the operator a try.
            return PinAnswer(PinVerdict.SHORT, self.tries_left, 0.0)
        # An empty configured PIN matches nothing, not even an empty entry.
        if self._stored and entry and verify(self._stored, entry):
            if self.failures:
                log.info("service PIN accepted after %d wrong tries", self.failures)
            self.failures = 0
            self._allowed_at = 0.0
            return PinAnswer(PinVerdict.OPEN, self.tries_left, 0.0)
        delay = self.next_delay()
        self.failures += 1
        if not delay:
            log.info("service PIN: wrong try %d", self.failures)
            return PinAnswer(PinVerdict.WRONG, self.tries_left, 0.0)
        self._allowed_at = self._clock() + delay
        # Never the PIN tried: only that it was wrong and for how long the pad is shut.
        log.warning("service PIN: %d wrong tries, locked out for %d s", self.failures, round(delay))
        return PinAnswer(PinVerdict.LOCKED, self.tries_left, delay)
