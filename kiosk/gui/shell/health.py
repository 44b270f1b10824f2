"""Is the bank reachable? Pings health/ping on its own worker while the kiosk waits.

Its own thread, so a ping stuck for the read timeout never delays a customer's
QR or a status read.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.gui.kit.worker import Worker

if TYPE_CHECKING:
    from kiosk.operator.certificate import CertificateCheck

log = logging.getLogger("kiosk.health")


class HealthMonitor(QObject):
    """Pings every `interval` seconds while healthy, every `retry_interval` while not.

    Signals:
        checked(bool, str): reachable, and the reason when not (one operator line).
    """

    checked = Signal(bool, str)

    def __init__(
        self,
        ping: Callable[[], None],
        interval: float,
        retry_interval: float = 10.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ping = ping
        self._interval = interval
        self._retry_interval = min(retry_interval, interval)
        self._worker = Worker("kiosk-health", self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.check_now)
        self._in_flight = False
        self._paused = False
        self.reachable: bool | None = None
        self.last_check: datetime | None = None
        self.last_error: str | None = None
        self.latency_ms: float | None = None  # of the last ping that answered
        # The client certificate as last judged (kiosk.gui.shell.startup.CertificateWatch keeps it).
        self.certificate: CertificateCheck | None = None
        self._sent_at = 0.0

    def check_now(self) -> None:
        if self._in_flight:
            return
        self._in_flight = True
        self._timer.stop()
        self._sent_at = time.monotonic()
        self._worker.submit(self._ping, self._on_ping_done)

    def pause(self, paused: bool) -> None:
        """No pings while a sale runs: its own status reads tell how the bank is."""
        self._paused = paused
        if paused:
            self._timer.stop()
        elif not self._in_flight:
            self._arm()

    def _on_ping_done(self, _result: None, error: BaseException | None) -> None:
        self._in_flight = False
        self.last_check = datetime.now(UTC)
        was = self.reachable
        self.reachable = error is None
        if error is None:
            self.latency_ms = (time.monotonic() - self._sent_at) * 1000
        self.last_error = None if error is None else str(error)
        if was != self.reachable:
            if error is None:
                log.info("bank reachable")
            else:
                log.warning("bank not reachable: %s", error)
        self.checked.emit(self.reachable, self.last_error or "")
        self._arm()

    def _arm(self) -> None:
        if self._paused:
            return
        wait = self._interval if self.reachable else self._retry_interval
        self._timer.start(int(wait * 1000))

    def stop(self) -> None:
        self._timer.stop()
        self._worker.close(wait=False)
