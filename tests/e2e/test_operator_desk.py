"""The operator's desk over a real journal and the sandbox (real mTLS): what service mode calls."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk import config as cfg
from kiosk.config import kaspi_settings
from kiosk.i18n.refusal import OperatorError
from kiosk.journal import Journal, RefundState
from kiosk.kaspi.client import KaspiClient
from kiosk.operator.certificate import CertState
from kiosk.operator.desk import OperatorDesk
from kiosk.operator.status import BankReach
from kiosk.payment.sale import SaleState
from kiosk.sandbox import Sandbox


def desk_for(sandbox: Sandbox, scheme: str, journal: Journal) -> OperatorDesk:
    path = sandbox.config_path(scheme)
    config = cfg.load(path)
    with KaspiClient(kaspi_settings(config)) as client:
        token = client.register_device("KIOSK-001", 1)
    cfg.write_value(path, "kaspi", "device_token", token)
    return OperatorDesk(cfg.load(path), journal)


def kiosk_sale(desk: OperatorDesk, journal: Journal, amount: str, *, late: bool = False) -> int:
    """A sale as the kiosk journals it, paid at the sandbox; `late`: paid after giving up."""
    client = desk.client
    sale_id = journal.begin_sale(
        Decimal(amount), external_id=None, source="keypad", scheme=desk.scheme, device_id="K"
    )
    payment = client.create_qr(Decimal(amount))
    journal.payment_created(sale_id, payment.payment_id, "x")
    client.test_action("scan", payment.payment_id)
    client.test_action("confirm", payment.payment_id)
    if late:
        journal.set_state(sale_id, SaleState.CANCELLED)
    journal.set_state(sale_id, SaleState.PROCESSED, needs_refund=late)
    return sale_id


def test_one_tap_refund_of_a_late_payment_settles_it(sandbox: Sandbox, tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        desk = desk_for(sandbox, "enhanced", journal)
        sale_id = kiosk_sale(desk, journal, "1250", late=True)
        [sale] = desk.attention()
        assert sale.sale_id == sale_id and sale.qr_payment_id is not None
        plan = desk.plan(sale.qr_payment_id, None)  # all that is still refundable
        assert plan.amount == Decimal("1250") and plan.sale_id == sale_id
        result = desk.refund(plan)
        assert result.return_operation_id > 0
        assert desk.attention() == []
        record = journal.get(sale_id)
        assert record is not None and record.refunded_amount == Decimal("1250")
        assert desk.refundable_sales() == []
        totals = desk.status(BankReach(True), datetime.now(UTC)).totals
        assert totals is not None and (totals.refunds_count, totals.refunds_sum) == (
            1,
            Decimal("1250"),
        )
        desk.close()


def test_hand_over_is_recorded_with_the_operators_action(sandbox: Sandbox, tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        desk = desk_for(sandbox, "standard", journal)
        sale_id = kiosk_sale(desk, journal, "300", late=True)
        desk.hand_over(sale_id)
        assert desk.attention() == []
        assert journal.events(sale_id)[-1].detail["action"] == "handed_over"
        assert sandbox.payment(journal.get(sale_id).qr_payment_id)["refunds"] == []  # type: ignore[union-attr]
        desk.close()


def test_status_has_totals_certificate_and_registration(sandbox: Sandbox, tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        desk = desk_for(sandbox, "standard", journal)
        kiosk_sale(desk, journal, "100")
        kiosk_sale(desk, journal, "250.50")
        assert desk.ping() > 0
        status = desk.status(BankReach(True, latency_ms=12.0), datetime.now(UTC))
        assert status.totals is not None
        assert (status.totals.sales_count, status.totals.sales_sum) == (2, Decimal("350.50"))
        assert status.registered and status.trade_point_id == 1 and status.attention == 0
        assert status.certificate.state is CertState.OK
        assert status.certificate.info is not None and "CN=" in status.certificate.info.subject
        desk.close()


def test_an_unknown_refund_waits_for_the_operators_check(sandbox: Sandbox, tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        desk = desk_for(sandbox, "enhanced", journal)
        sale_id = kiosk_sale(desk, journal, "100")
        payment_id = journal.get(sale_id).qr_payment_id  # type: ignore[union-attr]
        assert payment_id is not None
        sandbox.inject_fault("drop", path_contains="/payment/return")
        with pytest.raises(OperatorError):
            desk.refund(desk.plan(payment_id, Decimal("10")))
        [open_refund] = desk.open_refunds()
        assert open_refund.state is RefundState.UNKNOWN
        with pytest.raises(Exception, match="check it before another"):
            desk.refund(desk.plan(payment_id, Decimal("10")))
        desk.check_refund(open_refund.refund_id, went_through=False)
        assert desk.open_refunds() == []
        desk.refund(desk.plan(payment_id, Decimal("10")))
        desk.close()


def test_an_old_unknown_refund_stays_on_the_attention_tab(sandbox: Sandbox, tmp_path: Path) -> None:
    """However many refunds came after it (an automatic refund from an old journal, say)."""
    with Journal.open(tmp_path) as journal:
        desk = desk_for(sandbox, "enhanced", journal)
        old = journal.refunds.begin(7000, Decimal("1"), scheme="enhanced", source="mdb")
        journal.refunds.unknown(old, "read timed out")
        for payment in range(7001, 7251):
            refund_id = journal.refunds.begin(
                payment, Decimal("1"), scheme="enhanced", source="service"
            )
            journal.refunds.done(refund_id, 1)
        assert [r.refund_id for r in desk.open_refunds()] == [old]
        desk.close()


def test_scheme_basic_says_refunds_are_in_kaspi_pay(sandbox: Sandbox, tmp_path: Path) -> None:
    with Journal.open(tmp_path) as journal:
        desk = desk_for(sandbox, "basic", journal)
        with pytest.raises(OperatorError) as caught:
            desk.start_return()
        assert "Kaspi Pay" in caught.value.text("en")
        desk.close()
