"""Switches the kiosk's pages through one method, running the screens' leave/enter hooks.

Pages are a `Page` (their text is what logs, metrics and the host API's `screen`
field say); one widget may serve several pages (the result screen is both
SUCCESS and ERROR). Which page may show when is the mode's business
(kiosk.payment.mode), not the navigator's, and no other module asks which page
shows to decide anything (tests/unit/test_pages.py checks the source for it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum

from PySide6.QtWidgets import QStackedWidget, QWidget

from kiosk.gui.kit.theme import Screen

log = logging.getLogger("kiosk.window")


class Page(StrEnum):
    """The kiosk's pages. A StrEnum: logs, metrics labels and the host API keep the text."""

    AMOUNT = "amount"
    QR = "qr"
    AWAITING = "awaiting"
    SUCCESS = "success"
    ERROR = "error"
    OUT_OF_SERVICE = "out_of_service"
    SERVICE = "service"


class Navigator:
    """The one way pages change; `on_change(old, new)` hears every change.

    A plain object, not a QObject: it lives exactly as long as the window that holds it.
    """

    def __init__(
        self,
        stack: QStackedWidget,
        pages: dict[Page, QWidget],
        first: Page,
        on_change: Callable[[Page, Page], None],
        later: Callable[[], None] | None = None,
    ) -> None:
        """`later()`, if given, adds the remaining pages (add()); it is called once, when a
        page not added yet is first asked for."""
        self._stack = stack
        self._on_change = on_change
        self._later = later
        self._pages: dict[Page, QWidget] = {}
        for name, page in pages.items():
            self.add(name, page)
        self.current = first
        self._stack.setCurrentWidget(self._pages[first])

    def add(self, name: Page, widget: QWidget) -> None:
        """A new page (one widget may serve several pages)."""
        self._pages[name] = widget
        if self._stack.indexOf(widget) < 0:
            self._stack.addWidget(widget)

    def page(self, name: Page) -> QWidget:
        if name not in self._pages and self._later is not None:
            later, self._later = self._later, None
            later()
        return self._pages[name]

    def replace(self, name: Page, widget: QWidget) -> None:
        """Put a new widget under `name` (service mode is built fresh each time)."""
        old = self._pages[name]
        self._stack.addWidget(widget)
        self._pages[name] = widget
        if old not in self._pages.values() and self._stack.indexOf(old) >= 0:
            self._stack.removeWidget(old)
            old.deleteLater()

    def move_to(self, name: Page) -> None:
        """Show page `name`: the old screen's on_leave, then the new one's on_enter."""
        try:
            entering = self.page(name)
        except KeyError:
            raise ValueError(f"unknown screen {name!r}") from None
        old = self.current
        if old == name:
            return
        leaving = self._pages[old]
        if isinstance(leaving, Screen):
            leaving.on_leave()
        if isinstance(entering, Screen):
            entering.on_enter()
        self.current = name
        self._stack.setCurrentWidget(entering)
        log.info("screen %s -> %s", old, name)
        self._on_change(old, name)
