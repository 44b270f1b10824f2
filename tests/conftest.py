"""Fixtures shared by every test folder, and the report of what the tests measured."""

from pathlib import Path
from typing import Any

import pytest
from helpers import report
from helpers.kiosk import fast_sandbox, start_kiosk
from helpers.sandbox import sandbox, sandbox_factory, sandbox_pki

from kiosk.journal.identity import STATE_DIR_ENV

__all__ = ["fast_sandbox", "sandbox", "sandbox_factory", "sandbox_pki", "start_kiosk"]


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
