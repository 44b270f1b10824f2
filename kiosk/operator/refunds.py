"""Refunds as pure steps: the return QR's watch, the checks before the call, the journalled call.

Scheme standard (with the customer)::

    ret = client.create_return()                     # show ret.qr_token
    watch = ReturnWatch(ret, now)                    # read return/status at its interval
    ... watch.outcome is ReturnOutcome.IDENTIFIED
    ops = client.return_operations(ret.return_id)    # the customer's purchases
    pick = customer_purchase(ops, payment_id)        # refused unless in the list
    plan = plan_refund(client.payment_details(pick.payment_id), amount,
                       return_id=ret.return_id, operations=ops)
    send_refund(client, journal, plan, scheme="standard", source="service")

Scheme enhanced (without the customer): payment_details -> plan_refund -> send_refund.
Scheme basic has no refunds in the API (`require_refunds` says so).

Rules:
- the amount is checked against the fresh AvailableReturnAmount before
  payment/return is sent: above it, zero, or with more than two decimals, the
  call is never made (OperatorError);
- scheme standard refunds only a purchase from the customer's return/operations;
- every payment/return is journalled before it is sent and again when it
  answered (kiosk.journal.refunds); a refund whose outcome is unknown blocks
  another of the same payment until an operator checked it — nothing here
  ever sends a refund twice;
- the return QR is read at once, then every QrCodeScanEventPollingInterval from
  the previous read's send time, and once more at (or just after) the deadline,
  so a scan in the last interval is not lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from kiosk.journal import Journal
from kiosk.journal.records import amount_text
from kiosk.kaspi import errors
from kiosk.kaspi.client import KaspiClient
from kiosk.kaspi.models import PaymentDetails, ReturnOperation, ReturnQr, ReturnStatus
from kiosk.operator.errors import OperatorError

log = logging.getLogger("kiosk.operator")

REFUND_SCHEMES = ("standard", "enhanced")


def require_refunds(scheme: str) -> None:
    """OperatorError for scheme basic: its refunds are made in the Kaspi Pay app."""
    if scheme not in REFUND_SCHEMES:
        raise OperatorError("op.refund.basic")


# --- the return QR --------------------------------------------------------------------------


class ReturnOutcome(StrEnum):
    IDENTIFIED = "identified"  # CustomerIdentityObtained: the purchases can be listed
    FAILED = "failed"  # the bank said Error
    EXPIRED = "expired"  # not scanned by the deadline (the last read said so, or failed)


class ReturnWatch:
    """Follows one return QR to IDENTIFIED, FAILED or EXPIRED; time is passed in.

    Call `read_due(now)`; when True, send return/status, call `on_read_sent(now)`,
    and then `on_status(status, now)` or `on_read_failed(now)`. Reads never
    overlap and never come faster than the bank's interval.
    """

    def __init__(self, ret: ReturnQr, now: float) -> None:
        self.return_id = ret.return_id
        self.interval = max(ret.poll_interval, 0.2)
        self.deadline = now + ret.scan_timeout
        self.outcome: ReturnOutcome | None = None
        self.last_status: str | None = None
        self._next_read = now
        self._sent_at: float | None = None

    def seconds_left(self, now: float) -> float:
        return max(0.0, self.deadline - now)

    def next_read_in(self, now: float) -> float | None:
        """Seconds until the next read is due (0: now); None when finished or waiting."""
        if self.outcome is not None or self._sent_at is not None:
            return None
        return max(0.0, self._next_read - now)

    def read_due(self, now: float) -> bool:
        return self.next_read_in(now) == 0.0

    def on_read_sent(self, now: float) -> None:
        if self._sent_at is not None:
            raise RuntimeError("a return/status read is already in flight")
        self._sent_at = now

    def on_status(self, status: str, now: float) -> ReturnOutcome | None:
        self.last_status = status
        if status == ReturnStatus.CUSTOMER_IDENTITY_OBTAINED:
            return self._finish(ReturnOutcome.IDENTIFIED)
        if status == ReturnStatus.ERROR:
            return self._finish(ReturnOutcome.FAILED)
        return self._after_read(now)

    def on_read_failed(self, now: float) -> ReturnOutcome | None:
        """A read that got no usable answer: try again at the interval, up to the last read."""
        return self._after_read(now)

    def _after_read(self, now: float) -> ReturnOutcome | None:
        sent = self._sent_at if self._sent_at is not None else now
        self._sent_at = None
        if sent >= self.deadline:
            return self._finish(ReturnOutcome.EXPIRED)
        # The next read at the interval, but never past the deadline: one read at it.
        self._next_read = min(sent + self.interval, self.deadline)
        return None

    def _finish(self, outcome: ReturnOutcome) -> ReturnOutcome:
        self._sent_at = None
        self.outcome = outcome
        return outcome


def follow_return(
    watch: ReturnWatch,
    read: Callable[[int], str],
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> ReturnOutcome:
    """Drive `watch` to its outcome with blocking reads (the command line's loop).

    A read that raises a transient KaspiError counts as a failed read; any other
    error ends the watch by propagating.
    """
    while watch.outcome is None:
        wait = watch.next_read_in(clock())
        if wait is None:  # pragma: no cover - only while a read is in flight
            raise RuntimeError("the watch waits for a read that was never answered")
        if wait > 0:
            sleep(wait)
            continue
        watch.on_read_sent(clock())
        try:
            status = read(watch.return_id)
        except errors.KaspiError as exc:
            if not exc.transient:
                raise
            log.info("return/status read failed, trying again: %s", exc)
            watch.on_read_failed(clock())
        else:
            watch.on_status(status, clock())
    return watch.outcome


# --- the checks before payment/return -------------------------------------------------------


def parse_amount(text: str) -> Decimal:
    """The keypad's text ("1250", "99,5") as tenge; OperatorError if it is no usable amount."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise OperatorError("op.refund.zero") from None
    if not value.is_finite() or value <= 0:
        raise OperatorError("op.refund.zero")
    if value != value.quantize(Decimal("0.01")):
        raise OperatorError("op.refund.tiyn")
    return value


def customer_purchase(operations: list[ReturnOperation], payment_id: int) -> ReturnOperation:
    """The purchase from the customer's return/operations; refused if it is not there."""
    for operation in operations:
        if operation.payment_id == payment_id:
            return operation
    raise OperatorError("op.refund.not_in_list", payment=payment_id)


@dataclass(frozen=True)
class RefundPlan:
    """A refund checked against the bank's fresh details, ready to send."""

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
    """Refuse (OperatorError) anything the bank must never see; else the plan to send."""
    if operations is not None:
        customer_purchase(operations, details.payment_id)
    available = details.available_return_amount
    if available <= 0:
        raise OperatorError("op.refund.nothing_left")
    if not amount.is_finite() or amount <= 0:
        raise OperatorError("op.refund.zero")
    if amount != amount.quantize(Decimal("0.01")):
        raise OperatorError("op.refund.tiyn")
    if amount > available:
        raise OperatorError(
            "op.refund.above_available",
            amount=amount_text(amount),
            available=amount_text(available),
        )
    return RefundPlan(details.payment_id, amount, available, return_id, sale_id)


# --- the call -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundResult:
    refund_id: int
    payment_id: int
    amount: Decimal
    return_operation_id: int


class RefundUnknown(OperatorError):
    """payment/return got no usable answer: the refund may have gone through."""

    def __init__(self, refund_id: int) -> None:
        self.refund_id = refund_id
        super().__init__("op.refund.unknown")


def refused_for_sure(error: errors.KaspiError) -> bool:
    """The bank refused, or the request never left: nothing can have moved."""
    if isinstance(error, errors.ApiError | errors.TlsError):
        return True
    return isinstance(error, errors.HttpError) and 400 <= error.status < 500


def send_refund(
    client: KaspiClient, journal: Journal, plan: RefundPlan, *, scheme: str, source: str
) -> RefundResult:
    """payment/return once, journalled before and after.

    RefundPending (from the journal) if an earlier refund of the payment is still
    open; the bank's refusal re-raised as is (journalled failed); no usable answer
    raises RefundUnknown (journalled unknown). Never retried here or below.
    """
    require_refunds(scheme)
    refund_id = journal.refunds.begin(
        plan.payment_id,
        plan.amount,
        scheme=scheme,
        source=source,
        sale_id=plan.sale_id,
        return_id=plan.return_id,
        available=plan.available,
    )
    try:
        operation = client.refund(plan.payment_id, plan.amount, plan.return_id)
    except errors.KaspiError as exc:
        if refused_for_sure(exc):
            journal.refunds.failed(refund_id, str(exc))
            log.warning("refund %s of payment %s refused: %s", refund_id, plan.payment_id, exc)
            raise
        journal.refunds.unknown(refund_id, str(exc))
        log.error("refund %s of payment %s: outcome unknown: %s", refund_id, plan.payment_id, exc)
        raise RefundUnknown(refund_id) from exc
    journal.refunds.done(refund_id, operation)
    log.info(
        "refunded %s of payment %s: operation %s (refund %s)",
        amount_text(plan.amount),
        plan.payment_id,
        operation,
        refund_id,
    )
    return RefundResult(refund_id, plan.payment_id, plan.amount, operation)


def refund_without_customer(
    client: KaspiClient,
    journal: Journal,
    payment_id: int,
    amount: Decimal,
    *,
    sale_id: int | None = None,
    source: str = "service",
) -> RefundResult:
    """Scheme enhanced: fresh details, the checks, the journalled call."""
    require_refunds(client.scheme)
    plan = plan_refund(client.payment_details(payment_id), amount, sale_id=sale_id)
    return send_refund(client, journal, plan, scheme=client.scheme, source=source)


def refund_with_customer(
    client: KaspiClient,
    journal: Journal,
    return_id: int,
    operations: list[ReturnOperation],
    payment_id: int,
    amount: Decimal,
    *,
    sale_id: int | None = None,
    source: str = "service",
) -> RefundResult:
    """Scheme standard, after CustomerIdentityObtained: only a purchase from the customer's list."""
    customer_purchase(operations, payment_id)
    details = client.payment_details(payment_id)
    plan = plan_refund(details, amount, return_id=return_id, operations=operations, sale_id=sale_id)
    return send_refund(client, journal, plan, scheme=client.scheme, source=source)
