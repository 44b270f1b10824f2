"""Who may open service mode: the PIN check, the tries left and the lock-out. No Qt.

One `PinLock` lives as long as the kiosk (the shell owns it, the service screen
only asks it), so leaving service mode and opening it again does not reset the
tries or end a lock-out. Time is passed in as a monotonic clock, so a
60-second lock-out is tested in microseconds.
"""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

MAX_TRIES = 3
LOCKOUT_SECONDS = 60.0
MAX_PIN_DIGITS = 12


class PinVerdict(Enum):
    OPEN = "open"  # the right PIN: service mode opens
    WRONG = "wrong"  # a wrong PIN; tries are left
    LOCKED = "locked"  # locked out: this entry was not even compared


@dataclass(frozen=True)
class PinAnswer:
    verdict: PinVerdict
    tries_left: int  # before the next lock-out
    locked_for: float  # seconds until entries are compared again (0 when not locked)


class PinLock:
    """Checks service PINs; after `max_tries` wrong ones in a row, refuses all for a while."""

    def __init__(
        self,
        pin: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_tries: int = MAX_TRIES,
        lockout_seconds: float = LOCKOUT_SECONDS,
    ) -> None:
        self._pin = pin
        self._clock = clock
        self.max_tries = max_tries
        self.lockout_seconds = lockout_seconds
        self._failures = 0
        self._locked_until: float | None = None

    def set_pin(self, pin: str) -> None:
        """The configured PIN changed (config re-read); tries and lock-out carry on."""
        self._pin = pin

    @property
    def configured(self) -> bool:
        return bool(self._pin)

    @property
    def tries_left(self) -> int:
        return self.max_tries - self._failures

    def locked_for(self) -> float:
        """Seconds left of the lock-out; 0.0 when entries are compared."""
        if self._locked_until is None:
            return 0.0
        left = self._locked_until - self._clock()
        if left <= 0:
            self._locked_until = None
            return 0.0
        return left

    def locked_seconds_shown(self) -> int:
        """The lock-out as a countdown shows it: whole seconds, rounded up."""
        return math.ceil(self.locked_for())

    def is_locked(self) -> bool:
        return self.locked_for() > 0

    def check(self, entry: str) -> PinAnswer:
        if self.is_locked():
            return PinAnswer(PinVerdict.LOCKED, self.tries_left, self.locked_for())
        # An empty configured PIN matches nothing, not even an empty entry.
        if self._pin and entry and hmac.compare_digest(entry.encode(), self._pin.encode()):
            self._failures = 0
            return PinAnswer(PinVerdict.OPEN, self.tries_left, 0.0)
        self._failures += 1
        if self._failures >= self.max_tries:
            self._failures = 0
            self._locked_until = self._clock() + self.lockout_seconds
            return PinAnswer(PinVerdict.LOCKED, self.tries_left, self.lockout_seconds)
        return PinAnswer(PinVerdict.WRONG, self.tries_left, 0.0)
