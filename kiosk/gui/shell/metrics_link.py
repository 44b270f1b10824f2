"""What the running kiosk tells its Prometheus metrics, in one place.

The metrics themselves (kiosk.metrics) know nothing of Qt. This link feeds them
from the two owners of the kiosk's state, never from ad-hoc calls: the page on
the screen from the navigator (the window's state_changed, emitted by its one
page-switch method), and why the kiosk does not sell from the mode owner
(kiosk.payment.mode's listener, with its OutOfServiceReason). The start-up chain tells
it the config, the certificate, and hands its request hook to the bank clients.

The metrics are built, and prometheus_client imported, only once a config turns
them on: a kiosk without metrics (the default) pays nothing for them at start-up
nor on any request. Until then the link keeps the latest state to hand over.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.config import Config
from kiosk.gui.screens.navigator import Page
from kiosk.gui.screens.window import SCREENS, KioskWindow
from kiosk.payment.mode import Mode, OutOfServiceReason

if TYPE_CHECKING:
    from kiosk.kaspi.client import RequestHook
    from kiosk.metrics import KioskMetrics
    from kiosk.metrics.server import MetricsServer


class MetricsLink:
    """The kiosk's metrics, fed from the window's navigator and the mode owner."""

    def __init__(self, window: KioskWindow) -> None:
        self.recorder: KioskMetrics | None = None
        self._screen = window.screen_name
        self._mode = Mode.STARTING
        self._cause: OutOfServiceReason | None = OutOfServiceReason.STARTING
        self._not_after: datetime | None = None
        self._register: Callable[[], bool | None] | None = None
        window.state_changed.connect(self._on_screen_changed)

    @property
    def on_request(self) -> RequestHook | None:
        """The Kaspi clients' hook (once per HTTP request), or None while metrics are off."""
        return self.recorder.on_request if self.recorder is not None else None

    @property
    def server(self) -> MetricsServer | None:
        """The running exporter (its port, its URL), if any."""
        return self.recorder.server if self.recorder is not None else None

    def mode_changed(self, _old: Mode, new: Mode, cause: OutOfServiceReason | None) -> None:
        """kiosk.payment.mode.KioskMode's listener."""
        self._mode, self._cause = new, cause
        if self.recorder is not None:
            self.recorder.mode_changed(new, cause)

    def _on_screen_changed(self, _old: Page, new: Page) -> None:
        self._screen = new
        if self.recorder is not None:
            self.recorder.screen_changed(new)

    def apply(self, config: Config) -> None:
        """Each start-up, right after the config loaded: labels, journal, exporter on or off."""
        if self.recorder is None:
            if not config.metrics.enabled:
                return
            from kiosk.metrics import KioskMetrics

            self.recorder = KioskMetrics(SCREENS, self._screen)
            self.recorder.mode_changed(self._mode, self._cause)
            self.recorder.certificate_expires(self._not_after)
            self.recorder.watch_register(self._register)
        self.recorder.apply(config)

    def certificate_expires(self, not_after: datetime | None) -> None:
        self._not_after = not_after
        if self.recorder is not None:
            self.recorder.certificate_expires(not_after)

    def watch_register(self, reachable: Callable[[], bool | None] | None) -> None:
        """The fiscal register's reachability (kiosk.gui.shell.fiscal_link); None: off."""
        self._register = reachable
        if self.recorder is not None:
            self.recorder.watch_register(reachable)

    def close(self) -> None:
        """The kiosk exits: the exporter stops (a second call does nothing)."""
        if self.recorder is not None:
            self.recorder.close()
