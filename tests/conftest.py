"""Fixtures shared by every test folder, and the report of what the tests measured."""

from typing import Any

from helpers import report
from helpers.kiosk import fast_sandbox, start_kiosk
from helpers.sandbox import sandbox, sandbox_factory, sandbox_pki

__all__ = ["fast_sandbox", "sandbox", "sandbox_factory", "sandbox_pki", "start_kiosk"]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print what the tests measured (helpers.report.LINES), e.g. crash-recovery times."""
    for line in report.LINES:
        terminalreporter.write_line(line)
