"""The date shapes the sandbox bank writes: the guide's and production's, docs/kaspi/api.md §3.3."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

KZ = timezone(timedelta(hours=5))  # Kazakhstan is one UTC+5 zone since 2024
_GUIDE_ZONE = timezone(timedelta(hours=6))  # as in the guide's examples (docs/kaspi/api.md §10.7)


def format_date(epoch: float, style: str) -> str:
    """`epoch` in one of the date shapes of docs/kaspi/api.md §3.3."""
    # Microseconds are all a float epoch holds exactly; the seventh digit is .NET's padding.
    seconds, micros = divmod(round(epoch * 1_000_000), 1_000_000)
    millis = micros // 1000
    if style == "guide-short-offset":
        t = datetime.fromtimestamp(seconds, _GUIDE_ZONE)
        return f"{t:%Y-%m-%dT%H:%M:%S}+06"
    if style == "guide-one-digit-day":
        t = datetime.fromtimestamp(seconds, _GUIDE_ZONE)
        return f"{t.year:04d}-{t.month:02d}-{t.day}T{t:%H:%M:%S}.{millis:03d}+06:00"
    if style == "seven-digit-no-offset":
        t = datetime.fromtimestamp(seconds, KZ)
        return f"{t:%Y-%m-%dT%H:%M:%S}.{micros:06d}0"
    t = datetime.fromtimestamp(seconds, KZ)
    return f"{t:%Y-%m-%dT%H:%M:%S}.{millis:03d}+05:00"
