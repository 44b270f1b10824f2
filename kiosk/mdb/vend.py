"""One vend from an MDB vending machine as a pure state machine, with time passed in.

No Qt, no I/O. The bridge (kiosk.gui.shell.mdb_bridge) feeds it what happened — the
sale started or was refused, the sale's journal state changed, the VMC gave up,
the machine reported the dispense — and the monotonic time, and gets back a
`Step`: the answer to send the VMC, and what to do with the sale.

Rules:

- A vend request is a sale like any other; the VMC waits `vend_timeout`
  seconds for the answer. The kiosk answers before that: approve (`C,VEND`)
  only when the sale is PROCESSED without needing the operator (the paid
  amount checked) and the deadline has not passed; deny (`C,STOP`) on every
  other ending, on a refused sale, and at the deadline itself.
- At the deadline, or when the VMC leaves the vend state by itself (the
  customer pressed cancel on the machine, the adapter was unplugged), the sale
  is given up: cancelled if it has not been scanned, otherwise followed to its
  end and, if paid, recorded as paid-needs-refund. A vend the kiosk gave up on
  is never approved afterwards.
- After the approval the machine reports the dispense: `c,VEND,SUCCESS` ends
  the vend; `c,ERR,VEND …`, or nothing within `dispense_timeout`, means the
  customer paid and got nothing: refund (the bridge refunds at once in scheme
  enhanced, otherwise the sale is on the attention list).
- Nothing here survives a crash, on purpose: the VMC has forgotten the vend by
  the time the kiosk is back, and the journal's recovery settles the sale like
  any other. A stale vend is therefore never approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from kiosk.payment.sale import SaleState

_TIYN = Decimal("0.01")


class Phase(StrEnum):
    REQUESTED = "requested"  # the VMC asked; the sale is not started yet
    PAYING = "paying"  # the sale runs; the VMC waits for the answer
    APPROVED = "approved"  # C,VEND sent; the machine is dispensing
    DENIED = "denied"  # C,STOP sent, or the VMC gave up: nothing is dispensed (final)
    DISPENSED = "dispensed"  # paid and dispensed (final)
    NOT_DISPENSED = "not_dispensed"  # paid and nothing dispensed: refund (final)

    @property
    def is_final(self) -> bool:
        return self in (Phase.DENIED, Phase.DISPENSED, Phase.NOT_DISPENSED)


class Answer(StrEnum):
    APPROVE = "approve"
    DENY = "deny"


@dataclass(frozen=True)
class Step:
    """What the bridge must do now.

    answer: send the VMC this answer (None: nothing to send).
    give_up_sale: cancel the running sale, or if it was scanned, record a later
        payment as paid-needs-refund.
    refund: the sale was paid and nothing was dispensed: refund it (or put it on
        the attention list).
    paid_after_give_up: the sale was paid after the kiosk had given up on the
        vend: the journal must say it needs a refund.
    why: a few words for the log and the journal.
    """

    answer: Answer | None = None
    give_up_sale: bool = False
    refund: bool = False
    paid_after_give_up: bool = False
    why: str = ""


NOTHING = Step()


def amount_for(price: Decimal, scale: Decimal, low: Decimal, high: Decimal) -> Decimal:
    """The sale amount in tenge for a machine price; ValueError saying why it cannot be sold."""
    if scale <= 0:
        raise ValueError(f"price_scale must be more than 0, not {scale}")
    amount = price * scale
    if amount <= 0:
        raise ValueError(f"the price {price} is not more than 0")
    if amount != amount.quantize(_TIYN):
        raise ValueError(f"the price {price} × {scale} = {amount} has more than two decimals")
    if not low <= amount <= high:
        raise ValueError(f"{amount} tenge is outside the sale limits {low}..{high}")
    return amount.quantize(_TIYN)


class Vend:
    """One vend request from the VMC until it is approved and dispensed, or denied."""

    def __init__(
        self,
        price: Decimal,
        product: str,
        amount: Decimal,
        now: float,
        *,
        vend_timeout: float,
        dispense_timeout: float,
    ) -> None:
        self.price = price
        self.product = product
        self.amount = amount
        self.requested_at = now
        self.deadline = now + vend_timeout
        self.dispense_timeout = dispense_timeout
        self.dispense_deadline: float | None = None
        self.phase = Phase.REQUESTED
        self.sale_id: int | None = None
        self.why = ""

    def __repr__(self) -> str:
        return f"<Vend product {self.product} price {self.price} sale {self.sale_id} {self.phase}>"

    # -- the sale ------------------------------------------------------------------------------

    def sale_started(self, sale_id: int) -> None:
        if self.phase is not Phase.REQUESTED:
            raise RuntimeError(f"{self!r}: a sale started twice")
        self.sale_id = sale_id
        self.phase = Phase.PAYING

    def sale_refused(self, why: str) -> Step:
        """The kiosk could not start the sale (busy, out of service, a bad price)."""
        if self.phase is not Phase.REQUESTED:
            return NOTHING
        return self._deny(why)

    def sale_changed(self, state: SaleState, needs_refund: bool, now: float) -> Step:
        """The sale's journal record changed: `state` and its needs_refund flag."""
        if self.phase is not Phase.PAYING or not state.is_final:
            return NOTHING
        if state is SaleState.PROCESSED:
            if now >= self.deadline:
                # Paid after the moment the VMC stops waiting (the tick has not run yet):
                # the machine will not dispense, so the money must go back.
                step = self._deny("paid after the vending machine stopped waiting")
                return Step(step.answer, paid_after_give_up=True, why=step.why)
            if needs_refund:
                return self._deny("paid, but the operator must look at it (amount)")
            self.phase = Phase.APPROVED
            self.dispense_deadline = now + self.dispense_timeout
            self.why = "paid"
            return Step(Answer.APPROVE, why=self.why)
        return self._deny(f"the sale ended {state.value}")

    # -- time and the VMC ----------------------------------------------------------------------

    def on_tick(self, now: float) -> Step:
        if self.phase in (Phase.REQUESTED, Phase.PAYING) and now >= self.deadline:
            step = self._deny("vend_timeout: not paid in time")
            return Step(step.answer, give_up_sale=self.sale_id is not None, why=step.why)
        if (
            self.phase is Phase.APPROVED
            and self.dispense_deadline is not None
            and now >= self.dispense_deadline
        ):
            return self._not_dispensed("the machine did not report the dispense in time")
        return NOTHING

    def vmc_gave_up(self, why: str) -> Step:
        """The VMC left the vend by itself (cancel on the machine, adapter unplugged)."""
        if self.phase not in (Phase.REQUESTED, Phase.PAYING):
            return NOTHING
        self.phase = Phase.DENIED
        self.why = why
        # No answer: the VMC no longer asks. The sale must not turn into a vend.
        return Step(give_up_sale=self.sale_id is not None, why=why)

    def dispensed(self) -> Step:
        if self.phase is not Phase.APPROVED:
            return NOTHING  # a late or stray report: nothing was approved for it
        self.phase = Phase.DISPENSED
        self.why = "dispensed"
        return Step(why=self.why)

    def dispense_failed(self, detail: str) -> Step:
        if self.phase is not Phase.APPROVED:
            return NOTHING
        return self._not_dispensed(f"the machine failed to dispense ({detail})")

    # -- queries -------------------------------------------------------------------------------

    def next_wakeup(self, now: float) -> float | None:
        """Seconds until on_tick must run again; None when no deadline is pending."""
        if self.phase in (Phase.REQUESTED, Phase.PAYING):
            return max(0.0, self.deadline - now)
        if self.phase is Phase.APPROVED and self.dispense_deadline is not None:
            return max(0.0, self.dispense_deadline - now)
        return None

    def seconds_left(self, now: float) -> float:
        """Until the VMC stops waiting for the answer (0 once answered)."""
        if self.phase in (Phase.REQUESTED, Phase.PAYING):
            return max(0.0, self.deadline - now)
        return 0.0

    # -- internals -----------------------------------------------------------------------------

    def _deny(self, why: str) -> Step:
        self.phase = Phase.DENIED
        self.why = why
        return Step(Answer.DENY, why=why)

    def _not_dispensed(self, why: str) -> Step:
        self.phase = Phase.NOT_DISPENSED
        self.why = why
        return Step(refund=True, why=why)
