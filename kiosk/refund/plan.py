"""Refunds as the operator makes them on the service screen, over the steps in steps.py.

kiosk.refund.steps holds the steps of docs/kaspi/api.md §6 (the return QR's watch,
the customer's purchases, the amount check, the journalled payment/return); this module adds
what the touch screen needs: the amount typed on the keypad, a plan checked
against fresh details before the operator confirms, and the scheme's answer to
"can I refund here at all" (scheme basic: in the Kaspi Pay app).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from kiosk.i18n.refusal import OperatorError
from kiosk.journal import Journal
from kiosk.kaspi.client import KaspiClient
from kiosk.kaspi.models import PaymentDetails, ReturnOperation
from kiosk.refund.steps import RefundResult, check_refundable, choose_payment, send

REFUND_SCHEMES = ("standard", "enhanced")


def require_refunds(scheme: str) -> None:
    """OperatorError for scheme basic: its refunds are made in the Kaspi Pay app."""
    if scheme not in REFUND_SCHEMES:
        raise OperatorError("problem.refund.basic")


def parse_amount(text: str) -> Decimal:
    """The keypad's text ("1250", "99,5") as tenge; OperatorError if it is no usable amount."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise OperatorError("problem.refund.zero") from None
    if not value.is_finite() or value <= 0:
        raise OperatorError("problem.refund.zero")
    if value != value.quantize(Decimal("0.01")):
        raise OperatorError("problem.refund.tiyn")
    return value


@dataclass(frozen=True)
class RefundPlan:
    """A refund checked against the bank's fresh details, ready to confirm and send."""

    payment_id: int
    amount: Decimal
    available: Decimal
    return_id: int | None = None
    sale_id: int | None = None


def plan_refund(
    details: PaymentDetails,
    amount: Decimal,
    *,
    return_id: int | None = None,
    operations: list[ReturnOperation] | None = None,
    sale_id: int | None = None,
) -> RefundPlan:
    """Refuse (RefundRefused) anything the bank must never see; else the plan to send."""
    if operations is not None:
        choose_payment(operations, details.payment_id)
    available = details.available_return_amount
    check_refundable(details.payment_id, amount, available)
    return RefundPlan(details.payment_id, amount, available, return_id, sale_id)


def send_refund(
    client: KaspiClient, journal: Journal, plan: RefundPlan, *, source: str
) -> RefundResult:
    """The plan's payment/return, once, journalled before and after (kiosk.refund.steps.send)."""
    require_refunds(client.scheme)
    return send(
        client,
        journal,
        plan.payment_id,
        plan.amount,
        return_id=plan.return_id,
        available=plan.available,
        sale_id=plan.sale_id,
        source=source,
    )
