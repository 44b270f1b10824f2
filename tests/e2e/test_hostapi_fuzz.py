"""Schemathesis fuzzes a real kiosk process from docs/hostapi/openapi.yaml.

The kiosk runs as an operator runs it (`python -m kiosk run`) on the sandbox; the
Schemathesis CLI (a separate process, as an integrator would run it) reads the
document the kiosk serves and runs every phase (examples, coverage, fuzzing, and
stateful create -> get -> cancel through the document's links) with every check
(`--checks all`, settings in the repository's schemathesis.toml): no 5xx, every
answer as documented, invalid data refused, no answer without the token. Then the
test holds the run against the journal and the bank: a sale exists only where a
create was answered 201, and no money moved (nobody scanned).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from helpers.kiosk import kiosk_config
from helpers.kiosk_process import KioskProcess
from helpers.processes import fuzz_seconds, process_env

from kiosk.journal import Journal
from kiosk.sandbox import Sandbox

ROOT = Path(__file__).parents[2]
#: The run's budget: fuzzing and the stateful phase repeat until it is spent (every phase
#: runs within it; KIOSK_FUZZ_SECONDS sets a longer one).
MAX_TIME = fuzz_seconds(25)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE")

pytestmark = pytest.mark.slow


@pytest.fixture
def kiosk(fast_sandbox: Sandbox, tmp_path: Path) -> Iterator[KioskProcess]:
    process = KioskProcess(kiosk_config(fast_sandbox), tmp_path / "kiosk.out")
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


def _documented_paths() -> list[str]:
    document = yaml.safe_load((ROOT / "docs/hostapi/openapi.yaml").read_text(encoding="utf-8"))
    return [path.replace("{sale_id}", "1") for path in document["paths"]]


def test_no_route_answers_without_the_token(kiosk: KioskProcess) -> None:
    http = requests.Session()
    http.trust_env = False
    created = kiosk.api.post("/sales", json={"amount": 100})  # sale 1 exists: not a 404
    assert created.status_code == 201, created.text
    for path in [*_documented_paths(), "/v1/nowhere", "/"]:
        for method in METHODS:
            for headers in ({}, {"Authorization": "Bearer not-the-token-0123456789"}):
                response = http.request(method, kiosk.url + path, headers=headers, timeout=10)
                assert response.status_code == 401, (method, path, response.text)
                assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.timeout(MAX_TIME + 120)
def test_schemathesis_finds_nothing(
    kiosk: KioskProcess, fast_sandbox: Sandbox, tmp_path: Path
) -> None:
    har = tmp_path / "run.har"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(ROOT / "schemathesis.toml"),
            "run",
            f"{kiosk.url}/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {kiosk.token}",
            "--checks",
            "all",
            "--mode",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-time",
            str(MAX_TIME),
            # One worker: with more, Hypothesis compiles in threads and CPython 3.11 fails
            # now and then ("AST constructor recursion depth mismatch"), a run error.
            "--workers",
            "1",
            "--no-color",
            "--report",
            "har",
            "--report-har-path",
            str(har),
        ],
        cwd=tmp_path,  # its cache of failures (.schemathesis/) stays out of the tree
        env=process_env(
            SCHEMATHESIS_HOOKS="helpers.schemathesis_hooks", PYTHONPATH=str(ROOT / "tests")
        ),
        capture_output=True,
        text=True,
        timeout=MAX_TIME + 90,
        check=False,
    )
    report = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
    assert "Stateful" in run.stdout and "API Links" in run.stdout, report

    created = _created_sale_ids(har)
    assert created, "the run created no sale: the stateful phase did not run"
    kiosk.stop()  # the journal as the kiosk left it
    with Journal.open(kiosk.data_dir) as journal:
        records = journal.list()
    # A refused request never creates a sale: every sale in the journal was answered 201.
    assert {r.sale_id for r in records} == created
    assert not any(r.state.value == "processed" or r.refunded_amount for r in records)
    # ... nor moves money: every payment the bank has is one of those sales', none paid.
    paid = {r.qr_payment_id for r in records if r.qr_payment_id is not None}
    payments = [fast_sandbox.payment(i) for i in paid]
    assert all(p["status"] != "Processed" and not p["refunds"] for p in payments), payments
    creations = [r for r in fast_sandbox.requests if r.path.endswith("/qr/create")]
    assert len(creations) == len(paid)


def _created_sale_ids(har: Path) -> set[int]:
    """The sale ids of every POST /v1/sales the kiosk answered 201 in the run."""
    entries = json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]
    return {
        json.loads(entry["response"]["content"]["text"])["sale_id"]
        for entry in entries
        if entry["request"]["method"] == "POST"
        and entry["request"]["url"].split("?")[0].endswith("/v1/sales")
        and entry["response"]["status"] == 201
    }
