"""What the kiosk is doing now, and whether it may start a sale: one owner, no Qt.

    STARTING ──ready──> IDLE ──sale_started──> SELLING ──sale_ended──> IDLE
        │                 │                                             │
        └─out_of_service──┴──> OUT_OF_SERVICE(reason) ──ready──> IDLE <─┘
    any but SELLING ──enter_service──> SERVICE ──leave_service──> STARTING

Only IDLE sells (the amount screen, or a result screen counting down). The
screens follow the mode; they never decide it. A problem found while the
operator is in service mode is remembered and shown when service mode ends,
which always re-runs the start-up chain.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum

from kiosk.sale import Busy, OutOfService, SaleRefused

log = logging.getLogger("kiosk.mode")


class Mode(StrEnum):
    STARTING = "starting"  # the start-up chain runs: config, journal, certificate, recovery
    OUT_OF_SERVICE = "out_of_service"  # a link of the chain broke; `reason` says which
    IDLE = "idle"  # ready: a sale may start
    SELLING = "selling"  # a sale is on the screen
    SERVICE = "service"  # the operator is in service mode


class ModeError(Exception):
    """A transition the rules above do not allow: a bug in the caller."""


class KioskMode:
    """The one owner of the kiosk's mode; `listener(old, new)` hears every change."""

    def __init__(self, listener: Callable[[Mode, Mode], None] | None = None) -> None:
        self._mode = Mode.STARTING
        self.reason: str | None = "starting"
        self.sale_id: int | None = None
        self._listener = listener

    @property
    def mode(self) -> Mode:
        return self._mode

    @property
    def can_sell(self) -> bool:
        return self._mode is Mode.IDLE

    def refusal(self) -> SaleRefused | None:
        """Why a sale cannot start now (None when it can), as the error to raise."""
        if self._mode is Mode.IDLE:
            return None
        if self._mode is Mode.SELLING:
            return Busy("another sale is running", self.sale_id)
        if self._mode is Mode.SERVICE:
            return Busy("the kiosk is in service mode")
        what = self._mode.value.replace("_", " ")
        return OutOfService(f"the kiosk is {what}: {self.reason or 'not ready'}")

    # --- transitions -------------------------------------------------------------------------

    def start(self, reason: str = "starting") -> None:
        """The start-up chain runs (again); a running sale is abandoned to recovery."""
        self.sale_id = None
        self._set(Mode.STARTING, reason)

    def out_of_service(self, reason: str) -> None:
        """A link broke. In service mode it is only remembered, for when the operator leaves."""
        if self._mode is Mode.SERVICE:
            self.reason = reason
            return
        self.sale_id = None
        self._set(Mode.OUT_OF_SERVICE, reason)

    def ready(self) -> None:
        """Everything checked: sales may start."""
        if self._mode in (Mode.SELLING, Mode.SERVICE):
            raise ModeError(f"ready while {self._mode.value}")
        self._set(Mode.IDLE, None)

    def sale_started(self, sale_id: int) -> None:
        refused = self.refusal()
        if refused is not None:
            raise refused
        self.sale_id = sale_id
        self._set(Mode.SELLING, None)

    def sale_ended(self) -> None:
        """The sale on the screen ended; the result screen may take the next sale."""
        if self._mode is not Mode.SELLING:
            raise ModeError(f"sale ended while {self._mode.value}")
        self.sale_id = None
        self._set(Mode.IDLE, None)

    def enter_service(self) -> None:
        if self._mode is Mode.SELLING:
            raise ModeError("service mode while a sale runs")
        self._set(Mode.SERVICE, self.reason)

    def leave_service(self) -> None:
        """Back from service mode: the start-up chain decides what comes next."""
        if self._mode is not Mode.SERVICE:
            raise ModeError(f"leave service while {self._mode.value}")
        self._set(Mode.STARTING, self.reason or "starting")

    def _set(self, mode: Mode, reason: str | None) -> None:
        old = self._mode
        self._mode = mode
        self.reason = reason
        if old is not mode:
            log.info("mode %s -> %s%s", old.value, mode.value, f" ({reason})" if reason else "")
            if self._listener is not None:
                self._listener(old, mode)
