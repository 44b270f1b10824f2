"""The host API's tests: a small in-memory gateway, and a running server against it."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from decimal import Decimal

from kiosk.hostapi.contract import HostSale, HostState, KioskHealth, KioskState
from kiosk.payment.sale import Busy, NotCancellable, OutOfService, Reason

TOKEN = "controller-token-0123456789"
FINAL = {HostState.PROCESSED, HostState.FAILED, HostState.CANCELLED, HostState.UNKNOWN}


class FakeGateway:
    """The kiosk reduced to a dict of sales; one sale runs at a time, like the real one."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.reset()

    def reset(self) -> None:
        self.sales: dict[int, HostSale] = {}
        self.started: list[tuple[Decimal, str | None]] = []
        self.limits = (Decimal("1"), Decimal("500000"))
        self.unavailable = False
        self.explode: Exception | None = None
        self.waiting = threading.Event()
        self.wait_calls: list[tuple[int, str, float]] = []
        self.in_wait = 0  # long-polls inside wait_for_change now

    def _check(self) -> None:
        if self.explode is not None:
            raise self.explode
        if self.unavailable:
            raise OutOfService("no connection to the bank")

    def _running(self) -> int | None:
        return next((i for i, s in self.sales.items() if s.state not in FINAL), None)

    def health(self) -> KioskHealth:
        self._check()
        return KioskHealth(
            ok=True,
            bank_reachable=True,
            last_check="2025-01-02T03:04:05+00:00",
            last_error=None,
            screen="amount",
            journal_ok=True,
            problem=None,
            attention=0,
            mdb="disabled",
            version="0.1.0",
        )

    def state(self) -> KioskState:
        self._check()
        running = self._running()
        return KioskState(screen="amount" if running is None else "qr", sale_id=running)

    def amount_limits(self) -> tuple[Decimal, Decimal]:
        self._check()
        return self.limits

    def start_sale(self, amount: Decimal, external_id: str | None) -> HostSale:
        self._check()
        with self.cond:
            running = self._running()
            if running is not None:
                raise Busy("another sale is running", running)
            self.started.append((amount, external_id))
            sale_id = len(self.sales) + 1
            self.sales[sale_id] = HostSale(
                sale_id=sale_id,
                amount=amount,
                external_id=external_id,
                state=HostState.PENDING,
                reason=None,
                qr_payment_id=None,
                needs_refund=False,
                refunded_amount=Decimal(0),
                recovered=False,
                created_at="2025-01-02T03:04:05+00:00",
                updated_at="2025-01-02T03:04:05+00:00",
            )
            return self.sales[sale_id]

    def find_by_external_id(self, external_id: str) -> HostSale | None:
        self._check()
        found = [s for s in self.sales.values() if s.external_id == external_id]
        return found[0] if found else None

    def get_sale(self, sale_id: int) -> HostSale | None:
        self._check()
        with self.cond:
            return self.sales.get(sale_id)

    def wait_for_change(
        self, sale_id: int, state: HostState, timeout: float, stop: Callable[[], bool]
    ) -> HostSale | None:
        self.wait_calls.append((sale_id, state, timeout))
        with self.cond:
            self.in_wait += 1
            self.waiting.set()
            self.cond.notify_all()  # for a test waiting on in_wait
            try:
                changed = self.cond.wait_for(
                    lambda: stop() or self.sales[sale_id].state != state, timeout
                )
            finally:
                self.in_wait -= 1
            return self.sales[sale_id] if changed and not stop() else None

    def wake(self) -> None:
        with self.cond:
            self.cond.notify_all()

    def cancel_sale(self, sale_id: int) -> HostSale:
        self._check()
        with self.cond:
            sale = self.sales[sale_id]
            if sale.state not in (HostState.PENDING, HostState.QR):
                raise NotCancellable("the QR was already scanned")
            self._set(sale_id, state=HostState.CANCELLED, reason=Reason.CANCELLED)
            return self.sales[sale_id]

    def set_state(self, sale_id: int, state: str) -> None:
        self._set(sale_id, state=HostState(state))

    def _set(self, sale_id: int, **changes: object) -> None:
        with self.cond:
            self.sales[sale_id] = dataclasses.replace(self.sales[sale_id], **changes)  # type: ignore[arg-type]
            self.cond.notify_all()
