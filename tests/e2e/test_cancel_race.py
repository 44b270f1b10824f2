"""A controller's cancel racing the customer's scan, against a real kiosk process and sandbox.

The kiosk hears of a scan only at its next poll, so before it answers a cancel it asks
the bank once: `cancelled` is said only of a QR the bank still has unscanned. The
customer scans through the sandbox's own test endpoint, over HTTPS, as the phone would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.kiosk import FAST, kiosk_config
from helpers.kiosk_host import HostKiosk
from helpers.sandbox import Bank

from kiosk.sandbox import Sandbox

#: The window is the same in every round (the cancel follows the scan at once); 20 rounds
#: take about 25 s.
ROUNDS = 20


@pytest.fixture
def rig(
    sandbox_factory: Callable[..., Sandbox], tmp_path: Path
) -> Iterator[tuple[HostKiosk, Bank]]:
    sandbox = sandbox_factory(**{**FAST, "scan_timeout": 30, "confirm_timeout": 30})
    kiosk = HostKiosk(kiosk_config(sandbox), tmp_path / "kiosk.out")
    try:
        yield kiosk, Bank(sandbox, "standard")
    finally:
        kiosk.kill()


def test_a_cancel_after_the_scan_is_never_answered_cancelled(
    rig: tuple[HostKiosk, Bank],
) -> None:
    kiosk, bank = rig
    kiosk.start()
    kiosk.ready()
    answers: list[int] = []
    for n in range(ROUNDS):
        created = kiosk.post("/sales", {"amount": 100 + n, "external_id": f"race-{n}"})
        assert created.status_code == 201, created.text
        sale = kiosk.wait_sale(created.json()["sale_id"], "qr")
        payment_id = sale["qr_payment_id"]
        scanned = bank.post("/test/payment/scan", {"qrPaymentId": str(payment_id)})
        assert scanned["StatusCode"] == 0, scanned
        # At once: the kiosk's own poll (1 s) has not seen the scan yet.
        cancel = kiosk.post(f"/sales/{sale['sale_id']}/cancel")
        answers.append(cancel.status_code)
        assert cancel.status_code == 409, (n, cancel.text)
        assert cancel.json()["error"] == "not_cancellable"
        bank.post("/test/payment/confirm", {"qrPaymentId": str(payment_id)})
        paid = kiosk.wait_sale(sale["sale_id"], "processed")
        assert paid["needs_refund"] is False, paid  # the sale went on: paid, hand over
    assert answers == [409] * ROUNDS


def test_a_cancel_before_the_scan_is_cancelled(rig: tuple[HostKiosk, Bank]) -> None:
    kiosk, _bank = rig
    kiosk.start()
    kiosk.ready()
    created = kiosk.post("/sales", {"amount": 100})
    sale = kiosk.wait_sale(created.json()["sale_id"], "qr")
    cancel = kiosk.post(f"/sales/{sale['sale_id']}/cancel")
    assert cancel.status_code == 200, cancel.text
    assert cancel.json()["state"] == "cancelled"
