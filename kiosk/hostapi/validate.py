"""What a controller sends, checked: amounts, external ids, sale ids, query parameters, bodies.

Every refusal is an `ApiError` carrying the HTTP status and the error code the
controller acts on; kiosk.hostapi.app turns it into `{"error", "message"}`.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs

from kiosk.hostapi.contract import HostState

MAX_BODY = 16 * 1024
MAX_WAIT = 60.0
MAX_EXTERNAL_ID = 64

_TIYN = Decimal("0.01")
_NUMERIC_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_SALE_ID = re.compile(r"[1-9][0-9]{0,17}")  # fits in a signed 64-bit integer
_STATES = tuple(state.value for state in HostState)


class ApiError(Exception):
    """An answer other than success, raised anywhere in a request's handling."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra


def validate_amount(raw: Any) -> Decimal:
    """The amount field as exact tenge (2 decimals); ApiError 422 invalid_amount otherwise.

    JSON numbers arrive as Decimal (the parser is told so), never as float, so
    19.99 stays 19.99. The gateway's min/max are checked separately.
    """
    if raw is None:
        raise _bad_amount("is required")
    if isinstance(raw, bool):  # before the number check: True is an int in Python
        raise _bad_amount("must be a number, not true/false")
    if isinstance(raw, str):
        # Exactly the document's pattern (docs/hostapi/openapi.yaml, Amount): no spaces.
        if not _NUMERIC_TEXT.fullmatch(raw):
            raise _bad_amount(f'must be a number like 350 or "350.50", not {raw[:32]!r}')
        value = Decimal(raw)
    elif isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    else:
        raise _bad_amount(f"must be a number, not {type(raw).__name__}")
    if not value.is_finite():
        raise _bad_amount("must be a finite number")
    if value <= 0:
        raise _bad_amount("must be more than 0")
    # Digits past the tiyn must all be zero ("1.230" is fine). Read from the digits, not with
    # quantize() or normalize(): those round to 28 digits or raise on 1e999999.
    _sign, digits, exponent = value.as_tuple()
    if isinstance(exponent, int) and exponent < -2 and any(digits[exponent + 2 :]):
        raise _bad_amount("has more than two decimals (tiyn)")
    return value


def check_limits(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    """`value` quantized to tiyn when low <= value <= high; ApiError 422 otherwise."""
    limits = {"min": money(low), "max": money(high)}
    if value < low:
        raise _bad_amount(f"is below the minimum of {money(low)} tenge", **limits)
    if value > high:
        raise _bad_amount(f"is above the maximum of {money(high)} tenge", **limits)
    return value.quantize(_TIYN)


def validate_external_id(raw: Any) -> str | None:
    """None, or text of 1..64 printable characters; ApiError 422 invalid_external_id otherwise."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise _bad_external_id(f"must be a string, not {_json_type(raw)}")
    if not raw:
        raise _bad_external_id("must not be empty (leave it out instead)")
    if len(raw) > MAX_EXTERNAL_ID:
        raise _bad_external_id(f"must be at most {MAX_EXTERNAL_ID} characters")
    if not raw.isprintable():
        raise _bad_external_id("must contain printable characters only")
    return raw


def sale_id(text: str) -> int:
    """The {id} of a sale's path; ApiError 404 when it cannot be one."""
    if not _SALE_ID.fullmatch(text):
        raise ApiError(404, "not_found", f"no sale {text[:32]!r}")
    return int(text)


def seen_state(query: str) -> HostState | None:
    """`state=`: the state the controller last saw; a long-poll answers at once if it moved on.

    Without it the wait compares with the state at request time, and a short state
    (qr) passed between two polls would go unseen.
    """
    values = parse_qs(query, keep_blank_values=True).get("state")
    if values is None:
        return None
    if len(values) != 1 or values[0] not in _STATES:
        raise ApiError(400, "bad_request", f"state must be one of {', '.join(_STATES)}")
    return HostState(values[0])


def wait_seconds(query: str) -> float | None:
    """`wait=`: seconds a long-poll may wait, more than 0 and at most MAX_WAIT."""
    values = parse_qs(query, keep_blank_values=True).get("wait")
    if values is None:
        return None
    problem = f"wait must be seconds, more than 0 and at most {MAX_WAIT:g}"
    if len(values) != 1:
        raise ApiError(400, "bad_request", problem)
    try:
        wait = float(values[0])
    except ValueError:
        raise ApiError(400, "bad_request", problem) from None
    if not 0 < wait <= MAX_WAIT:  # also false for nan
        raise ApiError(400, "bad_request", problem)
    return wait


def json_object(raw: bytes) -> dict[str, Any]:
    """A request body as a JSON object with numbers as Decimal; ApiError 400 bad_json otherwise."""
    try:
        body = json.loads(
            raw.decode("utf-8"),
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=_parse_constant,
        )
    except (UnicodeDecodeError, ValueError, RecursionError, InvalidOperation):
        raise ApiError(400, "bad_json", "the body must be a JSON object in UTF-8") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", f"the body must be a JSON object, not {_json_type(body)}")
    return body


def money(value: Decimal) -> str:
    """Tenge as the host API writes them: "350.00"."""
    return format(value.quantize(_TIYN), "f")


def _bad_amount(reason: str, **extra: Any) -> ApiError:
    return ApiError(422, "invalid_amount", f"amount {reason}", **extra)


def _bad_external_id(reason: str) -> ApiError:
    return ApiError(422, "invalid_external_id", f"external_id {reason}")


def _json_type(raw: Any) -> str:
    names = {dict: "an object", list: "an array", bool: "true/false", Decimal: "a number"}
    return names.get(type(raw), "a number" if isinstance(raw, int) else type(raw).__name__)


def _parse_constant(name: str) -> Decimal:
    # NaN/Infinity are not JSON, but Python's parser accepts them: turn them into values
    # validate_amount refuses with a reason, instead of floats that slip through.
    return Decimal(name)
