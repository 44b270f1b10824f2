"""A real Prometheus scrapes a real kiosk process through sales and a restart.

The kiosk runs as an operator runs it (`python -m kiosk run`) against the
sandbox, with metrics on and a token, and is driven through the host API like
a vending controller. Prometheus (Debian's `prometheus` package) scrapes it
every second with docs/ops/'s alert rules loaded; the test asks Prometheus's
HTTP API, never the kiosk, and compares the answers with the journal.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from helpers.controller import HostApi, free_port
from helpers.kiosk import kiosk_config
from helpers.processes import Process, kiosk_run
from helpers.waiting import wait_until

from kiosk import config as cfg
from kiosk.journal import Journal
from kiosk.sandbox import Sandbox

PROMETHEUS = shutil.which("prometheus")
OPS = Path(__file__).parents[2] / "docs" / "ops"
TOKEN = "fleet-scrape-token-0123456789"
START_TIMEOUT = 30.0  # a cold interpreter importing Qt on a loaded machine

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        PROMETHEUS is None,
        reason="prometheus not found: install Debian's `prometheus` package (.ci/run does)"
        " to scrape a real kiosk with a real Prometheus",
    ),
]


class PrometheusServer:
    """Prometheus on a free loopback port with its own storage, scraping one kiosk."""

    def __init__(self, tmp: Path, kiosk_port: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        shutil.copy(OPS / "alerts.yml", tmp / "alerts.yml")
        (tmp / "token").write_text(TOKEN + "\n")
        (tmp / "prometheus.yml").write_text(
            "global:\n"
            "  scrape_interval: 1s\n"
            "  scrape_timeout: 1s\n"
            "  evaluation_interval: 1s\n"
            "rule_files: [alerts.yml]\n"
            "scrape_configs:\n"
            "  - job_name: kaspi-kiosk\n"
            "    authorization: {type: Bearer, credentials_file: token}\n"
            f"    static_configs: [{{targets: ['127.0.0.1:{kiosk_port}']}}]\n"
        )
        assert PROMETHEUS is not None
        self.process = Process(
            [
                PROMETHEUS,
                f"--config.file={tmp / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--log.level=warn",
            ],
            tmp / "prometheus.out",
        )
        self.http = requests.Session()
        self.http.trust_env = False
        wait_until(self._ready, 30, "Prometheus to be ready")

    def _ready(self) -> bool:
        if not self.process.alive():
            pytest.fail(f"prometheus exited:\n{self.process.tail()}")
        try:
            return self.http.get(f"{self.base}/-/ready", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    def query(self, promql: str) -> list[dict[str, Any]]:
        """An instant query's result vector: [{"metric": {...}, "value": [t, "v"]}, ...]."""
        response = self.http.get(f"{self.base}/api/v1/query", params={"query": promql}, timeout=10)
        body = response.json()
        assert body["status"] == "success", body
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def values(self, promql: str, *labels: str) -> dict[tuple[str, ...], float]:
        return {
            tuple(r["metric"].get(k, "") for k in labels): float(r["value"][1])
            for r in self.query(promql)
        }


class Kiosk:
    """`kiosk run` processes on one config, driven through the host API."""

    def __init__(self, config: Path, tmp: Path) -> None:
        self.config = config
        self.tmp = tmp
        self.api = HostApi(config)
        self.processes: list[Process] = []

    def start(self) -> None:
        self.processes.append(kiosk_run(self.config, self.tmp / f"kiosk-{len(self.processes)}.out"))
        # The amount screen is up at once while the kiosk starts: wait until it sells.
        wait_until(
            lambda: self._screen() == "amount" and self.api.get("/health").json()["ok"],
            START_TIMEOUT,
            "the kiosk ready to sell",
        )

    def _screen(self) -> str | None:
        if not self.processes[-1].alive():
            pytest.fail(f"the kiosk exited:\n{self.processes[-1].tail()}")
        try:
            response = self.api.get("/state")
        except requests.ConnectionError:
            return None
        return response.json()["screen"] if response.status_code == 200 else None

    def sell(self, amount: int) -> dict[str, Any]:
        """A sale through the host API, up to its QR; the sale record with its payment id."""
        response = self.api.post("/sales", json={"amount": amount})
        assert response.status_code == 201, response.text
        sale_id = response.json()["sale_id"]
        return wait_until(
            lambda: (s := self.api.get(f"/sales/{sale_id}").json())["qr_payment_id"] and s,
            10,
            f"sale {sale_id}'s QR",
        )

    def wait_state(self, sale_id: int, state: str) -> None:
        wait_until(
            lambda: self.api.get(f"/sales/{sale_id}").json()["state"] == state,
            15,
            f"sale {sale_id} {state}",
        )

    def stop_all(self) -> None:
        for process in self.processes:
            process.kill()


@pytest.fixture
def rig(fast_sandbox: Sandbox, tmp_path: Path) -> Iterator[tuple[Kiosk, PrometheusServer, Path]]:
    port = free_port()
    config = kiosk_config(
        fast_sandbox,
        metrics__enabled=True,
        metrics__port=port,
        metrics__token=TOKEN,
        device__device_id="KIOSK-PROM-1",
        kiosk__health_interval=1.0,
    )
    kiosk = Kiosk(config, tmp_path)
    prometheus: PrometheusServer | None = None
    try:
        # Prometheus first: it scrapes a new target only when its discovery hands it over,
        # about 5 s after start (a throttle of its own); the kiosk starts meanwhile.
        prometheus = PrometheusServer(tmp_path, port)
        kiosk.start()
        wait_until(lambda: prometheus.values("up") == {(): 1.0}, 20, "a first scrape of the kiosk")
        yield kiosk, prometheus, cfg.load(config).data_dir
    finally:
        if prometheus is not None:
            prometheus.process.kill()
        kiosk.stop_all()


def journal_story(data_dir: Path) -> tuple[Counter[tuple[str, str]], dict[str, Decimal]]:
    """Final sales by (state, reason) and their amounts by state, from the journal."""
    with Journal.open(data_dir) as journal:
        records = [r for r in journal.list() if r.state.is_final]
    counts = Counter((r.state.value, r.reason.value if r.reason else "none") for r in records)
    amounts: dict[str, Decimal] = {}
    for r in records:
        amounts[r.state.value] = amounts.get(r.state.value, Decimal(0)) + r.amount
    return counts, amounts


def firing(prometheus: PrometheusServer) -> set[str]:
    alerts = prometheus.http.get(f"{prometheus.base}/api/v1/alerts", timeout=10).json()
    return {a["labels"]["alertname"] for a in alerts["data"]["alerts"] if a["state"] == "firing"}


def test_prometheus_sees_what_the_journal_says_across_a_restart(
    rig: tuple[Kiosk, PrometheusServer, Path], fast_sandbox: Sandbox
) -> None:
    kiosk, prometheus, data_dir = rig
    paid = kiosk.sell(350)
    fast_sandbox.scan(paid["qr_payment_id"])
    fast_sandbox.confirm(paid["qr_payment_id"])
    kiosk.wait_state(paid["sale_id"], "processed")
    wait_until(lambda: kiosk._screen() == "amount", 15, "the start screen after the success")
    cancelled = kiosk.sell(120)
    assert kiosk.api.post(f"/sales/{cancelled['sale_id']}/cancel").status_code == 200

    counts, amounts = journal_story(data_dir)
    assert counts == {("processed", "none"): 1, ("cancelled", "cancelled"): 1}
    sales = 'kiosk_sales_total{job="kaspi-kiosk"} > 0'
    wait_until(
        lambda: prometheus.values(sales, "state", "reason") == counts,
        20,
        f"Prometheus to see the journal's sales {dict(counts)}",
    )
    seen_amounts = prometheus.values('kiosk_sales_amount_tenge_total{job="kaspi-kiosk"}', "state")
    assert {s: Decimal(str(v)) for (s,), v in seen_amounts.items() if v} == amounts
    assert prometheus.values("kiosk_bank_up") == {(): 1.0}
    info = prometheus.values("kiosk_info", "device_id", "scheme")
    assert info == {("KIOSK-PROM-1", "standard"): 1.0}
    expiry = prometheus.values("kiosk_certificate_expiry_timestamp_seconds - time()")
    assert expiry[()] > 300 * 86400  # the sandbox's certificate: years
    # The dashboard's p95; rate() needs an increase between two scrapes (the cancelled
    # sale is still watched in the background, so status reads go on for a few seconds).
    p95 = (
        "histogram_quantile(0.95, sum by (le) (rate(kiosk_bank_request_duration_seconds_bucket"
        '{endpoint="/payment/status/{id}"}[1m])))'
    )
    wait_until(
        lambda: 0 < prometheus.values(p95).get((), 0) < 20, 15, "a p95 latency of status reads"
    )
    endpoints = {
        r["metric"]["endpoint"]
        for r in prometheus.query("kiosk_bank_request_duration_seconds_count")
    }
    assert endpoints <= {"/health/ping", "/qr/create", "/payment/status/{id}", "/payment/details"}
    # The operator kit's rules load in a real Prometheus and evaluate cleanly.
    groups = prometheus.http.get(f"{prometheus.base}/api/v1/rules", timeout=10).json()
    rules = [rule for group in groups["data"]["groups"] for rule in group["rules"]]
    assert len(rules) == 8 and all(rule["health"] == "ok" for rule in rules), rules
    assert firing(prometheus) == set()

    # A customer who pays after cancelling: counted as cancelled and as paid, never
    # un-counted, and the operator is alerted to refund or hand over.
    late = kiosk.sell(60)
    assert kiosk.api.post(f"/sales/{late['sale_id']}/cancel").status_code == 200
    fast_sandbox.scan(late["qr_payment_id"])
    fast_sandbox.confirm(late["qr_payment_id"])
    wait_until(
        lambda: kiosk.api.get(f"/sales/{late['sale_id']}").json()["needs_refund"], 10, "paid"
    )
    counts, amounts = journal_story(data_dir)  # the journal: the late sale is processed now
    counts[("cancelled", "cancelled")] += 1  # and it was cancelled on its way there
    assert counts == {
        ("processed", "none"): 1,
        ("cancelled", "cancelled"): 2,
        ("processed", "paid_after_cancel"): 1,
    }
    wait_until(
        lambda: prometheus.values(sales, "state", "reason") == counts, 20, "the late payment"
    )
    wait_until(lambda: firing(prometheus) == {"KioskSaleNeedsAttention"}, 20, "the attention alert")
    assert prometheus.values("kiosk_sales_needing_attention") == {(): 1.0}

    # A restart: SIGKILL, then a new kiosk on the same journal. No counter goes back.
    started = prometheus.values("process_start_time_seconds")[()]
    kiosk.processes[-1].kill()
    wait_until(lambda: prometheus.values("up") == {(): 0.0}, 15, "Prometheus to see it down")
    kiosk.start()
    wait_until(
        lambda: prometheus.values("process_start_time_seconds").get((), started) > started,
        15,
        "Prometheus to scrape the new kiosk",
    )
    assert prometheus.values(sales, "state", "reason") == counts
    resets = prometheus.values("resets(kiosk_sales_total[5m]) > 0", "state", "reason")
    assert resets == {}, resets

    again = kiosk.sell(75)
    fast_sandbox.scan(again["qr_payment_id"])
    fast_sandbox.confirm(again["qr_payment_id"])
    kiosk.wait_state(again["sale_id"], "processed")
    counts[("processed", "none")] += 1
    wait_until(
        lambda: prometheus.values(sales, "state", "reason") == counts,
        20,
        "Prometheus to see the sale after the restart",
    )
    _, amounts = journal_story(data_dir)
    revenue = prometheus.values('kiosk_sales_amount_tenge_total{state="processed"}')
    assert Decimal(str(revenue[()])) == amounts["processed"] == Decimal(350 + 60 + 75)
