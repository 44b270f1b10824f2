"""The metrics exporter on a real port: text format, token, labels, what the kiosk reports."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from kiosk import config as cfg
from kiosk.config import Config, ConfigError
from kiosk.journal import Journal
from kiosk.kaspi import errors
from kiosk.metrics import KioskMetrics
from kiosk.metrics import labels as lb
from kiosk.payment.mode import Mode, OutOfServiceReason
from kiosk.payment.sale import Reason, SaleState

TOKEN = "metrics-token-0123456789"
SCREENS = ("amount", "qr", "awaiting", "success", "error", "out_of_service", "service")


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition, parsed by prometheus_client's own parser."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float | None:
    return samples(text).get((name, frozenset(labels.items())))


def config(tmp_path: Path, **metrics: object) -> Config:
    c = cfg.Config().replace("storage", data_dir=str(tmp_path))
    return c.replace("metrics", **{"enabled": True, "port": 0, **metrics})


@pytest.fixture
def metrics() -> Iterator[KioskMetrics]:
    m = KioskMetrics(SCREENS, "out_of_service")
    yield m
    m.close()


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.trust_env = False
        yield s


def scrape(m: KioskMetrics, http: requests.Session, token: str | None = TOKEN) -> str:
    assert m.server is not None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = http.get(m.server.url, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return response.text


# --- labels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/r2/v01/payment/status/500000123", "/payment/status/{id}"),
        ("/r2/v02/payment/status/7", "/payment/status/{id}"),
        ("/r3/v01/partner/tradepoints/180340000000", "/partner/tradepoints/{id}"),
        ("/r1/v01/health/ping", "/health/ping"),
        ("/qr/create", "/qr/create"),
        ("/some/prefix/r2/v01/qr/create-link", "/qr/create-link"),
        ("/r2/v01/test/payment/confirm", "/test/payment/confirm"),
        ("/r2/v01/payment/status/abc", "other"),
        ("/r2/v01/payment/status/1/2", "other"),
        ("/r2/v01/whatever/123", "other"),
        ("/", "other"),
    ],
)
def test_a_route_is_a_template_without_ids(path: str, route: str) -> None:
    assert lb.route(path) == route


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (None, "ok"),
        (errors.RequestTimeout("t"), "timeout"),
        (errors.ConnectError("c"), "connect"),
        (errors.TlsError("tls"), "tls"),
        (errors.HttpError("h", status=502), "http_5xx"),
        (errors.HttpError("h", status=404), "http_4xx"),
        (errors.HttpError("not json", status=200), "bad_answer"),
        (errors.ApiError(-999, None), "unavailable"),
        (errors.ApiError(-1601, None), "api_error"),
        (errors.ProtocolError("p"), "bad_answer"),
        (RuntimeError("a bug"), "other"),
    ],
)
def test_every_failure_has_a_kind(error: BaseException | None, outcome: str) -> None:
    assert lb.outcome(error) == outcome
    assert outcome == "ok" or outcome in lb.FAILURES


# --- the exporter --------------------------------------------------------------------------------


def test_the_token_is_required_and_compared_whole(
    tmp_path: Path, metrics: KioskMetrics, http: requests.Session
) -> None:
    metrics.apply(config(tmp_path, token=TOKEN))
    assert metrics.server is not None
    url = metrics.server.url
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {TOKEN}x"}):
        response = http.get(url, headers=headers, timeout=10)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "kiosk_" not in response.text
    assert value(scrape(metrics, http), "kiosk_journal_ok") is not None


def test_only_metrics_is_served(
    tmp_path: Path, metrics: KioskMetrics, http: requests.Session
) -> None:
    metrics.apply(config(tmp_path))
    assert metrics.server is not None
    base = metrics.server.url.removesuffix("/metrics")
    for path in ("/", "/v1/health", "/metrics/x", "/favicon.ico"):
        assert http.get(base + path, timeout=10).status_code == 404
    assert http.get(base + "/metrics", timeout=10).status_code == 200


def test_a_taken_port_is_one_log_line_and_no_exporter(
    tmp_path: Path, metrics: KioskMetrics, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        metrics.apply(config(tmp_path, port=port, token=TOKEN))
    assert metrics.server is None
    lines = [
        r.getMessage()
        for r in caplog.records
        if r.name == "kiosk.metrics" and r.levelno >= logging.WARNING
    ]
    assert lines == [
        f"metrics not served on 127.0.0.1:{port} (Address already in use);"
        " the kiosk runs on without them"
    ]
    assert TOKEN not in caplog.text


def test_the_exporter_follows_the_config(
    tmp_path: Path, metrics: KioskMetrics, http: requests.Session
) -> None:
    metrics.apply(config(tmp_path))
    first = metrics.server
    assert first is not None
    metrics.apply(config(tmp_path))  # the same again (a re-boot): the same server
    assert metrics.server is first
    metrics.apply(config(tmp_path, token=TOKEN))  # a new token: a new server that wants it
    assert metrics.server is not first and metrics.server is not None
    assert http.get(metrics.server.url, timeout=10).status_code == 401
    url = metrics.server.url
    metrics.apply(config(tmp_path, enabled=False))
    assert metrics.server is None
    with pytest.raises(requests.ConnectionError):
        http.get(url, timeout=10)


def test_a_warning_when_served_beyond_this_machine_without_a_token(
    tmp_path: Path, metrics: KioskMetrics, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.metrics")
    metrics.apply(config(tmp_path, bind="0.0.0.0"))
    assert "metrics served on 0.0.0.0 without a token (set metrics.token)" in caplog.text


# --- what the kiosk reports ----------------------------------------------------------------------


def test_a_fresh_kiosk(tmp_path: Path, metrics: KioskMetrics, http: requests.Session) -> None:
    metrics.apply(config(tmp_path, token=TOKEN).replace("device", device_id="KIOSK-42"))
    text = scrape(metrics, http)
    info = {
        "version": "0.1.0",
        "scheme": "standard",
        "device_id": "KIOSK-42",
        "trade_point": "0",
    }
    assert value(text, "kiosk_info", **info) == 1
    assert value(text, "kiosk_screen", screen="out_of_service") == 1
    assert value(text, "kiosk_screen", screen="amount") == 0
    assert value(text, "kiosk_out_of_service", reason="starting") == 1
    # Nothing pinged yet, no certificate told, no journal file: absent or 0, never made up.
    assert value(text, "kiosk_bank_up") is None
    assert value(text, "kiosk_certificate_expiry_timestamp_seconds") is None
    assert value(text, "kiosk_journal_ok") == 0
    assert value(text, "kiosk_status_read_failures_total", kind="timeout") == 0


def test_screens_and_out_of_service_are_state_sets(
    tmp_path: Path, metrics: KioskMetrics, http: requests.Session
) -> None:
    def out_of_service() -> dict[str, float]:
        found = samples(scrape(metrics, http)).items()
        return {dict(k)["reason"]: v for (n, k), v in found if n == "kiosk_out_of_service"}

    every = {reason.value: 0.0 for reason in OutOfServiceReason}
    Journal.open(tmp_path).close()
    metrics.apply(config(tmp_path, token=TOKEN))
    metrics.mode_changed(Mode.OUT_OF_SERVICE, OutOfServiceReason.BANK)
    assert out_of_service() == {**every, "bank": 1.0}
    metrics.screen_changed("amount")
    metrics.mode_changed(Mode.IDLE, None)
    text = scrape(metrics, http)
    screens = {dict(k)["screen"]: v for (n, k), v in samples(text).items() if n == "kiosk_screen"}
    assert screens == {s: float(s == "amount") for s in SCREENS}
    assert out_of_service() == every
    metrics.mode_changed(Mode.SELLING, None)
    assert out_of_service() == every
    # Service mode with a problem remembered for later: the operator's choice, not a breakdown.
    metrics.mode_changed(Mode.SERVICE, OutOfServiceReason.JOURNAL)
    assert out_of_service() == every
    metrics.mode_changed(Mode.STARTING, OutOfServiceReason.STARTING)
    assert out_of_service() == {**every, "starting": 1.0}
    metrics.mode_changed(Mode.OUT_OF_SERVICE, OutOfServiceReason.JOURNAL)
    text = scrape(metrics, http)
    assert value(text, "kiosk_out_of_service", reason="journal") == 1
    assert value(text, "kiosk_journal_ok") == 0  # readable, but the kiosk is stopped by it


def test_requests_the_bank_answered_and_did_not(
    tmp_path: Path, metrics: KioskMetrics, http: requests.Session
) -> None:
    metrics.apply(config(tmp_path, token=TOKEN))
    metrics.on_request("/r2/v01/health/ping", None, 0.02)
    metrics.on_request("/r2/v01/payment/status/500000001", None, 0.03)
    metrics.on_request("/r2/v01/payment/status/500000001", errors.RequestTimeout("t"), 15.0)
    metrics.on_request("/r2/v01/payment/status/500000002", errors.ApiError(-999, None), 0.1)
    metrics.on_request("/r2/v01/payment/details", errors.RequestTimeout("t"), 15.0)
    text = scrape(metrics, http)
    assert value(text, "kiosk_bank_up") == 1
    assert value(text, "kiosk_status_read_failures_total", kind="timeout") == 1
    assert value(text, "kiosk_status_read_failures_total", kind="unavailable") == 1
    count = "kiosk_bank_request_duration_seconds_count"
    assert value(text, count, endpoint="/payment/status/{id}", outcome="ok") == 1
    assert value(text, count, endpoint="/payment/status/{id}", outcome="timeout") == 1
    assert value(text, count, endpoint="/payment/details", outcome="timeout") == 1
    assert "500000001" not in text and "500000002" not in text
    metrics.on_request("/r2/v01/health/ping", errors.ConnectError("down"), 0.01)
    assert value(scrape(metrics, http), "kiosk_bank_up") == 0


def test_sales_come_from_the_journal(
    tmp_path: Path, metrics: KioskMetrics, http: requests.Session
) -> None:
    with Journal.open(tmp_path) as j:
        for amount, state, reason in (
            ("350.50", SaleState.PROCESSED, None),
            ("120", SaleState.CANCELLED, Reason.CANCELLED),
        ):
            sale_id = j.begin_sale(
                Decimal(amount), external_id=None, source="host", scheme="standard", device_id="K"
            )
            j.payment_created(sale_id, 500_000_000 + sale_id, "2026-01-01T00:00:00+05:00")
            j.set_state(sale_id, state, reason)
    metrics.apply(config(tmp_path, token=TOKEN))
    text = scrape(metrics, http)
    assert value(text, "kiosk_sales_total", state="processed", reason="none") == 1
    assert value(text, "kiosk_sales_total", state="cancelled", reason="cancelled") == 1
    assert value(text, "kiosk_sales_total", state="failed", reason="declined") == 0
    assert value(text, "kiosk_sales_amount_tenge_total", state="processed") == 350.5
    assert value(text, "kiosk_sales_amount_tenge_total", state="cancelled") == 120
    assert value(text, "kiosk_sales_needing_attention") == 0
    assert value(text, "kiosk_journal_ok") == 1


# --- config -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"bind": "kiosk.local"}, "metrics.bind"),
        ({"bind": "127.0.0.1:9108"}, "metrics.bind"),
        ({"port": 0}, "metrics.port"),
        ({"port": 70000}, "metrics.port"),
        ({"port": 8765, "enabled": True}, "metrics.port"),
        ({"token": "short"}, "metrics.token"),
    ],
)
def test_bad_metrics_settings_name_the_key(changes: dict[str, object], key: str) -> None:
    data = {
        "kaspi": {"cert_file": "client.pfx"},
        "host_api": {"enabled": True, "token": "t" * 20, "port": 8765},
        "metrics": changes,
    }
    with pytest.raises(ConfigError) as info:
        cfg.from_mapping(data)
    assert info.value.key == key


def test_metrics_are_off_by_default_on_their_own_port() -> None:
    m = cfg.Config().metrics
    assert (m.enabled, m.bind, m.port, m.token) == (False, "127.0.0.1", 9108, "")


def test_the_token_is_a_secret() -> None:
    c = cfg.from_mapping({"kaspi": {"cert_file": "c.pfx"}, "metrics": {"token": TOKEN}})
    assert TOKEN in cfg.secret_values(c)


def test_a_journal_that_cannot_be_read_is_not_ok_and_keeps_the_counts(
    tmp_path: Path, metrics: KioskMetrics, http: requests.Session, caplog: pytest.LogCaptureFixture
) -> None:
    with Journal.open(tmp_path) as j:
        sale_id = j.begin_sale(
            Decimal(40), external_id=None, source="host", scheme="standard", device_id="K"
        )
        j.payment_created(sale_id, 500_000_001, "2026-01-01T00:00:00+05:00")
        j.set_state(sale_id, SaleState.PROCESSED)
    metrics.apply(config(tmp_path, token=TOKEN))
    assert value(scrape(metrics, http), "kiosk_journal_ok") == 1
    journal = tmp_path / "journal.sqlite3"
    journal.rename(tmp_path / "journal.damaged")
    journal.write_bytes(b"this is not a database " * 200)
    for _ in range(3):
        text = scrape(metrics, http)
        assert value(text, "kiosk_journal_ok") == 0
        # What was counted stays counted: a counter that vanished would read as a reset.
        assert value(text, "kiosk_sales_total", state="processed", reason="none") == 1
    warnings = [
        r for r in caplog.records if r.name == "kiosk.metrics" and r.levelno >= logging.WARNING
    ]
    assert len(warnings) == 1 and "cannot be read" in warnings[0].getMessage()


def test_an_ipv6_address_is_served(tmp_path: Path, metrics: KioskMetrics) -> None:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("this machine has no IPv6 loopback")
    metrics.apply(config(tmp_path, bind="::1"))
    assert metrics.server is not None
    assert metrics.server.url.startswith("http://[::1]:")
    with socket.create_connection(("::1", metrics.server.port), timeout=10) as conn:
        conn.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
        assert conn.recv(64).startswith(b"HTTP/1.0 200")
