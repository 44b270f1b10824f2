"""The operator's desk: every service-mode action over the running kiosk's config and journal.

Each method may block (the bank over HTTPS, the journal on disk), so service
mode calls them on one worker thread of its own, one at a time; the desk's bank
client (one requests session) is used by that thread only. Nothing here
touches Qt or shows text: results are typed records, failures typed errors
(`kiosk.operator.errors.explain` reads them).
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from kiosk.config import Config, kaspi_settings
from kiosk.journal import Journal, JournalError, RefundRecord, SaleRecord
from kiosk.kaspi import tls
from kiosk.kaspi.client import KaspiClient
from kiosk.kaspi.models import PaymentDetails, ReturnOperation, ReturnQr, TradePoint
from kiosk.operator import registration
from kiosk.operator.certificate import CertificateCheck, check_certificate
from kiosk.operator.reload import Reloaded, reload_config
from kiosk.operator.status import BankReach, KioskStatus, collect, timed_ping
from kiosk.payment.sale import SaleState
from kiosk.refund import plan as refunds
from kiosk.refund import steps

log = logging.getLogger("kiosk.operator")

HANDED_OVER = "handed_over"


class OperatorDesk:
    """Service mode's actions; call every method from one thread (the service worker)."""

    def __init__(
        self,
        config: Config,
        journal: Journal | None,
        *,
        identity: tls.Identity | None = None,
        source: str = "service",
    ) -> None:
        if config.path is None:
            raise ValueError("the operator's desk needs a config loaded from a file")
        self.config = config
        self.config_path: Path = config.path
        self.journal = journal
        self.source = source
        self._identity = identity
        self._client: KaspiClient | None = None

    @property
    def scheme(self) -> str:
        return self.config.kaspi.scheme

    @property
    def client(self) -> KaspiClient:
        if self._client is None:
            self._client = KaspiClient(kaspi_settings(self.config), identity=self._identity)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _journal(self) -> Journal:
        if self.journal is None:
            raise JournalError("the journal is not open")
        return self.journal

    # --- registration ---------------------------------------------------------------------

    def trade_points(self) -> list[TradePoint]:
        return registration.trade_points(self.client)

    def register(
        self, trade_point_id: int, device_id: str | None = None
    ) -> registration.Registered:
        """Registered and saved; the caller reloads the config so the kiosk uses the token."""
        return registration.register(
            self.client, self.config_path, device_id or self.config.device.device_id, trade_point_id
        )

    def unregister(self) -> registration.Unregistered:
        return registration.unregister(self.client, self.config_path, self.config.device.device_id)

    # --- refunds ----------------------------------------------------------------------------

    def refundable_sales(self, limit: int = 30) -> list[SaleRecord]:
        """The kiosk's paid sales with something left to refund, newest first."""
        found = [
            r
            for r in self._journal().list(limit=200)
            if r.state is SaleState.PROCESSED
            and r.qr_payment_id is not None
            and r.refunded_amount < r.amount
        ]
        return found[:limit]

    def details(self, payment_id: int) -> PaymentDetails:
        refunds.require_refunds(self.scheme)
        return self.client.payment_details(payment_id)

    def start_return(self) -> ReturnQr:
        refunds.require_refunds(self.scheme)
        return self.client.create_return()

    def return_status(self, return_id: int) -> str:
        return self.client.return_status(return_id)

    def customer_purchases(self, return_id: int) -> list[ReturnOperation]:
        return self.client.return_operations(return_id)

    def plan(
        self,
        payment_id: int,
        amount: Decimal | None,
        *,
        return_id: int | None = None,
        operations: list[ReturnOperation] | None = None,
    ) -> refunds.RefundPlan:
        """Fresh details and every check; `amount` None means all that is still refundable."""
        if operations is not None:
            steps.choose_payment(operations, payment_id)
        details = self.details(payment_id)
        sale = self._journal().find_by_payment(payment_id)
        return refunds.plan_refund(
            details,
            details.available_return_amount if amount is None else amount,
            return_id=return_id,
            operations=operations,
            sale_id=sale.sale_id if sale is not None else None,
        )

    def refund(self, plan: refunds.RefundPlan) -> steps.RefundResult:
        return refunds.send_refund(self.client, self._journal(), plan, source=self.source)

    def open_refunds(self) -> list[RefundRecord]:
        return self._journal().refunds.all_open()

    def check_refund(self, refund_id: int, went_through: bool) -> None:
        note = "checked by the operator: " + ("it went through" if went_through else "it did not")
        self._journal().refunds.checked(refund_id, went_through, note)

    # --- paid sales that need the operator ------------------------------------------------------

    def attention(self) -> list[SaleRecord]:
        return self._journal().unsettled()

    def hand_over(self, sale_id: int) -> None:
        self._journal().settle(sale_id, "goods handed over by the operator", action=HANDED_OVER)
        log.info("operator handed over the goods of sale %s", sale_id)

    # --- certificate, status, reload --------------------------------------------------------------

    def certificate(self, now: datetime | None = None) -> CertificateCheck:
        return check_certificate(kaspi_settings(self.config), now)

    def ping(self) -> float:
        """health/ping over the desk's own connection; milliseconds."""
        return timed_ping(self.client)

    def status(self, bank: BankReach, now: datetime) -> KioskStatus:
        return collect(self.config, self.journal, bank, self.certificate(now), now)

    def reload(self) -> Reloaded:
        """The config file read and checked again (nothing applied: the GUI does that)."""
        return reload_config(self.config_path, self.config)
