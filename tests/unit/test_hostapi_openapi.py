"""docs/hostapi/openapi.yaml: valid OpenAPI 3.1, true to the routes, served by the kiosk."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from helpers.hostapi import TOKEN, FakeGateway
from openapi_spec_validator import validate

from kiosk.config import SaleSection
from kiosk.hostapi import app
from kiosk.hostapi.app import HostApiServer
from kiosk.hostapi.contract import HostState

ROOT = Path(__file__).parents[2]
YAML = ROOT / "docs" / "hostapi" / "openapi.yaml"
METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


def _document() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(YAML.read_text(encoding="utf-8"))
    return data


def _to_json_tool() -> Any:
    spec = importlib.util.spec_from_file_location("to_json", ROOT / "docs/hostapi/to_json.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _documented() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in _document()["paths"].items()
        for method in item
        if method in METHODS
    }


def _routed() -> set[tuple[str, str]]:
    # The route's pattern read back as the document writes a path: (?P<id>[^/]+) -> {id}.
    routed = set()
    for pattern, methods in app._ROUTES:
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern.pattern).replace("\\.", ".")
        routed |= {(method, path) for method in methods}
    return routed


def test_the_document_is_valid_openapi_3_1() -> None:
    document = _document()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_route_is_in_the_document_and_every_documented_operation_is_routed() -> None:
    assert _routed() - _documented() == set(), "routes the document lacks"
    assert _documented() - _routed() == set(), "documented operations with no route"


def test_every_operation_needs_the_token_and_documents_401() -> None:
    document = _document()
    assert document["security"] == [{"bearer": []}]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                assert "security" not in operation, f"{method} {path} overrides the token"
                assert "401" in operation["responses"], f"{method} {path}"


def test_the_package_carries_the_document_as_the_yaml_says() -> None:
    shipped = ROOT / "kiosk" / "hostapi" / "openapi.json"
    assert shipped.read_text(encoding="utf-8") == _to_json_tool().render(), (
        "kiosk/hostapi/openapi.json is stale: run python docs/hostapi/to_json.py"
    )


def test_the_documented_limits_are_the_configs_defaults() -> None:
    number = _document()["components"]["schemas"]["Amount"]["oneOf"][0]
    assert (number["minimum"], number["maximum"]) == (
        SaleSection().min_amount,
        SaleSection().max_amount,
    )


def test_the_documented_states_are_the_kiosk_s() -> None:
    document = _document()
    states = [state.value for state in HostState]
    (wait,) = [
        p
        for p in document["paths"]["/v1/sales/{sale_id}"]["get"]["parameters"]
        if p["name"] == "state"
    ]
    # `state=` is refused (400) unless the kiosk knows it: exactly its states.
    assert wait["schema"]["enum"] == states
    # An answer may carry a state a newer kiosk has (`cancelling`): every one of ours.
    assert set(states) <= set(document["components"]["schemas"]["SaleState"]["enum"])


# -- served ----------------------------------------------------------------------------------


@pytest.fixture
def served() -> Iterator[tuple[str, FakeGateway]]:
    gateway = FakeGateway()
    server = HostApiServer(gateway, token=TOKEN, port=0)
    server.start()
    yield f"http://127.0.0.1:{server.port}", gateway
    server.stop()


def test_the_kiosk_serves_the_document_with_its_own_limits(
    served: tuple[str, FakeGateway],
) -> None:
    base, gateway = served
    gateway.limits = (Decimal("10"), Decimal("2500.50"))
    http = requests.Session()
    http.trust_env = False
    refused = http.get(f"{base}/v1/openapi.json", timeout=5)
    assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"
    response = http.get(
        f"{base}/v1/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
    )
    assert response.status_code == 200
    served_document = response.json()
    validate(served_document)
    number = served_document["components"]["schemas"]["Amount"]["oneOf"][0]
    assert (number["minimum"], number["maximum"]) == (10, 2500.5)
    expected = json.loads(json.dumps(_document()))
    expected["components"]["schemas"]["Amount"]["oneOf"][0].update(minimum=10, maximum=2500.5)
    assert served_document == expected


def test_while_the_kiosk_cannot_tell_its_limits_the_document_has_the_defaults(
    served: tuple[str, FakeGateway],
) -> None:
    base, gateway = served
    gateway.unavailable = True  # amount_limits() refuses, as while the kiosk starts
    http = requests.Session()
    http.trust_env = False
    response = http.get(
        f"{base}/v1/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
    )
    assert response.status_code == 200
    number = response.json()["components"]["schemas"]["Amount"]["oneOf"][0]
    assert (number["minimum"], number["maximum"]) == (1, 500000)


def test_a_string_amount_is_read_as_the_document_spells_it() -> None:
    from kiosk.hostapi import validate

    string = _document()["components"]["schemas"]["Amount"]["oneOf"][1]
    # The kiosk accepts a string only when it matches this very pattern, whole.
    assert string["pattern"] == f"^{validate._NUMERIC_TEXT.pattern}$"
