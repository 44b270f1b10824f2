"""docs/kaspi/openapi.yaml: valid, true to the sandbox's routes, and its answers match it.

Kaspi publishes no description of its API; the document is the team's reading of the
guide, written by docs/kaspi/make_openapi.py. Each scheme's whole life cycle (register,
QR and link, status v01/v02, the test host, details, both refunds, remote invoices,
delete) runs against the sandbox with the bodies the document describes, and every
answer is validated against the document's schema for that operation; at the end
every documented operation has been answered. Then Schemathesis fuzzes each scheme
from the document (the mutual-TLS schemes with `--plain-key`'s key, as a client that
reads no encrypted key would).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from helpers.processes import fuzz_seconds, process_env
from helpers.sandbox import BIN, session_for
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from kiosk.sandbox import Sandbox
from kiosk.sandbox.pki import write_client_variants
from kiosk.sandbox.routes import PREFIX, ROUTES

ROOT = Path(__file__).parents[2]
# Read at collection in every worker: libyaml's loader (1.2 s in pure Python).
DOCUMENT: dict[str, Any] = yaml.load(
    (ROOT / "docs/kaspi/openapi.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
)


def _operations() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in DOCUMENT["paths"].items()
        for method in item
        if method != "servers"
    }


def test_the_document_is_valid_openapi_and_written_by_its_generator() -> None:
    validate(DOCUMENT)
    spec = importlib.util.spec_from_file_location("make", ROOT / "docs/kaspi/make_openapi.py")
    assert spec is not None and spec.loader is not None
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    written = (ROOT / "docs/kaspi/openapi.yaml").read_text(encoding="utf-8")
    assert written == make.render(), "stale: run python docs/kaspi/make_openapi.py"


def test_every_endpoint_the_sandbox_serves_is_documented_and_the_reverse() -> None:
    served = set()
    for route in ROUTES:
        if route.kind == "control":
            continue  # the sandbox's own controls, not the bank's API
        path = route.pattern.pattern
        path = path.replace("(?P<bin>[^/]+)", "{organizationBin}").replace("(?P<id>[^/]+)", "{id}")
        alternatives = re.search(r"\(\?P<action>([^)]*)\)", path)
        paths = (
            [path.replace(alternatives[0], a) for a in alternatives[1].split("|")]
            if alternatives
            else [path]
        )
        for scheme in route.schemes:
            for version in route.versions:
                served |= {(route.method, f"/{PREFIX[scheme]}/{version}{p}") for p in paths}
    assert served - _operations() == set(), "served, not documented"
    assert _operations() - served == set(), "documented, not served"


class Checked:
    """Calls one scheme of the sandbox; each answer is validated against the document."""

    def __init__(self, sandbox: Sandbox, scheme: str) -> None:
        self.scheme = scheme
        self.root = sandbox.base_url(scheme).rsplit("/r", 1)[0]
        self.session = session_for(sandbox, scheme)
        self.covered: set[tuple[str, str]] = set()

    def __call__(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        version: str = "v01",
        code: int = 0,
        **params: Any,
    ) -> Any:
        url_path = f"/{PREFIX[self.scheme]}/{version}{path}"
        if self.scheme == "enhanced" and body is not None and not path.startswith("/test/"):
            body = {**body, "OrganizationBin": BIN}
        answer = self.session.request(
            method,
            self.root + url_path,
            json=body,
            params=params or None,
            headers={"X-Request-ID": uuid.uuid4().hex},
            timeout=10,
        )
        template, operation = _operation_for(method, url_path)
        self.covered.add((method, template))
        assert answer.status_code == 200, (url_path, answer.text)
        assert answer.headers["Content-Type"].startswith("application/json")
        doc = answer.json()
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        errors = list(_validator(schema).iter_errors(doc))
        assert not errors, (url_path, doc, [e.message for e in errors])
        assert doc["StatusCode"] == code, (url_path, doc)
        return doc.get("Data")


def _operation_for(method: str, path: str) -> tuple[str, dict[str, Any]]:
    for template, item in DOCUMENT["paths"].items():
        pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    raise AssertionError(f"{method} {path} is not in the document")


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    # The operation's schema with the document's components beside it, so #/components/... resolve.
    return Draft202012Validator({**schema, "components": DOCUMENT["components"]})


@pytest.mark.parametrize(
    "behaviour",
    [{}, {"strict": True, "device_token_style": "numeric", "codes": "table"}],
    ids=["default", "strict-numeric-table"],
)
def test_the_sandbox_answers_every_documented_operation_as_documented(
    sandbox: Sandbox, behaviour: dict[str, Any]
) -> None:
    sandbox.set_behaviour(**behaviour)
    covered: set[tuple[str, str]] = set()
    for scheme in ("basic", "standard", "enhanced"):
        call = Checked(sandbox, scheme)
        _life_cycle(call, scheme)
        covered |= call.covered
    assert _operations() - covered == set(), "documented operations never answered"


def _life_cycle(call: Checked, scheme: str) -> None:
    call("GET", "/health/ping")
    call("GET", f"/partner/tradepoints/{BIN}" if scheme == "enhanced" else "/partner/tradepoints")
    token = call("POST", "/device/register", {"DeviceId": f"DOC-{scheme}", "TradePointId": 1})[
        "DeviceToken"
    ]
    paid = call("POST", "/qr/create", {"DeviceToken": token, "Amount": 150, "ExternalId": "o-1"})
    pid = paid["QrPaymentId"]
    call("GET", f"/payment/status/{pid}")
    call("POST", "/test/payment/scan", {"qrPaymentId": str(pid)})
    call("POST", "/test/payment/confirm", {"qrPaymentId": str(pid)})
    assert call("GET", f"/payment/status/{pid}", version="v02")["Status"] == "Processed"
    call("GET", "/payment/status/1", code=-1601)  # an error answer: the same envelope
    link = call("POST", "/qr/create-link", {"DeviceToken": token, "Amount": 20})["PaymentId"]
    call("POST", "/test/payment/scanerror", {"qrPaymentId": str(link)})
    other = call("POST", "/qr/create", {"DeviceToken": token, "Amount": 30})["QrPaymentId"]
    call("POST", "/test/payment/scan", {"qrPaymentId": str(other)})
    call("POST", "/test/payment/confirmerror", {"qrPaymentId": str(other)})
    if scheme != "basic":
        details = call("GET", "/payment/details", QrPaymentId=pid, DeviceToken=token)
        assert details["AvailableReturnAmount"] == 150
    if scheme == "standard":
        rid = call("POST", "/return/create", {"DeviceToken": token})["QrReturnId"]
        call("POST", "/test/return/scan", {"qrReturnId": str(rid)})
        assert call("GET", f"/return/status/{rid}")["Status"] == "CustomerIdentityObtained"
        bought = call("POST", "/return/operations", {"DeviceToken": token, "QrReturnId": rid})
        assert pid in [p["QrPaymentId"] for p in bought]
        refund = {"DeviceToken": token, "QrPaymentId": pid, "QrReturnId": rid, "Amount": 10}
        call("POST", "/payment/return", refund)
    if scheme == "enhanced":
        call("POST", "/payment/return", {"DeviceToken": token, "QrPaymentId": pid, "Amount": 10})
        call("GET", "/remote/client-info", phoneNumber="87077777777", deviceToken=str(token))
        invoice = {"DeviceToken": token, "Amount": 50, "PhoneNumber": "87077777777"}
        remote = call("POST", "/remote/create", {**invoice, "Comment": "doc"})["QrPaymentId"]
        call("POST", "/remote/cancel", {"DeviceToken": token, "QrPaymentId": remote})
    call("POST", "/device/delete", {"DeviceToken": token})


def test_a_request_without_its_api_key_is_answered_as_documented(sandbox: Sandbox) -> None:
    session = requests.Session()
    session.trust_env = False
    session.verify = str(sandbox.pki.ca_bundle)
    answer = session.get(sandbox.base_url("basic") + "/health/ping", timeout=10)
    _, operation = _operation_for("GET", "/r1/v01/health/ping")
    schema = operation["responses"]["401"]["content"]["application/json"]["schema"]
    assert answer.status_code == 401
    assert not list(_validator(schema).iter_errors(answer.json()))


#: Seconds of Schemathesis per scheme: every phase runs within it (461 cases for
#: standard); KIOSK_FUZZ_SECONDS sets a longer budget.
FUZZ_SECONDS = fuzz_seconds(8)


@pytest.mark.slow
@pytest.mark.timeout(FUZZ_SECONDS + 90)
@pytest.mark.parametrize("scheme", ["basic", "standard", "enhanced"])
def test_schemathesis_finds_the_sandbox_as_documented(
    sandbox: Sandbox, tmp_path: Path, scheme: str
) -> None:
    """Every phase, positive and negative data: no 5xx, every answer as the document says.

    The bank answers refusals with HTTP 200 and an error StatusCode, so Schemathesis's
    checks that want a 4xx for invalid data do not apply to it.
    """
    pki = sandbox.pki
    if scheme == "basic":
        credentials = ["--header", f"Api-Key: {sandbox.api_key}"]
    else:
        (plain,) = write_client_variants(pki, legacy_pfx=False, plain_key=True)
        credentials = ["--request-cert", str(pki.client_cert), "--request-cert-key", str(plain)]
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(ROOT / "schemathesis.toml"),
            "run",
            str(ROOT / "docs/kaspi/openapi.yaml"),
            "--url",
            sandbox.base_url(scheme).rsplit("/r", 1)[0],
            "--include-tag",
            scheme,
            "--include-tag",
            f"{scheme} test host",
            *credentials,
            "--tls-verify",
            str(pki.ca_bundle),
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,"
            "response_schema_conformance,response_headers_conformance",
            "--mode",
            "all",
            "--max-time",
            str(FUZZ_SECONDS),
            "--workers",
            "1",
            "--no-color",
        ],
        cwd=tmp_path,
        env=process_env(),
        capture_output=True,
        text=True,
        timeout=FUZZ_SECONDS + 60,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
