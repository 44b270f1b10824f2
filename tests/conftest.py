"""Fixtures shared by every test folder, and the report of what the tests measured."""

from pathlib import Path
from typing import Any

import pytest
from helpers import report
from helpers.disk import small_disk
from helpers.kiosk import fast_sandbox, start_kiosk
from helpers.sandbox import sandbox, sandbox_factory, sandbox_pki

from kiosk import i18n
from kiosk.journal.identity import STATE_DIR_ENV

# A text id missing from the catalogue is a bug: fail the test that shows it.
i18n.set_strict(True)

__all__ = [
    "fast_sandbox",
    "sandbox",
    "sandbox_factory",
    "sandbox_pki",
    "small_disk",
    "start_kiosk",
]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print what the tests measured (helpers.report.LINES), e.g. crash-recovery times."""
    for line in report.LINES:
        terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _own_state_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test (and each process it starts) keeps journal identities in its own folder."""
    folder = tmp_path_factory.mktemp("state")
    monkeypatch.setenv(STATE_DIR_ENV, str(folder))
    return folder
