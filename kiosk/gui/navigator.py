"""Switches the kiosk's pages through one method, running the screens' leave/enter hooks.

Pages are named (tests, logs and the host API's `screen` field read the name);
one widget may serve several names (the result screen is both "success" and
"error"). Which page may show when is the mode's business (kiosk.mode), not
the navigator's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtWidgets import QStackedWidget, QWidget

from kiosk.gui.theme import Screen

log = logging.getLogger("kiosk.window")


class Navigator:
    """The one way pages change; `on_change(old, new)` hears every change.

    A plain object, not a QObject: it lives exactly as long as the window that holds it.
    """

    def __init__(
        self,
        stack: QStackedWidget,
        pages: dict[str, QWidget],
        first: str,
        on_change: Callable[[str, str], None],
    ) -> None:
        self._stack = stack
        self._on_change = on_change
        self._pages = dict(pages)
        for page in dict.fromkeys(self._pages.values()):
            self._stack.addWidget(page)
        self.current = first
        self._stack.setCurrentWidget(self._pages[first])

    def page(self, name: str) -> QWidget:
        return self._pages[name]

    def replace(self, name: str, widget: QWidget) -> None:
        """Put a new widget under `name` (service mode is built fresh each time)."""
        old = self._pages[name]
        self._stack.addWidget(widget)
        self._pages[name] = widget
        if old not in self._pages.values() and self._stack.indexOf(old) >= 0:
            self._stack.removeWidget(old)
            old.deleteLater()

    def move_to(self, name: str) -> None:
        """Show page `name`: the old screen's on_leave, then the new one's on_enter."""
        if name not in self._pages:
            raise ValueError(f"unknown screen {name!r}")
        old = self.current
        if old == name:
            return
        leaving, entering = self._pages[old], self._pages[name]
        if isinstance(leaving, Screen):
            leaving.on_leave()
        if isinstance(entering, Screen):
            entering.on_enter()
        self.current = name
        self._stack.setCurrentWidget(entering)
        log.info("screen %s -> %s", old, name)
        self._on_change(old, name)
