"""Figures tests measure but never assert (speed is for bench/): printed after the run.

Tests record each figure as they see it; the summary is made once, at the end, in the
process that prints the report. Under pytest-xdist that is the controller, which gets
every worker's figures when the worker finishes (tests/conftest.py), so a module split
across workers still yields one line.
"""

from __future__ import annotations

#: What was measured -> every (value in seconds, test name) seen, from every worker.
FIGURES: dict[str, list[tuple[float, str]]] = {}


def record(what: str, seconds: float, test: str) -> None:
    FIGURES.setdefault(what, []).append((seconds, test))


def merge(figures: dict[str, list[tuple[float, str]]]) -> None:
    """Add figures a worker process recorded."""
    for what, seen in figures.items():
        for seconds, test in seen:
            record(what, float(seconds), str(test))


def lines() -> list[str]:
    """One line per measured thing: the longest, then all of them, longest first."""
    out = []
    for what, seen in sorted(FIGURES.items()):
        seconds, test = max(seen)
        every = ", ".join(f"{s:.2f}" for s, _ in sorted(seen, reverse=True))
        out.append(f"{what}: longest {seconds:.2f} s ({test}); all {len(seen)}: {every} s")
    return out
