"""Fixtures the journal's unit tests share: one hand-moved clock, one journal on it."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.journal import Clock

from kiosk.journal import Journal


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def journal(tmp_path: Path, clock: Clock) -> Iterator[Journal]:
    """A fresh journal in the test's folder, dated by `clock`."""
    with Journal.open(tmp_path, clock=clock) as j:
        yield j
