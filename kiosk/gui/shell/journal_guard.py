"""Notices the journal file deleted or replaced under the running kiosk.

An open SQLite file that is unlinked or renamed keeps working unseen: sales would
be written into a file nobody reads. The journal compares its file's identity
before every write; this guard asks the same at each health check and each
`/v1/health`, so an idle kiosk goes out of service too, with the reason.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kiosk.gui.sale.controller import SaleController
    from kiosk.journal import Journal

log = logging.getLogger("kiosk.shell")


class GuardedKiosk(Protocol):
    """What the guard reads of the running kiosk (kiosk.gui.shell.kiosk.KioskShell)."""

    @property
    def journal(self) -> Journal | None: ...
    @property
    def controller(self) -> SaleController | None: ...
    def back_to_start(self) -> None: ...


class JournalGuard:
    def __init__(self, kiosk: GuardedKiosk) -> None:
        self._kiosk = kiosk

    def check(self, *_health: object) -> None:
        """Out of service if the journal file is gone or another (also a health.checked slot)."""
        journal, controller = self._kiosk.journal, self._kiosk.controller
        problem = journal.file_problem() if journal is not None else None
        if problem is None or controller is None or controller.journal_problem:
            return
        controller.journal_problem = problem  # no sale is written to it any more
        log.critical("%s", problem)
        if controller.current is None:
            # Out of service; start-up is retried, and it refuses the file until accepted.
            self._kiosk.back_to_start()
