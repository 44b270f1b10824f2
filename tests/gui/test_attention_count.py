"""/v1/health's `attention` counts every case waiting for the operator: refunds too."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from helpers.kiosk import kiosk_config

from kiosk import config as cfg
from kiosk.journal import Journal
from kiosk.sandbox import Sandbox


def test_health_counts_refunds_whose_outcome_is_unknown(
    fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    path = kiosk_config(fast_sandbox)
    with Journal.open(cfg.load(path).data_dir) as journal:
        for payment_id in (501, 502):
            refund = journal.refunds.begin(
                payment_id, Decimal("10.00"), scheme="standard", source="operator"
            )
            journal.refunds.unknown(refund, "no answer from the bank")
    shell = start_kiosk(path)
    assert shell.health_info()["attention"] == 2
