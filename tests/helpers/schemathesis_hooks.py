"""Schemathesis hooks for the suite's bounded run against a real kiosk (SCHEMATHESIS_HOOKS).

A long-poll on a sale that no longer changes waits its whole `wait` (up to 60 s): the
suite's two-minute run would spend itself on a few of them. Valid waits are shortened
to at most WAIT_CAP seconds (still valid data); invalid ones are sent as drawn. The
60-second wait itself is the unit tests' and the coverage phase's.
"""

from __future__ import annotations

import schemathesis

WAIT_CAP = 2.0


@schemathesis.hook
def map_query(
    _context: schemathesis.HookContext, query: dict[str, object] | None
) -> dict[str, object] | None:
    if not query:
        return query
    wait = query.get("wait")
    if isinstance(wait, int | float) and not isinstance(wait, bool) and WAIT_CAP < wait <= 60:
        return {**query, "wait": WAIT_CAP}
    return query
