"""The receipt sender: real journal, the embedded register over real HTTP, faults injected."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.journal import new_sale, sale_in
from helpers.waiting import wait_until

from kiosk.fiscal.emulator import WebkassaEmulator
from kiosk.fiscal.sender import IDLE, RETRY_CAP, ReceiptSender, backoff
from kiosk.fiscal.settings import FiscalSettings
from kiosk.journal import Journal, ReceiptRecord, ReceiptState
from kiosk.payment.sale import SaleState

S = SaleState


@pytest.fixture
def register() -> Iterator[WebkassaEmulator]:
    with WebkassaEmulator() as emulator:
        yield emulator


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal.open(tmp_path / "data") as j:
        yield j


def settings_for(register: WebkassaEmulator, **changes: object) -> FiscalSettings:
    values: dict[str, object] = {
        "provider": "webkassa",
        "base_url": register.base_url,
        "api_key": register.state.api_key,
        "login": register.state.login,
        "password": register.state.password,
        "cashbox": register.state.cashbox,
        "timeout": 2.0,
    }
    values.update(changes)
    return FiscalSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def sender(register: WebkassaEmulator, journal: Journal) -> Iterator[ReceiptSender]:
    s = ReceiptSender(journal, settings_for(register))
    journal.receipts.owe_from_now()  # what start() does, without the thread
    yield s
    s.client.close()


def only_receipt(journal: Journal, sale_id: int) -> ReceiptRecord:
    (record,) = journal.receipts.of_sale(sale_id)
    return record


def test_backoff_is_capped_at_15_seconds() -> None:
    assert [backoff(n) for n in range(1, 7)] == [1, 2, 4, 8, 15, 15]
    assert RETRY_CAP == 15 and IDLE <= 15


def test_paid_sale_gets_one_receipt_totalling_its_amount(
    register: WebkassaEmulator, journal: Journal, sender: ReceiptSender
) -> None:
    paid = new_sale(journal, "1250.50", product="12")
    journal.payment_created(paid, 7001, "2025-03-01T17:03:00.000+05:00")
    journal.set_state(paid, S.PROCESSED)
    unpaid = [sale_in(journal, state, payment_id=7002) for state in (S.FAILED, S.CANCELLED)]
    assert sender.run_pass() == IDLE
    record = only_receipt(journal, paid)
    assert record.state is ReceiptState.DONE and record.check_number
    assert record.ticket_url is not None and record.check_number in record.ticket_url
    assert all(journal.receipts.of_sale(s) == [] for s in unpaid)
    (made,) = register.state.receipts
    assert made.external_number == record.external_number and made.total == Decimal("1250.50")
    positions, payments = made.body["positions"], made.body["payments"]
    assert isinstance(positions, list) and isinstance(payments, list)
    assert sum(Decimal(str(p["price"])) * p["count"] for p in positions) == Decimal("1250.50")
    assert sum(Decimal(str(p["sum"])) for p in payments) == Decimal("1250.50")
    assert positions[0]["positionname"] == "Товар №12"
    assert made.body["externalordernumber"] == str(paid)
    sender.run_pass()
    assert len(register.state.receipts) == 1  # a later pass sends nothing again


@pytest.mark.parametrize("mode", ["http500", "drop", "nonjson"])
def test_faults_are_retried_with_the_same_number(
    register: WebkassaEmulator, journal: Journal, sender: ReceiptSender, mode: str
) -> None:
    sale_id = sale_in(journal, S.PROCESSED)
    register.inject(mode, count=2, path_contains="Check")
    assert sender.run_pass() == backoff(1)
    assert sender.run_pass() == backoff(2)
    assert only_receipt(journal, sale_id).state is ReceiptState.PENDING
    assert sender.reachability.reachable is False
    assert sender.run_pass() == IDLE
    record = only_receipt(journal, sale_id)
    assert record.state is ReceiptState.DONE and record.attempts == 3
    sent = register.checks_of(record.external_number)
    assert len(sent) == 3  # every try carried the receipt's one number
    assert len(register.state.receipts) == 1
    assert register.state.receipts[0].data["CheckNumber"] == record.check_number


def test_unreachable_register_keeps_the_receipt_pending(
    register: WebkassaEmulator, journal: Journal, sender: ReceiptSender
) -> None:
    sale_id = sale_in(journal, S.PROCESSED)
    register.stop()
    assert sender.run_pass() == backoff(1)
    record = only_receipt(journal, sale_id)
    assert record.state is ReceiptState.PENDING and record.error


@pytest.mark.slow
def test_timeout_then_the_same_receipt(
    register: WebkassaEmulator, journal: Journal, sender: ReceiptSender
) -> None:
    sale_id = sale_in(journal, S.PROCESSED)
    register.inject("slow", path_contains="Check", delay=3.0)  # made, answered too late
    sender.run_pass()
    assert only_receipt(journal, sale_id).state is ReceiptState.PENDING
    sender.run_pass()
    assert only_receipt(journal, sale_id).state is ReceiptState.DONE
    assert len(register.state.receipts) == 1


def test_expired_token_is_renewed(
    register: WebkassaEmulator, journal: Journal, sender: ReceiptSender
) -> None:
    first = sale_in(journal, S.PROCESSED)
    sender.run_pass()
    register.state.expire_tokens()
    second = sale_in(journal, S.PROCESSED)
    sender.run_pass()
    assert only_receipt(journal, first).state is ReceiptState.DONE
    assert only_receipt(journal, second).state is ReceiptState.DONE
    assert sum(1 for s in register.seen if s.path.endswith("Authorize")) == 2


def test_shift_over_24_hours_is_closed_then_the_receipt_sent(
    register: WebkassaEmulator, journal: Journal, sender: ReceiptSender
) -> None:
    sale_in(journal, S.PROCESSED)
    sender.run_pass()
    register.state.age_shift(25)
    sale_id = sale_in(journal, S.PROCESSED)
    sender.run_pass()
    assert only_receipt(journal, sale_id).state is ReceiptState.DONE
    assert len(register.state.zreports) == 1
    assert register.state.receipts[-1].data["ShiftNumber"] == 2


def test_offline_over_72_hours_waits_for_the_register(
    register: WebkassaEmulator, journal: Journal, sender: ReceiptSender
) -> None:
    sale_id = sale_in(journal, S.PROCESSED)
    register.state.go_offline(hours=73)
    sender.run_pass()
    record = only_receipt(journal, sale_id)
    assert record.state is ReceiptState.PENDING and "72" in (record.error or "")
    register.state.go_online()
    sender.run_pass()
    assert only_receipt(journal, sale_id).state is ReceiptState.DONE


def test_refused_for_good_is_failed_with_the_registers_text(
    register: WebkassaEmulator, journal: Journal
) -> None:
    journal.receipts.owe_from_now()
    sale_id = sale_in(journal, S.PROCESSED)
    refused = ReceiptSender(journal, settings_for(register, vat_percent=8))
    try:
        refused.run_pass()
        record = only_receipt(journal, sale_id)
        assert record.state is ReceiptState.FAILED
        assert record.error is not None and "Ставка НДС" in record.error
        assert [r.receipt_id for r in journal.receipts.needing_operator()] == [record.receipt_id]
        refused.retry(record.receipt_id)
        assert only_receipt(journal, sale_id).state is ReceiptState.PENDING
    finally:
        refused.client.close()
    fixed = ReceiptSender(journal, settings_for(register, vat_percent=12))
    try:
        fixed.run_pass()
    finally:
        fixed.client.close()
    record = only_receipt(journal, sale_id)
    assert record.state is ReceiptState.DONE and record.attempts == 2
    assert register.state.receipts[0].body["positions"][0]["tax"] == Decimal("10.71")  # type: ignore[index]


def test_refund_gets_a_return_receipt_naming_the_sale(
    register: WebkassaEmulator, journal: Journal, sender: ReceiptSender
) -> None:
    sale_id = sale_in(journal, S.PROCESSED, payment_id=7001)
    refund_id = journal.refunds.begin(
        7001, Decimal("40.00"), scheme="enhanced", source="service", sale_id=sale_id
    )
    journal.refunds.done(refund_id, 900001)
    sender.run_pass()  # the sale receipt, then (found in the next pass) its return
    sender.run_pass()
    sale_receipt, return_receipt = journal.receipts.of_sale(sale_id)
    assert return_receipt.state is ReceiptState.DONE and return_receipt.refund_id == refund_id
    made = register.state.receipts[-1]
    assert made.operation == 3 and made.total == Decimal("40.00")
    basis = made.body["returnbasisdetails"]
    assert isinstance(basis, dict)
    assert basis["checknumber"] == sale_receipt.check_number
    assert basis["registrationnumber"] == register.state.registration_number
    assert basis["total"] == Decimal("100.00") and basis["isoffline"] is False
    assert basis["datetime"] == sale_receipt.date_time


def test_the_thread_sends_at_once_when_woken(register: WebkassaEmulator, journal: Journal) -> None:
    on_done: list[ReceiptRecord] = []
    sender = ReceiptSender(journal, settings_for(register), on_done=on_done.append).start()
    try:
        wait_until(lambda: sender.reachability.reachable is None, 1, "the first pass")
        sale_id = sale_in(journal, S.PROCESSED)
        sender.wake()
        wait_until(lambda: on_done, 5, "the receipt")
        assert on_done[0].sale_id == sale_id and on_done[0].state is ReceiptState.DONE
    finally:
        sender.stop()


def test_daily_zreport_once_a_day(register: WebkassaEmulator, journal: Journal) -> None:
    from datetime import datetime

    moments = [datetime(2026, 12, 3, 23, 54), datetime(2026, 12, 3, 23, 56)]
    journal.receipts.owe_from_now()
    sale_in(journal, S.PROCESSED)
    sender = ReceiptSender(
        journal, settings_for(register, zreport_time="23:55"), now=lambda: moments[0]
    )
    try:
        sender.run_pass()
        assert register.state.zreports == []
        moments[0] = moments[1]
        sender.run_pass()
        sender.run_pass()
        assert len(register.state.zreports) == 1
    finally:
        sender.client.close()


@pytest.mark.slow
def test_sigkill_between_check_and_its_answer_leaves_one_receipt(
    register: WebkassaEmulator, tmp_path: Path
) -> None:
    """A real process (`kiosk fiscal send`, the kiosk's sender in one pass) killed while its
    Check was made at the register but not yet answered; the next one ends it, once."""
    data = tmp_path / "data"
    with Journal.open(data) as journal:
        journal.receipts.owe_from_now()
        sale_id = sale_in(journal, S.PROCESSED)
    path = tmp_path / "kiosk.toml"
    s = settings_for(register, timeout=60.0)
    path.write_text(
        '[kaspi]\nscheme = "basic"\napi_key = "test_0123456789abcdef"\n'
        'base_url = "https://mtokentest.kaspi.kz:8543/r1/v01"\n'
        f'[storage]\ndata_dir = "{data.as_posix()}"\n'
        f'[fiscal]\nprovider = "webkassa"\nbase_url = "{s.base_url}"\n'
        f'api_key = "{s.api_key}"\nlogin = "{s.login}"\npassword = "{s.password}"\n'
        f'cashbox = "{s.cashbox}"\ntimeout = 60.0\n',
        encoding="utf-8",
    )
    register.inject("slow", path_contains="Check", delay=60.0)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    command = [sys.executable, "-m", "kiosk", "--config", str(path), "fiscal", "send"]
    child = subprocess.Popen(command, env=env)
    try:
        wait_until(lambda: register.state.receipts, 30, "the receipt made at the register")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    with Journal.open(data) as journal:
        record = only_receipt(journal, sale_id)
        assert record.state is ReceiptState.PENDING and record.attempts == 1
    register.clear_faults()
    again = subprocess.run(command, env=env, timeout=60, check=False)
    assert again.returncode == 0
    with Journal.open(data, guard=False) as journal:
        record = only_receipt(journal, sale_id)
    assert record.state is ReceiptState.DONE and record.attempts == 2
    assert len(register.state.receipts) == 1
    assert register.state.receipts[0].data["CheckNumber"] == record.check_number
    checks = register.checks_of(record.external_number)
    # The first Check's answer was still held back when the process died; the second is 14.
    assert checks and checks[-1].codes == (14,)
    assert json.loads(record.answer or "{}")["CheckNumber"] == record.check_number
