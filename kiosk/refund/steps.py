"""A refund as docs/kaspi/api.md §6 orders it, for CLI and service screen alike: no Qt, no terminal.

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
The kiosk's own refund of a paid vend that did not drop (kiosk.gui.shell.mdb_bridge,
source `mdb`) is this one too, limited to the sale's first refund.

Every payment/return is journalled before it is sent and again when it answered
(kiosk.journal.refunds): `done`, `failed` (the bank refused: nothing moved) or
`unknown` (no usable answer: it may have gone through). Nothing here sends a
refund twice, and a payment whose last refund is unknown takes no other until an
operator has checked it.

The pure steps (`return_verdict`, `ReturnWatch`, `choose_payment`, `check_refundable`)
take plain values and the time; the drivers (`wait_for_customer`, `refund_*`) take
the client and the clock, so the service screen runs the watch on its timer and
the command line runs the blocking loop, both under the same rules.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from kiosk.i18n.refusal import OperatorError
from kiosk.journal import Journal
from kiosk.journal.records import amount_text
from kiosk.kaspi import errors
from kiosk.kaspi.client import KaspiClient
from kiosk.kaspi.errors import KaspiError
from kiosk.kaspi.models import ReturnOperation, ReturnQr, ReturnStatus

log = logging.getLogger(__name__)


class RefundRefused(OperatorError):
    """The refund is not made; no money moved. `str()` is the detail in English (the
    command line), `text(lang)` the operator's sentence in ru/kk/en (the service screen)."""

    def __init__(self, detail: str, message_id: str, **values: object) -> None:
        super().__init__(message_id, **values)
        self.detail = detail

    def __str__(self) -> str:
        return self.detail


# --- the return QR --------------------------------------------------------------------------


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
        # Past the deadline, Error is the bank's own end of a QR nobody scanned.
        return ReturnVerdict.EXPIRED if past_deadline else ReturnVerdict.FAILED
    if not past_deadline:
        return ReturnVerdict.WAITING
    return ReturnVerdict.UNREADABLE if status is None else ReturnVerdict.EXPIRED


class ReturnWatch:
    """One return QR followed to a verdict; time is passed in (kiosk.payment.flow's habit).

    When `read_due(now)`, send return/status, call `on_read_sent(now)`, then
    `on_status(status or None, now)`. Reads never overlap and never come faster than
    the bank's interval, counted from the previous read's send time; the last read is
    at the deadline itself.
    """

    def __init__(self, ret: ReturnQr, now: float) -> None:
        self.return_id = ret.return_id
        self.interval = ret.poll_interval
        self.deadline = now + ret.scan_timeout
        self.verdict = ReturnVerdict.WAITING
        self._next_read = now
        self._sent_at: float | None = None

    def seconds_left(self, now: float) -> float:
        return max(0.0, self.deadline - now)

    def next_read_in(self, now: float) -> float | None:
        """Seconds until the next read is due (0: now); None when decided or a read is out."""
        if self.verdict is not ReturnVerdict.WAITING or self._sent_at is not None:
            return None
        return max(0.0, self._next_read - now)

    def read_due(self, now: float) -> bool:
        return self.next_read_in(now) == 0.0

    def on_read_sent(self, now: float) -> None:
        if self._sent_at is not None:
            raise RuntimeError("a return/status read is already in flight")
        self._sent_at = now

    def on_status(self, status: str | None, now: float) -> ReturnVerdict:
        """The read's answer (None: it failed); WAITING until a verdict."""
        sent = self._sent_at if self._sent_at is not None else now
        self._sent_at = None
        self.verdict = return_verdict(status, sent >= self.deadline)
        # The next read at the interval, but never later than the deadline: that read decides.
        self._next_read = min(sent + self.interval, self.deadline)
        return self.verdict


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
    watch = ReturnWatch(ret, clock())
    while True:
        wait = watch.next_read_in(clock()) or 0.0
        if wait > 0:
            sleep(wait)
            continue
        watch.on_read_sent(clock())
        error: KaspiError | None = None
        try:
            status: str | None = client.return_status(ret.return_id)
        except KaspiError as exc:
            if not exc.transient:
                raise
            status, error = None, exc
        on_read(status, error)
        verdict = watch.on_status(status, clock())
        if verdict is not ReturnVerdict.WAITING:
            return verdict


# --- the checks before payment/return -------------------------------------------------------


def choose_payment(operations: list[ReturnOperation], payment_id: int) -> ReturnOperation:
    """The customer's purchase being refunded; RefundRefused if it is not theirs."""
    for operation in operations:
        if operation.payment_id == payment_id:
            return operation
    listed = ", ".join(str(op.payment_id) for op in operations) or "none"
    raise RefundRefused(
        f"payment {payment_id} is not among the customer's last purchases here"
        f" ({listed}): refund only a purchase of the customer who scanned the return QR",
        "problem.refund.not_in_list",
        payment=payment_id,
    )


def check_refundable(payment_id: int, amount: Decimal, available: Decimal) -> None:
    """Never ask for more than AvailableReturnAmount, nor for nothing, nor for part of a tiyn."""
    if not amount.is_finite() or amount <= 0:
        raise RefundRefused(
            f"the refund amount must be more than 0, not {amount}", "problem.refund.zero"
        )
    if available <= 0:
        raise RefundRefused(
            f"payment {payment_id} has nothing left to refund", "problem.refund.nothing_left"
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise RefundRefused(f"at most two decimals (tiyn), not {amount}", "problem.refund.tiyn")
    if amount > available:
        raise RefundRefused(
            f"payment {payment_id} has only {available} ₸ left to refund (asked {amount} ₸)",
            "problem.refund.above_available",
            amount=amount,
            available=available,
        )


# --- the call, journalled -------------------------------------------------------------------


@dataclass(frozen=True)
class RefundResult:
    refund_id: int
    payment_id: int
    amount: Decimal
    return_operation_id: int


class RefundUnknown(OperatorError):
    """payment/return got no usable answer: the refund may have gone through."""

    def __init__(self, refund_id: int, detail: str) -> None:
        self.refund_id = refund_id
        self.detail = detail
        super().__init__("problem.refund.unknown")


def refused_for_sure(error: errors.KaspiError) -> bool:
    """The bank refused, or the request never left: nothing can have moved."""
    return errors.nothing_moved(error)


def send(
    client: KaspiClient,
    journal: Journal,
    payment_id: int,
    amount: Decimal,
    *,
    return_id: int | None = None,
    available: Decimal | None = None,
    sale_id: int | None = None,
    source: str,
    first_of_sale: bool = False,
) -> RefundResult:
    """payment/return once, journalled before and after; never retried here or below.

    RefundPending (from the journal) if an earlier refund of the payment is still
    open, RefundRepeated if `first_of_sale` and the sale had one; the bank's refusal
    re-raised as is (journalled failed); no usable answer raises RefundUnknown
    (journalled unknown).
    """
    if sale_id is None:
        sale = journal.find_by_payment(payment_id)
        sale_id = sale.sale_id if sale is not None else None
    refund_id = journal.refunds.begin(
        payment_id,
        amount,
        scheme=client.scheme,
        source=source,
        sale_id=sale_id,
        return_id=return_id,
        available=available,
        first_of_sale=first_of_sale,
    )
    try:
        operation = client.refund(payment_id, amount, return_id)
    except errors.KaspiError as exc:
        if refused_for_sure(exc):
            journal.refunds.failed(refund_id, str(exc))
            log.warning("refund %s of payment %s refused: %s", refund_id, payment_id, exc)
            raise
        journal.refunds.unknown(refund_id, str(exc))
        log.error("refund %s of payment %s: outcome unknown: %s", refund_id, payment_id, exc)
        raise RefundUnknown(refund_id, str(exc)) from exc
    journal.refunds.done(refund_id, operation)
    log.info(
        "refunded %s of payment %s: operation %s (refund %s, %s)",
        amount_text(amount),
        payment_id,
        operation,
        refund_id,
        source,
    )
    return RefundResult(refund_id, payment_id, amount, operation)


def refund_with_customer(
    client: KaspiClient,
    journal: Journal,
    payment_id: int,
    amount: Decimal,
    return_id: int,
    *,
    source: str = "cli",
) -> RefundResult:
    """Steps 3-5 for an identified customer: their purchases, the amount, the refund."""
    operation = choose_payment(client.return_operations(return_id), payment_id)
    details = client.payment_details(operation.payment_id)
    check_refundable(payment_id, amount, details.available_return_amount)
    return send(
        client,
        journal,
        payment_id,
        amount,
        return_id=return_id,
        available=details.available_return_amount,
        source=source,
    )


def refund_without_customer(
    client: KaspiClient,
    journal: Journal,
    payment_id: int,
    amount: Decimal,
    *,
    source: str = "cli",
    sale_id: int | None = None,
    first_of_sale: bool = False,
) -> RefundResult:
    """Scheme enhanced: the amount checked against payment/details, then the refund.

    `sale_id`: the kiosk's sale it refunds (found by the payment when None);
    `first_of_sale`: only if that sale never had a refund (the kiosk on its own).
    """
    details = client.payment_details(payment_id)
    check_refundable(payment_id, amount, details.available_return_amount)
    return send(
        client,
        journal,
        payment_id,
        amount,
        available=details.available_return_amount,
        sale_id=sale_id,
        source=source,
        first_of_sale=first_of_sale,
    )
