"""A real kiosk with metrics on: what it exposes after real sales against the sandbox.

The scrapes run on the test's own thread without turning the Qt loop: the
exporter never needs the GUI thread, and would deadlock here if it did.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from decimal import Decimal
from typing import Any

import pytest
import requests
from helpers.controller import free_port
from helpers.kiosk import current_payment, kiosk_config, press_pay, type_amount
from prometheus_client.parser import text_string_to_metric_families

from kiosk import config as cfg
from kiosk.payment.mode import OutOfServiceReason
from kiosk.payment.sale import SaleState
from kiosk.sandbox import Sandbox

TOKEN = "fleet-scrape-token-0123456789"
STATUS = "/payment/status/"


def scrape(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = requests.get(
        f"http://127.0.0.1:{port}/metrics",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def get(
    metrics: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> Any:
    return metrics.get((name, frozenset(labels.items())))


def sell(qtbot: Any, shell: Any, amount: int) -> tuple[int, int]:
    type_amount(qtbot, shell, amount)
    press_pay(qtbot, shell)
    payment_id = current_payment(qtbot, shell)
    return shell.controller.current.sale_id, payment_id


def test_one_paid_and_one_cancelled_sale_from_outside(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    port = free_port()
    path = kiosk_config(
        fast_sandbox,
        metrics__enabled=True,
        metrics__port=port,
        metrics__token=TOKEN,
        device__device_id="KIOSK-777",
    )
    shell = start_kiosk(path)
    paid, payment_id = sell(qtbot, shell, 350)
    fast_sandbox.scan(payment_id)
    fast_sandbox.confirm(payment_id)
    qtbot.waitUntil(lambda: shell.window.screen_name == "success", timeout=5000)
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=5000)
    cancelled, _ = sell(qtbot, shell, 120)
    assert shell.controller.cancel()
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=2000)
    assert shell.journal.get(paid).state is SaleState.PROCESSED
    assert shell.journal.get(cancelled).state is SaleState.CANCELLED

    m = scrape(port)
    assert get(m, "kiosk_sales_total", state="processed", reason="none") == 1
    assert get(m, "kiosk_sales_total", state="cancelled", reason="cancelled") == 1
    assert sum(v for (name, _), v in m.items() if name == "kiosk_sales_total") == 2
    assert get(m, "kiosk_sales_amount_tenge_total", state="processed") == 350
    assert get(m, "kiosk_sales_amount_tenge_total", state="cancelled") == 120
    assert get(m, "kiosk_sales_needing_attention") == 0
    assert get(m, "kiosk_bank_up") == 1
    info = {
        (dict(k)["device_id"], dict(k)["scheme"]) for (n, k), _ in m.items() if n == "kiosk_info"
    }
    assert info == {("KIOSK-777", "standard")}
    assert get(m, "kiosk_certificate_expiry_timestamp_seconds") > time.time() + 86400
    assert get(m, "kiosk_journal_ok") == 1
    assert get(m, "kiosk_screen", screen="amount") == 1
    assert sum(v for (name, _), v in m.items() if name == "kiosk_out_of_service") == 0
    reads = get(
        m,
        "kiosk_bank_request_duration_seconds_count",
        endpoint="/payment/status/{id}",
        outcome="ok",
    )
    assert reads >= 2  # at least one read per sale, each timed
    assert (
        get(m, "kiosk_bank_request_duration_seconds_count", endpoint="/qr/create", outcome="ok")
        == 2
    )
    endpoints = {dict(k).get("endpoint") for (n, k), _ in m.items()} - {None}
    assert endpoints <= {
        "/health/ping",
        "/qr/create",
        "/payment/status/{id}",
        "/payment/details",
    }, endpoints


def test_a_dead_bank_shows(qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any) -> None:
    port = free_port()
    path = kiosk_config(
        fast_sandbox, metrics__enabled=True, metrics__port=port, metrics__token=TOKEN
    )
    shell = start_kiosk(path)
    assert get(scrape(port), "kiosk_bank_up") == 1
    fast_sandbox.inject_fault("http500", count=0, path_contains="/health/ping")
    qtbot.waitUntil(lambda: shell.window.screen_name == "out_of_service", timeout=10000)
    m = scrape(port)
    assert get(m, "kiosk_bank_up") == 0
    assert get(m, "kiosk_out_of_service", reason="bank") == 1
    assert get(m, "kiosk_screen", screen="out_of_service") == 1
    fast_sandbox.clear_faults()
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=15000)
    assert get(scrape(port), "kiosk_bank_up") == 1


def test_status_read_failures_are_counted_by_kind(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    port = free_port()
    path = kiosk_config(
        fast_sandbox, metrics__enabled=True, metrics__port=port, metrics__token=TOKEN
    )
    shell = start_kiosk(path)
    # The first two status reads of the sale fail, and hide the scan behind them.
    fast_sandbox.inject_fault("http500", count=2, path_contains=STATUS)
    sale_id, payment_id = sell(qtbot, shell, 90)
    fast_sandbox.scan(payment_id)
    qtbot.waitUntil(lambda: shell.window.screen_name == "awaiting", timeout=6000)
    fast_sandbox.confirm(payment_id)
    qtbot.waitUntil(lambda: shell.journal.get(sale_id).state is SaleState.PROCESSED, timeout=6000)
    reads = [r for r in fast_sandbox.requests if STATUS in r.path]
    failed = [r for r in reads if r.http_status != 200]
    assert len(failed) == 2, reads
    m = scrape(port)
    assert get(m, "kiosk_status_read_failures_total", kind="http_5xx") == 2
    assert get(m, "kiosk_status_read_failures_total", kind="timeout") == 0
    ok = get(
        m,
        "kiosk_bank_request_duration_seconds_count",
        endpoint="/payment/status/{id}",
        outcome="ok",
    )
    assert ok == len(reads) - 2


def test_a_taken_metrics_port_does_not_stop_sales(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any, caplog: Any
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        path = kiosk_config(
            fast_sandbox, metrics__enabled=True, metrics__port=port, metrics__token=TOKEN
        )
        shell = start_kiosk(path)
        sale_id, payment_id = sell(qtbot, shell, 50)
        fast_sandbox.scan(payment_id)
        fast_sandbox.confirm(payment_id)
        qtbot.waitUntil(lambda: shell.window.screen_name == "success", timeout=5000)
    assert shell.journal.get(sale_id).amount == Decimal(50)
    assert f"metrics not served on 127.0.0.1:{port} (Address already in use)" in caplog.text
    assert TOKEN not in caplog.text
    assert cfg.load(path).metrics.token == TOKEN


def test_out_of_service_follows_the_mode_and_its_reason(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    """One vocabulary: kiosk_out_of_service{reason} is the mode's cause, whatever the page."""
    port = free_port()
    path = kiosk_config(
        fast_sandbox, metrics__enabled=True, metrics__port=port, metrics__token=TOKEN
    )
    pfx = cfg.load(path).resolve(cfg.load(path).kaspi.cert_file)
    pfx.rename(pfx.with_suffix(".away"))
    shell = start_kiosk(path, wait_for="out_of_service")
    qtbot.waitUntil(lambda: "kaspi.cert_file" in (shell.problem or ""), timeout=5000)
    # The exporter is up although the certificate is missing: the fleet sees why.
    m = scrape(port)
    assert shell.mode.cause is OutOfServiceReason.CONFIG
    assert get(m, "kiosk_out_of_service", reason="config") == 1
    assert sum(v for (name, _), v in m.items() if name == "kiosk_out_of_service") == 1
    assert get(m, "kiosk_screen", screen="out_of_service") == 1

    pfx.with_suffix(".away").rename(pfx)
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=5000)
    m = scrape(port)
    assert sum(v for (name, _), v in m.items() if name == "kiosk_out_of_service") == 0
    assert get(m, "kiosk_certificate_expiry_timestamp_seconds") > time.time()

    shell.window.service_requested.emit()
    assert shell.window.screen_name == "service"
    m = scrape(port)
    assert get(m, "kiosk_screen", screen="service") == 1
    assert sum(v for (name, _), v in m.items() if name == "kiosk_out_of_service") == 0


def test_quit_twice_stops_the_exporter_once(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    """The service screen's quit and Ctrl+Alt+Q may both fire: the second must do nothing."""
    port = free_port()
    path = kiosk_config(
        fast_sandbox, metrics__enabled=True, metrics__port=port, metrics__token=TOKEN
    )
    shell = start_kiosk(path)
    assert get(scrape(port), "kiosk_bank_up") == 1
    shell.quit(exit_app=False)
    shell.window.quit_requested.emit()  # raised "cannot schedule new futures" before
    shell.quit(exit_app=False)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    assert not shell.window.isVisible()


def test_metrics_off_costs_nothing(qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any) -> None:
    """Off (the default): no registry is built and the bank clients get no request hook."""
    shell = start_kiosk(kiosk_config(fast_sandbox))
    assert shell.metrics.recorder is None and shell.metrics.server is None
    clients = shell._clients
    assert clients is not None
    assert all(c._on_request is None for c in (clients.sale, clients.background, clients.health))


def test_the_kiosk_imports_prometheus_client_only_when_metrics_are_on() -> None:
    """Start-up time: the window comes up without the exporter's imports (~80 ms)."""
    code = (
        "import sys, kiosk.app.run, kiosk.gui.shell.kiosk\n"
        "sys.exit(2 if 'prometheus_client' in sys.modules else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
