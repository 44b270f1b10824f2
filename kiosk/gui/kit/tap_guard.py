"""Taps that land in the first moment after a page change are ignored: they were meant for
the page before.

A double tap on Pay used to cancel the sale it had just started: the second tap
(150-600 ms later) hit whatever now stood where Pay was. Moving Cancel away fixed
that one button; this fixes the class: every page change — the window's pages and
every stack of pages inside a screen (the QR appearing on the QR screen, the PIN
pad giving way to the tabs) — for every button and every screen to come. Only
presses are held back (a release without its press clicks nothing), and only on
the kiosk's own window; keys are never held back.

Digit entry is not guarded (`free`): a keypad's digits move no money, and an
operator who types the PIN the moment the pad appears must get every digit — a
guarded digit made a correct PIN a wrong try. What a stray digit can do is seen
on the screen and undone with backspace.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QInputEvent
from PySide6.QtWidgets import QStackedWidget, QWidget

log = logging.getLogger(__name__)

#: Until a config is loaded (kiosk.tap_guard_seconds, the same by default): longer than the
#: slowest double tap seen (600 ms), shorter than a deliberate next tap.
GUARD_SECONDS = 0.7
#: The dynamic property that marks a widget whose presses are never held back.
FREE = "tap_guard_free"
#: An application-wide filter sees every event (paints, timers, layouts); PySide hands each
#: one over as its own class, so `isinstance(event, QInputEvent)` (0.4 us) sorts them before
#: `event.type()`, which builds a Python enum each call (2.8 us; 2.4 million calls in one run
#: of the layout tests). The kiosk's other application filters test the class first too.
_PRESSES = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.TouchBegin,
    }
)


def free(widget: QWidget) -> None:
    """Never hold back presses on `widget` (a keypad's digit)."""
    widget.setProperty(FREE, True)


class TapGuard(QObject):
    """An application event filter: `arm()` on every page change of `window`."""

    def __init__(
        self,
        window: QWidget,
        seconds: float = GUARD_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(window)
        self._window = window
        self.seconds = seconds
        self.clock = clock
        self._until = float("-inf")

    def watch(self, widget: QWidget) -> None:
        """Arm on every page change of every stack of pages in `widget` (and `widget` itself)."""
        stacks = widget.findChildren(QStackedWidget)
        if isinstance(widget, QStackedWidget):
            stacks.append(widget)
        for stack in stacks:
            stack.currentChanged.connect(self.arm)

    def arm(self, *_changed: object) -> None:
        self._until = self.clock() + self.seconds

    def is_armed(self) -> bool:
        return self.clock() < self._until

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            isinstance(event, QInputEvent)  # see _PRESSES
            and event.type() in _PRESSES
            and isinstance(watched, QWidget)
            and watched.window() is self._window
            and not watched.property(FREE)
            and self.is_armed()
        ):
            log.info("tap ignored: %s just after a page change", watched.objectName() or "widget")
            return True
        return False
