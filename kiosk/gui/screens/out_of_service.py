"""The kiosk cannot take payments: a calm notice for the customer and a code for the operator.

The customer never reads the operator's detail (an exception's text, a config
key, a path): only the notice, "retrying in 12 s" and a short code ("Код: BANK-0412",
kiosk.payment.problems) that the operator matches in the log and service mode. The
retry line counts down by itself from the moment it was given — a cosmetic
display timer; the retry itself belongs to the running kiosk.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.gui.kit import theme
from kiosk.gui.kit.widgets import StatusIcon, centre_column, make_label
from kiosk.i18n import Message, outage_code, tr, whole_seconds


class OutOfServiceScreen(theme.Screen):
    """ "Temporarily out of service", when the kiosk retries, and the cause's code.

    Signals:
        activity(): inherited; not watched on this screen.
    """

    def __init__(
        self, parent: QWidget | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(parent)
        self.setObjectName("out_of_service_screen")
        self._clock = clock
        self._problem: Message | None = None
        self._retry_at: float | None = None

        self.icon = StatusIcon("warning")
        self.headline = make_label("headline", "oos_title")
        self.subtitle = make_label("body", "oos_subtitle")
        self.reason = make_label("small", "oos_reason")
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.retry = make_label("hint", "oos_retry")

        self._root = QVBoxLayout(self)
        box = self._root
        box.addStretch(2)
        box.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addSpacing(48)
        box.addWidget(self.headline)
        box.addSpacing(16)
        box.addWidget(self.subtitle)
        box.addStretch(3)
        box.addWidget(self.retry)
        box.addSpacing(12)
        box.addWidget(self.reason)

        self._ticker = QTimer(self)
        self._ticker.setInterval(250)
        self._ticker.timeout.connect(self.refresh)

        self.on_scale_changed(self.scale)
        self.retranslate(self.lang)

    def show_outage(self, problem: Message | None, retry_in: float | None) -> None:
        """Why (an outage.* Message; only its code shows); `retry_in`: seconds to the next try."""
        self._problem = problem
        self._retry_at = None if retry_in is None else self._clock() + max(0.0, retry_in)
        self.refresh()

    def seconds_to_retry(self) -> int | None:
        if self._retry_at is None:
            return None
        return whole_seconds(self._retry_at - self._clock())

    def refresh(self) -> None:
        """Re-read the clock for the "retrying in" line."""
        lang = self.lang
        problem = self._problem
        code = outage_code(problem) if problem is not None else ""
        self.reason.setText(tr("oos.code", lang, code=code) if code else "")
        self.reason.setVisible(bool(code))
        recovering = problem is not None and problem.message_id == "outage.recovering"
        self.subtitle.setText(tr("oos.recovering" if recovering else "oos.subtitle", lang))
        left = self.seconds_to_retry()
        if left is None:
            self.retry.setText("")
        elif left > 0:
            self.retry.setText(tr("oos.retry_in", lang, n=left))
        else:
            self.retry.setText(tr("oos.retrying", lang))

    def retranslate(self, lang: str) -> None:
        super().retranslate(lang)
        self.headline.setText(tr("oos.title", lang))
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()
        self._ticker.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._ticker.stop()
        super().hideEvent(event)

    def on_scale_changed(self, scale: float) -> None:
        self.icon.set_diameter(round(200 * scale))

    def on_resized(self, width: int, height: int) -> None:
        centre_column(self._root, width, self.scale)
