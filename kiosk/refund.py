"""A refund as the guide orders it, for the CLI and the service screen alike: no Qt, no terminal.

Scheme standard (with the customer):
1. return/create: a return QR the customer scans with the Kaspi.kz app;
2. return/status every QrCodeScanEventPollingInterval until CustomerIdentityObtained.
   Like a payment's scan stage, the QR is dead only on a read SENT at or after its
   deadline: the last read comes at the deadline, so a scan in the last interval
   is not lost;
3. return/operations: the identified customer's last purchases. The refund is of
   one of them: a payment not in the list is refused before any money moves;
4. payment/details: never more than AvailableReturnAmount;
5. payment/return with the QrReturnId (which serves one refund).

Scheme enhanced (without the customer): steps 4 and 5, without a QrReturnId.

The pure steps (`return_verdict`, `choose_payment`, `check_amount`) take plain
values; the drivers (`wait_for_customer`, `refund_*`) take the client and the
clock, so a service screen can run them on its worker and the tests run them
with a scripted clock.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum

from kiosk.kaspi.client import KaspiClient
from kiosk.kaspi.errors import KaspiError
from kiosk.kaspi.models import ReturnOperation, ReturnQr, ReturnStatus


class RefundRefused(Exception):
    """The refund is not made; the message tells the operator why. No money moved."""


class ReturnVerdict(StrEnum):
    WAITING = "waiting"  # not scanned yet; read again at the interval
    IDENTIFIED = "identified"  # CustomerIdentityObtained: go on to the customer's purchases
    FAILED = "failed"  # the bank answered Error
    EXPIRED = "expired"  # still not scanned on a read sent at or after the deadline
    UNREADABLE = "unreadable"  # the status could not be read at or after the deadline


def return_verdict(status: str | None, past_deadline: bool) -> ReturnVerdict:
    """One return/status read (`status` None: it failed); `past_deadline`: SENT at/after it."""
    if status == ReturnStatus.CUSTOMER_IDENTITY_OBTAINED:
        return ReturnVerdict.IDENTIFIED
    if status == ReturnStatus.ERROR:
        return ReturnVerdict.FAILED
    if not past_deadline:
        return ReturnVerdict.WAITING
    return ReturnVerdict.UNREADABLE if status is None else ReturnVerdict.EXPIRED


def choose_payment(operations: list[ReturnOperation], payment_id: int) -> ReturnOperation:
    """The customer's purchase being refunded; RefundRefused if it is not theirs."""
    for operation in operations:
        if operation.payment_id == payment_id:
            return operation
    listed = ", ".join(str(op.payment_id) for op in operations) or "none"
    raise RefundRefused(
        f"payment {payment_id} is not among the customer's last purchases here"
        f" ({listed}): refund only a purchase of the customer who scanned the return QR"
    )


def check_amount(payment_id: int, amount: Decimal, available: Decimal) -> None:
    """Never ask for more than AvailableReturnAmount."""
    if amount <= 0:
        raise RefundRefused(f"the refund amount must be more than 0, not {amount}")
    if amount > available:
        raise RefundRefused(
            f"payment {payment_id} has only {available} ₸ left to refund (asked {amount} ₸)"
        )


def wait_for_customer(
    client: KaspiClient,
    ret: ReturnQr,
    *,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    on_read: Callable[[str | None, KaspiError | None], None] = lambda _s, _e: None,
) -> ReturnVerdict:
    """Read the return QR's status at its interval until a verdict other than WAITING.

    Transient read failures are read again at the interval; others propagate.
    """
    deadline = clock() + ret.scan_timeout
    while True:
        sent = clock()
        error: KaspiError | None = None
        try:
            status: str | None = client.return_status(ret.return_id)
        except KaspiError as exc:
            if not exc.transient:
                raise
            status, error = None, exc
        on_read(status, error)
        verdict = return_verdict(status, sent >= deadline)
        if verdict is not ReturnVerdict.WAITING:
            return verdict
        # The next read at the interval, but never later than the deadline itself: that
        # read decides, so a scan in the last interval is seen.
        next_at = min(sent + ret.poll_interval, deadline)
        sleep(max(0.0, next_at - clock()))


def refund_with_customer(
    client: KaspiClient, payment_id: int, amount: Decimal, return_id: int
) -> int:
    """Steps 3-5 for an identified customer: their purchases, the amount, the refund."""
    operation = choose_payment(client.return_operations(return_id), payment_id)
    details = client.payment_details(operation.payment_id)
    check_amount(payment_id, amount, details.available_return_amount)
    return client.refund(payment_id, amount, return_id)


def refund_without_customer(client: KaspiClient, payment_id: int, amount: Decimal) -> int:
    """Scheme enhanced: the amount checked against payment/details, then the refund."""
    details = client.payment_details(payment_id)
    check_amount(payment_id, amount, details.available_return_amount)
    return client.refund(payment_id, amount)
