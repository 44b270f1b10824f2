"""A vending controller drives the real kiosk through the host API."""

from __future__ import annotations

import threading
from typing import Any

import requests
from helpers.controller import HostApi
from helpers.kiosk import kiosk_config

from kiosk.sandbox import Sandbox


def test_controller_charges_an_amount_and_learns_it_was_paid(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    path = kiosk_config(fast_sandbox)
    shell = start_kiosk(path)
    api = HostApi(path, qtbot)
    health = api.get("/health").json()
    assert health["ok"] and health["bank_reachable"] is True
    created = api.post("/sales", json={"amount": 350, "external_id": "order-17"})
    assert created.status_code == 201, created.text
    sale_id = created.json()["sale_id"]
    qtbot.waitUntil(lambda: shell.window.qr_screen.has_qr(), timeout=5000)
    assert shell.window.amount_screen.amount() == 0  # the customer typed nothing
    sale = api.get(f"/sales/{sale_id}").json()
    assert (
        sale["state"] == "qr" and sale["amount"] == "350.00" and sale["external_id"] == "order-17"
    )
    assert api.get("/state").json() == {"screen": "qr", "sale_id": sale_id}
    payment_id = sale["qr_payment_id"]
    assert fast_sandbox.payment(payment_id)["external_id"] == "order-17"  # sent as ExternalId
    busy = api.post("/sales", json={"amount": 10})
    assert busy.status_code == 409 and busy.json()["sale_id"] == sale_id

    fast_sandbox.scan(payment_id)
    waited = api.get(f"/sales/{sale_id}", params={"wait": 10}).json()  # answers on the change
    assert waited["state"] == "awaiting"
    fast_sandbox.confirm(payment_id)
    final = api.get(f"/sales/{sale_id}", params={"wait": 10}).json()
    assert final["state"] == "processed" and final["needs_refund"] is False
    # A retry of the same order does not charge twice.
    again = api.post("/sales", json={"amount": 350, "external_id": "order-17"})
    assert again.status_code == 200 and again.json()["sale_id"] == sale_id


def test_controller_cancels_before_the_scan(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    path = kiosk_config(fast_sandbox)
    shell = start_kiosk(path)
    api = HostApi(path, qtbot)
    sale_id = api.post("/sales", json={"amount": "99.50"}).json()["sale_id"]
    qtbot.waitUntil(lambda: shell.window.qr_screen.has_qr(), timeout=5000)
    cancelled = api.post(f"/sales/{sale_id}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=2000)
    assert not shell.window.qr_screen.has_qr()


def test_cancel_after_the_scan_is_refused(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    path = kiosk_config(fast_sandbox)
    shell = start_kiosk(path)
    api = HostApi(path, qtbot)
    sale = api.post("/sales", json={"amount": 20}).json()
    qtbot.waitUntil(lambda: shell.window.qr_screen.has_qr(), timeout=5000)
    payment_id = api.get(f"/sales/{sale['sale_id']}").json()["qr_payment_id"]
    fast_sandbox.scan(payment_id)
    qtbot.waitUntil(lambda: shell.window.screen_name == "awaiting", timeout=3000)
    refused = api.post(f"/sales/{sale['sale_id']}/cancel")
    assert refused.status_code == 409 and refused.json()["error"] == "not_cancellable"
    assert shell.window.screen_name == "awaiting"


def test_bad_amounts_and_tokens_are_refused_and_nothing_starts(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    path = kiosk_config(fast_sandbox)
    shell = start_kiosk(path)
    api = HostApi(path, qtbot)
    before = len(fast_sandbox.requests)
    for amount in (0, -5, "abc", True, 1.234, 10_000_000, None):
        r = api.post("/sales", json={"amount": amount})
        assert r.status_code in (400, 422), (amount, r.text)
        assert "message" in r.json()
    anonymous = requests.post(api.base + "/sales", json={"amount": 10}, timeout=5)
    assert anonymous.status_code == 401  # refused before the kiosk is asked: no thread needed
    wrong = requests.post(
        api.base + "/sales",
        json={"amount": 10},
        timeout=5,
        headers={"Authorization": "Bearer not-the-token"},
    )
    assert wrong.status_code == 401
    assert shell.window.screen_name == "amount"
    assert not [r for r in fast_sandbox.requests[before:] if r.path.endswith("/qr/create")]
    assert shell.journal.list() == []


def test_stopping_the_host_api_ends_a_long_poll_on_the_real_gateway(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    path = kiosk_config(fast_sandbox)
    shell = start_kiosk(path)
    api = HostApi(path, qtbot)
    sale_id = api.post("/sales", json={"amount": 40}).json()["sale_id"]
    qtbot.waitUntil(lambda: shell.window.qr_screen.has_qr(), timeout=5000)
    box: dict[str, Any] = {}
    entered, left = threading.Event(), threading.Event()
    real_wait = shell.gateway.wait_for_change

    def observed_wait(*args: Any) -> Any:
        entered.set()
        try:
            return real_wait(*args)
        finally:
            left.set()

    shell.gateway.wait_for_change = observed_wait

    def long_poll() -> None:
        try:
            box["answer"] = api.session.get(
                f"{api.base}/sales/{sale_id}", params={"wait": 60, "state": "qr"}, timeout=70
            )
        except requests.RequestException as exc:
            # Closed before or while the answer was written (a connection error, or a body
            # cut short): either way the long-poll ended with the server, not after 60 s.
            box["answer"] = exc

    poller = threading.Thread(target=long_poll, daemon=True)
    poller.start()
    qtbot.waitUntil(entered.is_set, timeout=5000)
    shell.host_api.stop()  # on the GUI thread, as the kiosk's own quit does
    # Well before its 60 s: the gateway's wait was woken and the connection closed.
    assert left.is_set()  # stop() returned after the server's thread left the gateway
    qtbot.waitUntil(lambda: not poller.is_alive(), timeout=10000)
    assert "answer" in box
    assert [t for t in threading.enumerate() if t.name.startswith("waitress")] == []


def test_controller_cancels_while_pending_and_the_qr_is_watched_anyway(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    """Cancel before the scan includes `pending` (qr/create still running).
    The cancel stands at once; the payment the bank still makes is followed to its deadline,
    and paid anyway it is recorded as paid_after_cancel."""
    path = kiosk_config(fast_sandbox)
    shell = start_kiosk(path)
    api = HostApi(path, qtbot)
    fast_sandbox.inject_fault("slow", count=1, path_contains="/qr/create", delay=1.5)
    sale_id = api.post("/sales", json={"amount": 75}).json()["sale_id"]
    assert api.get(f"/sales/{sale_id}").json()["state"] == "pending"
    cancelled = api.post(f"/sales/{sale_id}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled"
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=2000)

    # qr/create answers after the cancel: the payment id is journalled, the QR never shown.
    qtbot.waitUntil(lambda: shell.journal.get(sale_id).qr_payment_id is not None, timeout=5000)
    record = shell.journal.get(sale_id)
    assert record.state.value == "cancelled" and shell.window.screen_name == "amount"
    assert sale_id in shell.controller.watching
    fast_sandbox.scan(record.qr_payment_id)  # somebody pays that payment all the same
    fast_sandbox.confirm(record.qr_payment_id)
    paid = api.get(f"/sales/{sale_id}", params={"wait": 10, "state": "cancelled"}).json()
    assert (paid["state"], paid["reason"], paid["needs_refund"]) == (
        "processed",
        "paid_after_cancel",
        True,
    )
