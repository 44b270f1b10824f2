"""Notices the journal file deleted or replaced under the running kiosk.

An open SQLite file that is unlinked or renamed keeps working unseen: sales would
be written into a file nobody reads. The journal compares its file's identity
before every write; this guard asks the same at each health check and each
`/v1/health`, so an idle kiosk goes out of service too, with the reason. It asks
the disk's free space as well: a full disk is reported before a sale is tried.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

from kiosk.journal import JournalError
from kiosk.platform import logs

if TYPE_CHECKING:
    from kiosk.gui.sale.controller import SaleController
    from kiosk.journal import Journal

log = logging.getLogger(__name__)


class GuardedKiosk(Protocol):
    """What the guard reads of the running kiosk (kiosk.gui.shell.kiosk.KioskShell)."""

    @property
    def journal(self) -> Journal | None: ...
    @property
    def controller(self) -> SaleController | None: ...
    def back_to_start(self) -> None: ...
    def boot(self) -> None: ...


class JournalGuard:
    def __init__(self, kiosk: GuardedKiosk) -> None:
        self._kiosk = kiosk

    def trouble(self) -> str | None:
        """Why the journal takes no write now (lost, full disk), or None.

        A write that failed during the sale (the disk filled) is not the last word: with
        the file the same and room again, a probe that writes decides (the problem clears).
        """
        journal, controller = self._kiosk.journal, self._kiosk.controller
        if journal is None:
            return controller.journal_problem if controller is not None else None
        if controller is not None and controller.journal_problem:
            if journal.file_problem() or journal.space_problem():
                return controller.journal_problem
            try:
                journal.check_writable()
            except JournalError as exc:
                return str(exc)
            controller.journal_problem = None
        return journal.space_problem()

    def on_health_checked(self, *_health: object) -> None:
        """At each health check: the journal lost (check), or a full disk that has room again,
        when the kiosk starts again at once rather than at the next retry of its start-up."""
        self.check()
        journal, controller = self._kiosk.journal, self._kiosk.controller
        if journal is None or controller is None:
            return
        if not controller.journal_problem:
            note_lost_lines(journal)
            return
        if controller.current is not None or journal.file_problem() or journal.space_problem():
            return
        try:
            journal.check_writable()
        except JournalError:
            return
        log.warning("the journal can be written again: starting again")
        self._kiosk.boot()

    def check(self, *_health: object) -> None:
        """Out of service if the journal file is gone or another, or its disk is full (also a
        health.checked slot): a full disk is seen before a sale is tried, and said on /v1/health."""
        journal, controller = self._kiosk.journal, self._kiosk.controller
        problem = (journal.file_problem() or journal.space_problem()) if journal else None
        if problem is None or controller is None or controller.journal_problem:
            return
        controller.journal_problem = problem  # no sale is written to it any more
        log.critical("%s", problem)
        if controller.current is None:
            # Out of service; start-up is retried, and it refuses the file until accepted.
            self._kiosk.back_to_start()


def note_lost_lines(journal: Journal) -> None:
    """The critical lines kiosk.log could not take (a full disk), as notes of their sales.

    Called when the journal can be written; a line that names no sale stays on stderr only.
    """
    for sale_id, text in logs.lost.take():
        if sale_id is None:
            continue
        try:
            journal.add_note(sale_id, f"not in kiosk.log (it could not be written): {text}")
        except (JournalError, LookupError, ValueError) as exc:
            log.error("sale %s: a lost log line not noted either: %s", sale_id, exc)
