"""Figures tests measure but never assert (speed is for bench/): printed after the run."""

from __future__ import annotations

#: Lines for the end of the test report (tests/conftest.py prints them).
LINES: list[str] = []
