"""Parse every date shape the guide prints and production sends (docs/kaspi/api.md §3.3).

`datetime.fromisoformat` rejects the guide's one-digit day (`2021-11-3`) and
seven fractional digits, so the shapes are matched here by hand:

    2020-08-09T18:31:42+06           offset without minutes (also one digit: +6)
    2021-11-3T11:55:14.166+06:00     one-digit day, milliseconds
    2021-12-08T11:35:48.1566667      seven fractional digits, no offset
    2025-10-22T17:10:50.717+05:00    production today (Kazakhstan is UTC+5 since 2024)

A date without an offset is returned naive: the guide does not say which zone
it is in, and guessing one would be worse than saying we do not know.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_SHAPE = re.compile(
    r"""^\s*
    (?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})
    [T\ ]
    (?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<frac>\d+))?)?
    (?P<tz>Z|[+-]\d{1,2}(?::\d{2}|\d{2})?)?
    \s*$""",
    re.VERBOSE,
)


def parse_datetime(text: str) -> datetime:
    """A datetime from any of the shapes above; ValueError names the text otherwise."""
    match = _SHAPE.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"not a date the Kaspi API uses: {text!r}")
    frac = (match["frac"] or "0")[:6].ljust(6, "0")
    try:
        value = datetime(
            int(match["y"]),
            int(match["mo"]),
            int(match["d"]),
            int(match["h"]),
            int(match["mi"]),
            int(match["s"] or 0),
            int(frac),
        )
    except ValueError as exc:
        raise ValueError(f"not a valid date: {text!r} ({exc})") from None
    tz = match["tz"]
    if tz is None:
        return value
    if tz == "Z":
        return value.replace(tzinfo=UTC)
    sign = -1 if tz[0] == "-" else 1
    # `+6`, `+06`, `+0600` and `+06:00` all occur (the guide writes the offset as `±h`).
    body = tz[1:]
    if ":" in body:
        hour_text, minute_text = body.split(":")
    elif len(body) > 2:
        hour_text, minute_text = body[:-2], body[-2:]
    else:
        hour_text, minute_text = body, "0"
    hours, minutes = int(hour_text), int(minute_text)
    if hours > 14 or minutes > 59:
        raise ValueError(f"not a valid UTC offset: {text!r}")
    offset = timedelta(hours=hours, minutes=minutes) * sign
    return value.replace(tzinfo=timezone(offset))
