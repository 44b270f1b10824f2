"""What time it is for the bank: the one place that answers it, for every part of the kiosk.

The kiosk's wall clock may be minutes or hours off (a wrong Windows time zone, a
dead RTC battery, a clock moved by hand), and it may jump while a sale runs. The
guide times each stage from the kiosk's own "now + timeout", so the stages run on
the monotonic clock from the moment the bank's answer arrived and never need
this. What does need the bank's time is reading the bank's own dates
(ExpireDate) and the deadlines journalled for recovery: both are compared with
the bank's "now", which is the kiosk's wall clock minus the skew learnt from the
`Date` header of the bank's answers (kiosk minus bank; positive when the kiosk
is ahead). Before the first answer with a `Date` the skew is taken as 0.

Journal times (created, updated) stay the kiosk's UTC wall clock: they say when
the kiosk did something. Only the deadlines it keeps for the bank are bank time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

log = logging.getLogger("kiosk.kaspi.clock")

#: A skew beyond this is logged (and shown): sales still work, but the operator should
#: look at the kiosk's clock and time zone. The `Date` header has whole seconds and the
#: answer takes its time to arrive, so a few seconds mean nothing.
SKEW_WARNING_SECONDS = 30.0


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP `Date` header as an aware UTC datetime; None when absent or unreadable."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


class BankClock:
    """The bank's time as this kiosk sees it; thread-safe (the client runs on workers)."""

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._lock = threading.Lock()
        self._skew: float | None = None
        self._warned = False

    @property
    def skew_seconds(self) -> float | None:
        """The kiosk's clock minus the bank's (positive: the kiosk is ahead); None: not known."""
        with self._lock:
            return self._skew

    def kiosk_now(self) -> datetime:
        return datetime.fromtimestamp(self._wall(), UTC)

    def now(self) -> datetime:
        """The bank's clock now (aware, UTC)."""
        return self.kiosk_now() - timedelta(seconds=self.skew_seconds or 0.0)

    def observe(self, date_header: str | None, received: float | None = None) -> float | None:
        """Learn the skew from an answer's `Date` header, read at `received` (kiosk epoch)."""
        bank = parse_http_date(date_header)
        if bank is None:
            return None
        kiosk = self._wall() if received is None else received
        # The header is truncated to the second: half a second is its expected error.
        skew = round(kiosk - bank.timestamp() - 0.5, 1)
        with self._lock:
            self._skew = skew
            warn = abs(skew) >= SKEW_WARNING_SECONDS
            first_warning = warn and not self._warned
            self._warned = warn
        if first_warning:
            log.warning(
                "the kiosk's clock is %+.0f s off the bank's (kiosk minus bank): sales are "
                "timed from the bank's answers and go on; check the clock and the time zone",
                skew,
            )
        return skew

    def to_bank(self, kiosk_time: datetime) -> datetime:
        """A moment of the kiosk's wall clock in the bank's time."""
        return kiosk_time - timedelta(seconds=self.skew_seconds or 0.0)

    def reset(self) -> None:
        with self._lock:
            self._skew = None
            self._warned = False


#: The kiosk's one bank clock: the client teaches it, the rest of the kiosk reads it.
BANK_CLOCK = BankClock()


#: ExpireDate may shorten the scan stage, never by more than this share of it: a token
#: said to die much sooner than the bank's own QrCodeScanWaitTimeout is a misread date
#: (a zone, a clock), and believing it would take the QR away before the customer could
#: scan it.
MAX_SHORTENING = 0.5


def expiry_within(
    expire_date: datetime | None, bank_date: datetime | None, scan_timeout: float
) -> float | None:
    """Seconds the token lives from the answer that carried it, when that shortens the stage.

    Bank-relative: ExpireDate minus the answer's own `Date` header (both the bank's
    clock), or minus the bank's time now when the answer had no `Date`. None when
    ExpireDate names no moment (missing, no offset), does not shorten the stage, or
    would shorten it by more than MAX_SHORTENING (logged).
    """
    if expire_date is None or expire_date.utcoffset() is None:
        return None
    reference = bank_date if bank_date is not None else BANK_CLOCK.now()
    lifetime = (expire_date - reference).total_seconds()
    if lifetime >= scan_timeout:
        return None
    if lifetime < scan_timeout * (1 - MAX_SHORTENING):
        log.warning(
            "ExpireDate %s is %.0f s after the bank's answer, much less than its scan timeout "
            "(%g s): not believed, the QR stays for the scan timeout",
            expire_date.isoformat(),
            lifetime,
            scan_timeout,
        )
        return None
    return lifetime
