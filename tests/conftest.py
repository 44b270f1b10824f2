"""Fixtures shared by every test folder, what counts as slow, and the report of what the
tests measured (gathered from every pytest-xdist worker)."""

from pathlib import Path
from typing import Any

import pytest
from helpers import report
from helpers.kiosk import fast_sandbox, start_kiosk
from helpers.sandbox import sandbox, sandbox_factory, sandbox_pki

from kiosk import i18n
from kiosk.journal.identity import STATE_DIR_ENV

# A text id missing from the catalogue is a bug: fail the test that shows it.
i18n.set_strict(True)

__all__ = ["fast_sandbox", "sandbox", "sandbox_factory", "sandbox_pki", "start_kiosk"]


#: Fixtures that make a test slow wherever it is: `start_kiosk` runs a whole kiosk against
#: a sandbox, and its sales wait out real poll intervals and deadlines (seconds each).
SLOW_FIXTURES = frozenset({"start_kiosk"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `slow` every test that uses a SLOW_FIXTURES fixture (`run.py test --quick`
    leaves them out), so a new kiosk test is marked without anyone remembering to."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_WorkerFigures(), "kiosk-worker-figures")


class _WorkerFigures:
    """Under pytest-xdist each worker is its own process: it hands what its tests measured
    to the controller as it finishes, and the controller prints it with the rest."""

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        workeroutput = getattr(session.config, "workeroutput", None)
        if workeroutput is not None:  # a worker
            workeroutput["report_figures"] = report.FIGURES

    def pytest_testnodedown(self, node: Any, error: object) -> None:
        report.merge(getattr(node, "workeroutput", {}).get("report_figures", {}))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print what the tests measured (helpers.report), e.g. crash-recovery times."""
    for line in report.lines():
        terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _own_state_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test (and each process it starts) keeps journal identities in its own folder."""
    folder = tmp_path_factory.mktemp("state")
    monkeypatch.setenv(STATE_DIR_ENV, str(folder))
    return folder
