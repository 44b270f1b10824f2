"""The operator kit in docs/ops/: rules, their unit tests, the scrape config and the dashboard.

promtool (Debian's `prometheus` package; .ci/run installs it) checks the files
as Prometheus itself reads them. Every metric the kit names must be one the
kiosk really exposes: a renamed metric would otherwise silence an alert.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from kiosk.config import Config
from kiosk.journal import Journal
from kiosk.metrics import KioskMetrics

OPS = Path(__file__).parents[2] / "docs" / "ops"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None,
    reason="promtool not found: install Debian's `prometheus` package (.ci/run does) to check"
    " docs/ops/ as Prometheus reads it",
)
# What Grafana puts in place of its variables before it sends a query.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__range": "1d", "$instance": ".*"}


def promtool(*args: str, cwd: Path) -> str:
    assert PROMTOOL is not None
    out = subprocess.run(
        [PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def dashboard_queries() -> list[tuple[str, str]]:
    """(panel title, PromQL) of every query in the dashboard, Grafana variables filled in."""
    board = json.loads((OPS / "grafana-dashboard.json").read_text(encoding="utf-8"))
    queries = []
    for panel in board["panels"]:
        for target in panel["targets"]:
            expr = target["expr"]
            for name, value in GRAFANA_VARIABLES.items():
                expr = expr.replace(name, value)
            assert "$" not in expr, (panel["title"], expr)
            queries.append((panel["title"], expr))
    for variable in board["templating"]["list"]:
        if variable["type"] == "query":
            queries.append((variable["name"], variable["query"]["query"]))
    return queries


def alert_rules() -> list[dict[str, Any]]:
    data = yaml.safe_load((OPS / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in data["groups"] for rule in group["rules"]]


def exposed_names(tmp_path: Path) -> set[str]:
    """Every sample name a kiosk exposes, with a journal, a ping and a certificate."""
    Journal.open(tmp_path).close()
    metrics = KioskMetrics(["amount", "out_of_service"], "out_of_service")
    metrics.apply(Config().replace("storage", data_dir=str(tmp_path)))
    metrics.on_request("/r2/v01/health/ping", None, 0.01)
    from datetime import UTC, datetime

    metrics.certificate_expires(datetime(2031, 1, 1, tzinfo=UTC))
    names = {s.name for family in metrics.registry.collect() for s in family.samples}
    return names | {"up"}  # Prometheus adds `up` to every target


def referenced(expr: str) -> set[str]:
    """The metric names in a query (the kit's own all start with kiosk_; and Prometheus's up)."""
    return set(re.findall(r"\bkiosk_[a-z_]+\b", expr)) | set(re.findall(r"\b(up)\{", expr))


def test_every_metric_the_kit_names_is_exposed(tmp_path: Path) -> None:
    names = exposed_names(tmp_path)
    used: dict[str, set[str]] = {}
    for title, expr in dashboard_queries():
        used[f"dashboard: {title}"] = referenced(expr)
    for rule in alert_rules():
        used[f"alert {rule['alert']}"] = referenced(rule["expr"])
        assert rule["labels"]["severity"] in ("critical", "warning"), rule["alert"]
    assert all(used.values()), {k: v for k, v in used.items() if not v}
    unknown = {where: sorted(refs - names) for where, refs in used.items() if refs - names}
    assert not unknown, unknown


def test_the_dashboard_has_the_panels_operators_asked_for() -> None:
    board = json.loads((OPS / "grafana-dashboard.json").read_text(encoding="utf-8"))
    titles = {p["title"] for p in board["panels"]}
    for wanted in (
        "Sales per hour",
        "Revenue per hour",
        "Success ratio (last hour)",
        "Bank latency p95",
        "Kiosks out of service",
    ):
        assert wanted in titles, wanted
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    datasource = {"type": "prometheus", "uid": "${datasource}"}
    assert all(p["datasource"] == datasource for p in board["panels"])


@needs_promtool
def test_alert_rules_check_and_pass_their_unit_tests(tmp_path: Path) -> None:
    assert "SUCCESS: 8 rules found" in promtool("check", "rules", "alerts.yml", cwd=OPS)
    promtool("test", "rules", "alerts.test.yml", cwd=OPS)


@needs_promtool
def test_the_dashboard_queries_are_promql(tmp_path: Path) -> None:
    # promtool has no "check this expression": a recording rule per query is parsed instead.
    rules = [
        {"record": f"dashboard:query_{i}", "expr": expr}
        for i, (_title, expr) in enumerate(dashboard_queries())
        if not expr.startswith("label_values(")  # Grafana's own function, not PromQL
    ]
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    assert f"SUCCESS: {len(rules)} rules found" in promtool(
        "check", "rules", path.name, cwd=tmp_path
    )


@needs_promtool
def test_the_example_scrape_config_is_valid(tmp_path: Path) -> None:
    for name in ("prometheus.yml", "alerts.yml", "kiosks.yml"):
        shutil.copy(OPS / name, tmp_path / name)
    (tmp_path / "kiosk-metrics.token").write_text("fleet-scrape-token-0123456789\n")
    promtool("check", "config", "prometheus.yml", cwd=tmp_path)
