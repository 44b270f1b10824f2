"""The real kiosk with an online register: a paid sale's receipt, on screen and on the host API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from helpers.controller import HostApi
from helpers.kiosk import kiosk_config
from helpers.screens import button, label
from test_service_flows import click, open_service, tap

from kiosk.fiscal.emulator import WebkassaEmulator
from kiosk.fiscal.sender import IDLE
from kiosk.gui.shell.fiscal_link import FiscalLink
from kiosk.journal import ReceiptState
from kiosk.sandbox import Sandbox


@pytest.fixture
def register() -> Iterator[WebkassaEmulator]:
    with WebkassaEmulator() as emulator:
        yield emulator


def fiscal_edits(register: WebkassaEmulator) -> dict[str, Any]:
    return {f"fiscal__{k}": v for k, v in register.config_values().items()}


def pay(qtbot: Any, sandbox: Sandbox, api: HostApi, amount: int) -> dict[str, Any]:
    """A sale the customer pays; the sale as the host API shows it once it has ended."""
    created = api.post("/sales", json={"amount": amount})
    assert created.status_code == 201, created.text
    sale = created.json()
    while sale["state"] == "pending":
        sale = api.get(f"/sales/{sale['sale_id']}", params={"wait": 10, "state": "pending"}).json()
    sandbox.scan(sale["qr_payment_id"])
    sandbox.confirm(sale["qr_payment_id"])
    for _ in range(20):
        if sale["state"] == "processed":
            break
        sale = api.get(
            f"/sales/{sale['sale_id']}", params={"wait": 10, "state": sale["state"]}
        ).json()
    return dict(sale)


def test_a_paid_sale_shows_its_receipt(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any, register: WebkassaEmulator
) -> None:
    path = kiosk_config(fast_sandbox, sale__result_seconds=5.0, **fiscal_edits(register))
    shell = start_kiosk(path)
    api = HostApi(path, qtbot)
    sale = pay(qtbot, fast_sandbox, api, 350)
    assert sale["state"] == "processed" and sale["receipt"]["state"] in ("pending", "done")
    screen = shell.window.result_screen
    qtbot.waitUntil(lambda: screen.receipt_qr.has_qr(), timeout=10000)
    assert shell.window.screen_name == "success" and screen.receipt_caption.text() == "Чек"
    (made,) = register.state.receipts
    assert made.total == 350 and screen.receipt_qr.content == made.data["TicketUrl"]
    done = api.get(f"/sales/{sale['sale_id']}").json()["receipt"]
    assert done == {
        "state": "done",
        "number": made.data["CheckNumber"],
        "url": made.data["TicketUrl"],
    }


def test_a_register_out_of_reach_promises_nothing(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any, register: WebkassaEmulator
) -> None:
    register.inject("http500", count=0, path_contains="Check")
    path = kiosk_config(fast_sandbox, sale__result_seconds=3.0, **fiscal_edits(register))
    shell = start_kiosk(path)
    api = HostApi(path, qtbot)
    sale = pay(qtbot, fast_sandbox, api, 200)
    screen = shell.window.result_screen
    qtbot.waitUntil(lambda: shell.window.screen_name == "success", timeout=5000)
    assert not screen.receipt_qr.isVisible()
    assert screen.receipt_note.isVisible() and not screen.receipt_caption.isVisible()
    assert "будет отправлен" in screen.receipt_note.text()
    assert api.get(f"/sales/{sale['sale_id']}").json()["receipt"]["state"] == "pending"
    # The register comes back: the same receipt goes out, once.
    register.clear_faults()
    journal = shell.journal
    assert journal is not None
    qtbot.waitUntil(
        lambda: (
            (r := journal.receipts.sale_receipt(sale["sale_id"])) is not None
            and r.state is ReceiptState.DONE
        ),
        timeout=20000,
    )
    assert len(register.state.receipts) == 1


def test_no_register_no_receipt(qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any) -> None:
    path = kiosk_config(fast_sandbox, sale__result_seconds=3.0)
    shell = start_kiosk(path)
    api = HostApi(path, qtbot)
    sale = pay(qtbot, fast_sandbox, api, 100)
    assert sale["state"] == "processed" and sale["receipt"] is None
    qtbot.waitUntil(lambda: shell.window.screen_name == "success", timeout=5000)
    assert not shell.window.result_screen.receipt_note.isVisible()
    assert shell.controller.findChildren(FiscalLink) == []


def test_the_operator_sends_a_refused_receipt_again_and_closes_the_shift(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any, register: WebkassaEmulator
) -> None:
    # The register refuses the receipt for good (a VAT rate the organisation lacks).
    path = kiosk_config(fast_sandbox, **{**fiscal_edits(register), "fiscal__vat_percent": 8})
    shell = start_kiosk(path)
    api = HostApi(path, qtbot)
    sale = pay(qtbot, fast_sandbox, api, 500)
    journal = shell.journal
    assert journal is not None
    qtbot.waitUntil(
        lambda: (
            (r := journal.receipts.sale_receipt(sale["sale_id"])) is not None
            and r.state is ReceiptState.FAILED
        ),
        timeout=10000,
    )
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=10000)
    screen = open_service(qtbot, shell)
    click(qtbot, screen, "tab_attention")
    receipt = journal.receipts.sale_receipt(sale["sale_id"])
    assert receipt is not None
    name = f"receipt_retry_{receipt.receipt_id}"
    qtbot.waitUntil(lambda: button(screen, name) is not None, timeout=5000)
    assert "(1)" in button(screen, "tab_attention").text()
    click(qtbot, screen, name)
    # Back to pending, sent again by the kiosk (the register refuses it again: a bad rate).
    qtbot.waitUntil(
        lambda: "receipt_retry" in [e.kind for e in journal.events(sale["sale_id"])],
        timeout=5000,
    )
    click(qtbot, screen, "tab_system")
    click(qtbot, screen, "system_zreport")
    tap(qtbot, screen, "system_yes")
    qtbot.waitUntil(
        lambda: (
            "закрыта" in label(screen, "system_page_message").text()
            or "нечего" in label(screen, "system_page_message").text()
        ),
        timeout=10000,
    )


def test_a_refund_gets_a_return_receipt_naming_the_sale(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any, register: WebkassaEmulator
) -> None:
    from decimal import Decimal

    from kiosk.operator.desk import OperatorDesk

    path = kiosk_config(fast_sandbox, "enhanced", **fiscal_edits(register))
    shell = start_kiosk(path)
    api = HostApi(path, qtbot)
    sale = pay(qtbot, fast_sandbox, api, 700)
    journal = shell.journal
    assert journal is not None and shell.config is not None
    qtbot.waitUntil(lambda: len(register.state.receipts) == 1, timeout=10000)
    desk = OperatorDesk(shell.config, journal)
    try:
        plan = desk.plan(sale["qr_payment_id"], Decimal(300))
        desk.refund(plan)  # the operator's refund (service mode's, on this thread here)
    finally:
        desk.close()
    # The done refund wakes the sender: its return receipt goes now, not with the next
    # idle pass (IDLE, 15 s after the sale's receipt), which this wait would not outlast.
    qtbot.waitUntil(lambda: len(register.state.receipts) == 2, timeout=IDLE * 1000 / 3)
    original, back = register.state.receipts
    assert back.operation == 3 and back.total == 300
    basis = back.body["returnbasisdetails"]
    assert isinstance(basis, dict)
    assert basis["checknumber"] == original.data["CheckNumber"] and basis["total"] == 700
    qtbot.waitUntil(
        lambda: (
            [r.state for r in journal.receipts.of_sale(sale["sale_id"])]
            == [ReceiptState.DONE, ReceiptState.DONE]
        ),
        timeout=5000,
    )


def test_a_receipt_without_a_link_ends_the_promise(qtbot: Any) -> None:
    from decimal import Decimal

    from kiosk.gui.screens.result import ResultScreen

    screen = ResultScreen()
    qtbot.addWidget(screen)
    screen.show()
    screen.show_success(Decimal(100))
    screen.show_receipt(None)
    assert screen.receipt_note.isVisible() and not screen.receipt_box.isVisible()
    screen.show_receipt("")  # made, but the register sent no OFD link: no QR, no promise
    assert not screen.receipt_note.isVisible() and not screen.receipt_box.isVisible()
    screen.show_receipt("http://ofd/consumer?i=1")
    assert screen.receipt_box.isVisible() and not screen.icon.isVisible()
    screen.show_error("declined")  # the next customer's failure shows no receipt
    assert not screen.receipt_note.isVisible() and not screen.receipt_box.isVisible()
