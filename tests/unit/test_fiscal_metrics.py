"""Receipt metrics on a real exporter port: receipts by state from the journal, the register's
reachability from the sender."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from helpers.journal import sale_in
from test_metrics import SCREENS, TOKEN, config, scrape, value

from kiosk.journal import Answer, Journal
from kiosk.metrics import KioskMetrics
from kiosk.payment.sale import SaleState


@pytest.fixture
def metrics() -> Iterator[KioskMetrics]:
    m = KioskMetrics(SCREENS, "amount")
    yield m
    m.close()


def test_receipts_by_state_and_the_register(tmp_path: Path, metrics: KioskMetrics) -> None:
    with Journal.open(tmp_path, guard=False) as journal:
        journal.receipts.owe_from_now()
        for payment in (1, 2, 3):
            sale_in(journal, SaleState.PROCESSED, payment_id=payment)
        first, second, _ = journal.receipts.open_owed()
        journal.receipts.done(first, Answer("1", "", None, None, False, "{}"))
        journal.receipts.failed(second, "9: refused")
    metrics.apply(config(tmp_path, token=TOKEN))
    reachable: list[bool | None] = [None]
    metrics.watch_register(lambda: reachable[0])
    with requests.Session() as http:
        http.trust_env = False
        text = scrape(metrics, http)
        assert value(text, "kiosk_receipts", state="pending") == 1
        assert value(text, "kiosk_receipts", state="done") == 1
        assert value(text, "kiosk_receipts", state="failed") == 1
        assert value(text, "kiosk_receipts_pending") == 1
        assert value(text, "kiosk_fiscal_register_up") is None  # not asked yet
        reachable[0] = False
        assert value(scrape(metrics, http), "kiosk_fiscal_register_up") == 0
        metrics.watch_register(None)
        assert value(scrape(metrics, http), "kiosk_fiscal_register_up") is None
