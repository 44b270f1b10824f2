"""The service PIN: kept as a salted hash, checked under a lock-out that grows with each failure.

A PIN of four to twelve digits is a small space, so the config holds only
`scrypt$n$r$p$salt$hash` (salt and hash in base64, the parameters in the string
so they can be raised later without breaking stored PINs), written by
`kiosk set-pin`. A plain PIN in the file is refused at load with a message
saying how to set one.

Wrong tries are limited by a Lockout that the kiosk keeps for its whole run
(not per screen: leaving service mode and opening it again used to reset the
count): three free tries, then a wait of 30 s, 60 s, 120 s, … up to 15 minutes
after each further failure; the right PIN resets it. Pure and Qt-free: time is
a monotonic clock passed in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import time
from collections.abc import Callable
from enum import Enum

log = logging.getLogger("kiosk.service")

PREFIX = "scrypt"
#: scrypt's cost: 16 MiB and about 50 ms a check; slow for a guesser, quick at the kiosk.
N, R, P = 2**14, 8, 1
MIN_DIGITS, MAX_DIGITS = 4, 12
FREE_TRIES = 3
FIRST_DELAY = 30.0
MAX_DELAY = 900.0

HOW_TO_SET = "set it with `kiosk set-pin` (the file keeps only a salted hash of the PIN)"


class PinError(ValueError):
    """A PIN or a stored hash that cannot be used; the message never holds the PIN."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def check_pin(pin: str) -> None:
    if not (pin.isascii() and pin.isdigit() and MIN_DIGITS <= len(pin) <= MAX_DIGITS):
        raise PinError(f"the PIN must be {MIN_DIGITS} to {MAX_DIGITS} digits")


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


class Attempt(Enum):
    OPENED = "opened"
    WRONG = "wrong"
    LOCKED = "locked"  # not checked at all: the wait is not over


class Lockout:
    """Failures and the moment (monotonic seconds) the next try is allowed."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        free_tries: int = FREE_TRIES,
        first_delay: float = FIRST_DELAY,
        max_delay: float = MAX_DELAY,
    ) -> None:
        self._clock = clock
        self.free_tries = free_tries
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.failures = 0
        self.allowed_at = 0.0

    def wait_left(self) -> float:
        """Seconds until the next try is allowed; 0 when it is."""
        return max(0.0, self.allowed_at - self._clock())

    def tries_left(self) -> int:
        """Wrong tries still free before the first wait (0 once waits have begun)."""
        return max(0, self.free_tries - self.failures)

    def next_delay(self) -> float:
        """The wait the next failure would bring (0 while tries are free)."""
        over = self.failures + 1 - self.free_tries  # 0 for the failure that uses the last try
        if over < 0:
            return 0.0
        return min(self.max_delay, self.first_delay * 2**over)

    def attempt(self, stored: str, pin: str) -> Attempt:
        """Check `pin` against the stored hash, unless a wait is running."""
        if self.wait_left() > 0:
            return Attempt.LOCKED
        if pin and verify(stored, pin):
            if self.failures:
                log.info("service PIN accepted after %d wrong tries", self.failures)
            self.failures = 0
            self.allowed_at = 0.0
            return Attempt.OPENED
        delay = self.next_delay()
        self.failures += 1
        if delay:
            self.allowed_at = self._clock() + delay
            # Never the PIN tried: only that it was wrong and for how long the pad is shut.
            log.warning(
                "service PIN: %d wrong tries, locked out for %d s", self.failures, round(delay)
            )
        else:
            log.info("service PIN: wrong try %d", self.failures)
        return Attempt.WRONG
