"""What a vending controller sees of the kiosk: typed records, the host's sale states, the gateway.

The kiosk hands the host API typed records (`HostSale`, `KioskHealth`, `KioskState`); they
become JSON only in kiosk.hostapi.app, at the HTTP edge. The gateway refuses with the
errors of kiosk.payment.sale (`Busy`, `OutOfService`, `NotCancellable`), which the app turns into
409 / 503 answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from kiosk.journal import SaleRecord
from kiosk.payment.sale import Reason, SaleState

_TIYN = Decimal("0.01")


class HostState(StrEnum):
    """A sale's state as the host API names it: the journal's state, `creating` read `pending`."""

    PENDING = "pending"
    QR = "qr"
    AWAITING = "awaiting"
    PROCESSED = "processed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, state: SaleState) -> HostState:
        """The one mapping from the journal's states to the host's."""
        return cls.PENDING if state is SaleState.CREATING else cls(state.value)


@dataclass(frozen=True)
class HostSale:
    """One sale as the host API shows it (built from the journal's record)."""

    sale_id: int
    amount: Decimal
    external_id: str | None
    state: HostState
    reason: Reason | None
    qr_payment_id: int | None
    #: Paid, but the kiosk had given up on the sale or the amount differed, and the operator
    #: has not settled it yet: do not dispense.
    needs_refund: bool
    refunded_amount: Decimal
    recovered: bool
    created_at: str
    updated_at: str

    @classmethod
    def from_record(cls, record: SaleRecord) -> HostSale:
        return cls(
            sale_id=record.sale_id,
            amount=record.amount.quantize(_TIYN),
            external_id=record.external_id,
            state=HostState.of(record.state),
            reason=record.reason,
            qr_payment_id=record.qr_payment_id,
            needs_refund=record.unsettled,
            refunded_amount=record.refunded_amount,
            recovered=record.recovered,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


@dataclass(frozen=True)
class KioskHealth:
    """GET /v1/health: can the kiosk sell, and why not."""

    ok: bool
    bank_reachable: bool | None
    last_check: str | None  # UTC ISO time of the last bank ping
    last_error: str | None
    screen: str
    journal_ok: bool
    problem: str | None
    attention: int | None  # sales waiting for the operator (refund or hand-over)
    mdb: str  # the vending machine's MDB adapter: "connected", "disconnected" or "disabled"
    version: str
    #: The client certificate's days left (None in scheme basic or before a start-up) and,
    #: from 60 days before expiry, the operator's warning (an expired one is also `problem`).
    certificate_days_left: int | None = None
    certificate_warning: str | None = None


@dataclass(frozen=True)
class KioskState:
    """GET /v1/state: the screen shown and the sale running, if any."""

    screen: str
    sale_id: int | None


class SaleGateway(Protocol):
    """The kiosk as the host API sees it; called from the server's threads.

    Refusals raise kiosk.payment.sale.Busy (another sale runs, service mode), OutOfService or
    NotCancellable; anything else is a failure of the kiosk (answered 500).
    """

    def health(self) -> KioskHealth: ...

    def state(self) -> KioskState: ...

    def amount_limits(self) -> tuple[Decimal, Decimal]: ...

    def start_sale(self, amount: Decimal, external_id: str | None) -> HostSale: ...

    def find_by_external_id(self, external_id: str) -> HostSale | None: ...

    def get_sale(self, sale_id: int) -> HostSale | None: ...

    def wait_for_change(
        self, sale_id: int, state: HostState, timeout: float, stop: Callable[[], bool]
    ) -> HostSale | None:
        """The sale once its state is not `state`; None after `timeout`, or once `stop()`.

        `stop()` is checked at start and whenever wake() is called.
        """
        ...

    def wake(self) -> None:
        """Make every wait_for_change check again (the server is stopping)."""
        ...

    def cancel_sale(self, sale_id: int) -> HostSale: ...
