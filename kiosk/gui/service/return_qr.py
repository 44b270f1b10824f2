"""The return QR on the operator's screen (scheme standard): the code, a countdown, and the
return/status reads at the bank's interval, with one last read at the deadline.

The rules are kiosk.refund.steps.ReturnWatch's; this widget only feeds it a
monotonic clock through a timer and the answers of reads made on the service
worker, one at a time.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

from kiosk.gui.kit.qrimage import QrView
from kiosk.gui.kit.widgets import Countdown, make_label
from kiosk.gui.service.parts import DeskSource, Runner
from kiosk.i18n import tr
from kiosk.kaspi.models import ReturnQr
from kiosk.refund.steps import ReturnVerdict, ReturnWatch

TICK_MS = 200


class ReturnQrPanel(QWidget):
    """Object names: return_qr, return_countdown.

    Signals:
        finished(object): the ReturnVerdict (IDENTIFIED, FAILED, EXPIRED or UNREADABLE).
    """

    finished = Signal(object)

    def __init__(
        self,
        run: Runner,
        desk: DeskSource,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._run = run
        self._desk = desk
        self._clock = clock
        self._watch: ReturnWatch | None = None
        self._total = 0.0
        self._generation = 0
        self.lang = "ru"
        self.hint = make_label("body", "return_hint")
        self.qr = QrView("return_qr")
        self.countdown = Countdown()
        self.countdown.time.setObjectName("return_countdown")
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        side = QWidget()
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.addStretch(1)
        column.addWidget(self.hint)
        column.addWidget(self.countdown)
        column.addStretch(1)
        # QR beside the words where the panel is wide, above them where it is tall.
        self._box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.addWidget(self.qr, 1)
        self._box.addWidget(side)

    def resizeEvent(self, event: QResizeEvent) -> None:
        wide = event.size().width() > event.size().height() * 1.3
        self._box.setDirection(
            QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        )
        super().resizeEvent(event)

    @property
    def watch(self) -> ReturnWatch | None:
        return self._watch

    def start(self, ret: ReturnQr) -> None:
        self._generation += 1
        self._watch = ReturnWatch(ret, self._clock())
        self._total = ret.scan_timeout
        self.qr.set_content(ret.qr_token)
        self._on_timer_timeout()
        self._timer.start()

    def stop(self) -> None:
        """Stop reading and forget reads on their way (the operator left, or it ended)."""
        self._generation += 1
        self._timer.stop()
        self._watch = None

    def _on_timer_timeout(self) -> None:
        watch = self._watch
        if watch is None:
            return
        now = self._clock()
        self.countdown.set_seconds_left(watch.seconds_left(now), self._total)
        if not watch.read_due(now):
            return
        desk = self._desk()
        if desk is None:
            return
        watch.on_read_sent(now)
        generation, return_id = self._generation, watch.return_id

        def done(status: str | None, error: BaseException | None) -> None:
            if generation != self._generation or self._watch is not watch:
                return
            verdict = watch.on_status(status if error is None else None, self._clock())
            if verdict is not ReturnVerdict.WAITING:
                self._finish(verdict)

        self._run(lambda: desk.return_status(return_id), done)

    def _finish(self, verdict: ReturnVerdict) -> None:
        self._timer.stop()
        self._watch = None
        if verdict is not ReturnVerdict.IDENTIFIED:
            # The token is dead: a scan now would fail on the customer's phone.
            self.qr.show_text(tr(f"op.return.{verdict.value}", self.lang))
        self.finished.emit(verdict)

    def retranslate(self, lang: str) -> None:
        self.lang = lang
        self.hint.setText(tr("svc.refund.scan_qr", lang))
        self.countdown.caption.setText(tr("svc.refund.time_left", lang))
