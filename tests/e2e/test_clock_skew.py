"""A kiosk whose clock is minutes or hours off the bank's: sells, shows the QR its full time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal

import pytest

from kiosk import config as cfg
from kiosk.config import kaspi_settings
from kiosk.kaspi.bankclock import BANK_CLOCK, expiry_within
from kiosk.kaspi.client import KaspiClient
from kiosk.operator import registration
from kiosk.payment.flow import PROCESSED, PaymentFlow, run_flow
from kiosk.payment.sale import SaleState
from kiosk.sandbox import Sandbox


@pytest.fixture(autouse=True)
def _fresh_bank_clock() -> Iterator[None]:
    BANK_CLOCK.reset()
    yield
    BANK_CLOCK.reset()


@pytest.mark.parametrize("kiosk_ahead", [300.0, -300.0, 5 * 3600.0, -5 * 3600.0])
def test_a_skewed_kiosk_sells_with_the_full_qr_time_and_reports_the_skew(
    sandbox: Sandbox, kiosk_ahead: float
) -> None:
    sandbox.advance(-kiosk_ahead)  # the bank's clock moves; the kiosk's stays: the same skew
    path = sandbox.config_path("standard")
    with KaspiClient(kaspi_settings(cfg.load(path))) as client:
        registration.register(client, path, "KIOSK-001", 1)
    with KaspiClient(kaspi_settings(cfg.load(path))) as client:
        payment = client.create_qr(Decimal("150"))
        skew = BANK_CLOCK.skew_seconds
        assert skew is not None and abs(skew - kiosk_ahead) < 3
        b = payment.behavior
        expires_in = expiry_within(payment.expire_date, payment.bank_date, b.scan_timeout)
        assert payment.received_at is not None
        flow = PaymentFlow(payment.payment_id, b, payment.received_at, expires_in=expires_in)
        # The QR stays for the whole QrCodeScanWaitTimeout, whatever the kiosk's clock says.
        assert flow.scan_deadline - flow.created_at == pytest.approx(b.scan_timeout, abs=1.5)
        assert flow.seconds_left(time.monotonic()) > b.scan_timeout - 5
        client.test_action("scan", payment.payment_id)
        client.test_action("confirm", payment.payment_id)
        run_flow(
            flow,
            lambda: client.payment_status(payment.payment_id).status,
            time.monotonic,
            time.sleep,
            lambda _change: None,
        )
    assert flow.state is SaleState.PROCESSED and flow.last_status == PROCESSED
