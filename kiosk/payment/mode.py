"""What the kiosk is doing now, and whether it may start a sale: one owner, no Qt.

    STARTING ──ready──> IDLE ──sale_started──> SELLING ──sale_ended──> IDLE
        │                 │                                             │
        └─out_of_service──┴──> OUT_OF_SERVICE(reason) ──ready──> IDLE <─┘
    any but SELLING ──enter_service──> SERVICE ──leave_service──> STARTING

Only IDLE sells (the amount screen, or a result screen counting down). The
screens follow the mode; they never decide it. A problem found while the
operator is in service mode is remembered and shown when service mode ends,
which always re-runs the start-up chain.

IDLE has two places for the customer (`Idle`): WAITING on the start page, with
nobody's sale on the screen, and RESULT while a sale's result counts down. Both
sell (the host or the vending machine may start the next sale at once), but only
WAITING may be interrupted: a part found away (the bank, the MDB adapter) takes
the kiosk out of service there at once, while a customer's result is read to its
end first; and the idle re-check of earlier sales runs only there.

Why the kiosk does not sell is told twice: `reason` in words for the screen
and the host API, `cause` as one of OutOfServiceReason for machines (the
Prometheus metric kiosk_out_of_service{reason} is exactly this vocabulary).

A part the kiosk sells through may be away for a while (the vending machine's
MDB adapter unplugged): its owner puts a hold on the mode with the reason. A
hold refuses new sales at once, leaves a running sale (and its result screen)
alone, and keeps `ready()` out of service until the owner releases it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum

from kiosk.payment.sale import Busy, OutOfService, SaleRefused

log = logging.getLogger("kiosk.payment.mode")


class Mode(StrEnum):
    STARTING = "starting"  # the start-up chain runs: config, journal, certificate, recovery
    OUT_OF_SERVICE = "out_of_service"  # a link of the chain broke; `reason` says which
    IDLE = "idle"  # ready: a sale may start
    SELLING = "selling"  # a sale is on the screen
    SERVICE = "service"  # the operator is in service mode


class OutOfServiceReason(StrEnum):
    """Why the kiosk is not selling, as a fixed vocabulary (a metric's label, alert rules)."""

    STARTING = "starting"  # the start-up chain has not finished yet
    CONFIG = "config"  # the config file, the certificate or the key cannot be used
    JOURNAL = "journal"  # the journal cannot be opened or written
    REGISTRATION = "registration"  # registering the device with the bank
    RECOVERY = "recovery"  # settling interrupted sales with the bank before selling
    BANK = "bank"  # the bank does not answer the health ping
    ADAPTER = "adapter"  # the vending machine's MDB adapter is not connected


class Idle(StrEnum):
    """Where the customer is while the kiosk is IDLE (it sells in both)."""

    WAITING = "waiting"  # the start page: nobody's sale or result on the screen
    RESULT = "result"  # a sale's result (or a vend's outcome) counts down to the start page


#: Hears every change of the mode or of its cause: (old mode, new mode, new cause).
Listener = Callable[["Mode", "Mode", OutOfServiceReason | None], None]

#: The hold while the vending machine's MDB adapter is away (the operator reads it).
ADAPTER_AWAY = "the vending machine's MDB adapter is not connected"


class ModeError(Exception):
    """A transition the rules above do not allow: a bug in the caller."""


class KioskMode:
    """The one owner of the kiosk's mode; `listener(old, new, cause)` hears every change."""

    def __init__(self, listener: Listener | None = None) -> None:
        self._mode = Mode.STARTING
        self.reason: str | None = "starting"
        #: `reason`'s kind; None while the kiosk can sell or sells (kept in service mode).
        self.cause: OutOfServiceReason | None = OutOfServiceReason.STARTING
        self.sale_id: int | None = None
        self._listener = listener
        self._holds: list[str] = []
        self._idle: Idle | None = None  # set while IDLE only

    @property
    def mode(self) -> Mode:
        return self._mode

    @property
    def can_sell(self) -> bool:
        return self._mode is Mode.IDLE and not self._holds

    @property
    def idle(self) -> Idle | None:
        """Where an IDLE kiosk's customer is (None in every other mode)."""
        return self._idle

    @property
    def waiting(self) -> bool:
        """IDLE on the start page: nobody's sale or result on the screen.

        Only here may a part found away stop the kiosk at once, and the idle re-check run.
        """
        return self._mode is Mode.IDLE and self._idle is Idle.WAITING

    @property
    def interruptible(self) -> bool:
        """A part found away (the bank) stops the kiosk now (True), or only once the
        customer's sale and result are over (False; service mode keeps it for later)."""
        return self._mode in (Mode.STARTING, Mode.OUT_OF_SERVICE) or self.waiting

    @property
    def held(self) -> str | None:
        """The first hold's reason (None when nothing holds the kiosk)."""
        return self._holds[0] if self._holds else None

    def refusal(self) -> SaleRefused | None:
        """Why a sale cannot start now (None when it can), as the error to raise."""
        if self._mode is Mode.IDLE:
            if self._holds:  # a part is away; the result screen may still count down
                return OutOfService(f"the kiosk is out of service: {self._holds[0]}")
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
        self._set(Mode.STARTING, reason, OutOfServiceReason.STARTING)

    def out_of_service(self, reason: str, cause: OutOfServiceReason) -> None:
        """A link broke. In service mode it is only remembered, for when the operator leaves."""
        if self._mode is Mode.SERVICE:
            self.reason, self.cause = reason, cause
            return
        self.sale_id = None
        self._set(Mode.OUT_OF_SERVICE, reason, cause)

    def ready(self) -> bool:
        """Everything checked: sales may start (True); False: out of service, a hold says why."""
        if self._mode in (Mode.SELLING, Mode.SERVICE):
            raise ModeError(f"ready while {self._mode.value}")
        if self._holds:
            self._set(Mode.OUT_OF_SERVICE, self._holds[0], OutOfServiceReason.ADAPTER)
            return False
        self._set(Mode.IDLE, None, None, Idle.WAITING)
        return True

    def hold(self, reason: str) -> None:
        """A part the kiosk sells through is away: no new sale until `release(reason)`."""
        if reason not in self._holds:
            self._holds.append(reason)
            log.warning("mode held: %s", reason)

    def release(self, reason: str) -> bool:
        """The part is back. True when the kiosk was out of service for this hold only."""
        if reason not in self._holds:
            return False
        self._holds.remove(reason)
        log.info("mode hold released: %s", reason)
        return self._mode is Mode.OUT_OF_SERVICE and self.reason == reason

    def sale_started(self, sale_id: int) -> None:
        refused = self.refusal()
        if refused is not None:
            raise refused
        self.sale_id = sale_id
        self._set(Mode.SELLING, None, None)

    def sale_ended(self) -> None:
        """The sale on the screen ended; the result screen may take the next sale."""
        if self._mode is not Mode.SELLING:
            raise ModeError(f"sale ended while {self._mode.value}")
        self.sale_id = None
        self._set(Mode.IDLE, None, None, Idle.RESULT)

    def result_shown(self) -> None:
        """A result page came up while no sale ended (a vend's outcome after its sale):
        an IDLE kiosk waits for it as for a sale's result. Nothing in any other mode."""
        if self._mode is Mode.IDLE:
            self._idle = Idle.RESULT

    def enter_service(self) -> None:
        if self._mode is Mode.SELLING:
            raise ModeError("service mode while a sale runs")
        self._set(Mode.SERVICE, self.reason, self.cause)

    def leave_service(self) -> None:
        """Back from service mode: the start-up chain decides what comes next."""
        if self._mode is not Mode.SERVICE:
            raise ModeError(f"leave service while {self._mode.value}")
        # A problem found in service mode stays, until the start-up chain looks again.
        self._set(
            Mode.STARTING, self.reason or "starting", self.cause or OutOfServiceReason.STARTING
        )

    def _set(
        self,
        mode: Mode,
        reason: str | None,
        cause: OutOfServiceReason | None,
        idle: Idle | None = None,
    ) -> None:
        old, old_cause = self._mode, self.cause
        self._mode = mode
        self._idle = idle if mode is Mode.IDLE else None
        self.reason = reason
        self.cause = cause
        if old is not mode:
            log.info("mode %s -> %s%s", old.value, mode.value, f" ({reason})" if reason else "")
        if (old is not mode or old_cause is not cause) and self._listener is not None:
            self._listener(old, mode, cause)
