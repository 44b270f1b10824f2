"""The host API's OpenAPI document as GET /v1/openapi.json serves it, with this kiosk's limits.

docs/hostapi/openapi.yaml is the source; kiosk/hostapi/openapi.json is its copy in the
package (docs/hostapi/to_json.py writes it), read with the standard library so the
frozen kiosk needs no yaml parser.
"""

from __future__ import annotations

import copy
import functools
import json
from decimal import Decimal
from importlib import resources

#: A JSON object as json.loads returns it; only the few keys changed here are looked into.
JsonObject = dict[str, object]


@functools.cache
def _source() -> JsonObject:
    text = resources.files("kiosk.hostapi").joinpath("openapi.json").read_text(encoding="utf-8")
    document: JsonObject = json.loads(text)
    return document


def document(limits: tuple[Decimal, Decimal] | None) -> JsonObject:
    """The document, its amount limits set to this kiosk's `sale.min_amount` / `max_amount`
    (None: as written, the config's defaults)."""
    served = copy.deepcopy(_source())
    if limits is not None:
        number = _amount_number(served)
        number["minimum"] = _json_number(limits[0])
        number["maximum"] = _json_number(limits[1])
    return served


def _amount_number(document: JsonObject) -> JsonObject:
    """The number branch of components.schemas.Amount (the one the limits apply to)."""
    node: object = document
    for key in ("components", "schemas", "Amount", "oneOf"):
        assert isinstance(node, dict), key
        node = node[key]
    assert isinstance(node, list)
    number = next(b for b in node if isinstance(b, dict) and b.get("type") == "number")
    assert isinstance(number, dict)
    return number


def _json_number(value: Decimal) -> int | float:
    # Limits are whole tenge in practice; a limit in tiyn is written as the float it is.
    return int(value) if value == value.to_integral_value() else float(value)
