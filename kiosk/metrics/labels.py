"""The label values of the kiosk's metrics: a small, fixed vocabulary.

Prometheus keeps one time series per label combination, so a label must never
carry an id, an amount or free text: a payment id in `endpoint` would make a
new series for every sale. Every function here maps what happened onto a value
from a closed set, and anything unforeseen onto "other".
"""

from __future__ import annotations

from kiosk.kaspi import errors

#: The API's routes, as templates: a path segment of digits (a payment id, a BIN) is `{id}`.
ROUTES = frozenset(
    {
        "/health/ping",
        "/partner/tradepoints",
        "/partner/tradepoints/{id}",
        "/device/register",
        "/device/delete",
        "/qr/create",
        "/qr/create-link",
        "/payment/status/{id}",
        "/payment/details",
        "/payment/return",
        "/return/create",
        "/return/status/{id}",
        "/return/operations",
        "/remote/client-info",
        "/remote/create",
        "/remote/cancel",
        "/test/payment/scan",
        "/test/payment/confirm",
        "/test/payment/scanerror",
        "/test/payment/confirmerror",
    }
)
STATUS_ROUTE = "/payment/status/{id}"
PING_ROUTE = "/health/ping"
OTHER = "other"
_ROOTS = frozenset(route.split("/")[1] for route in ROUTES)

#: Every outcome of a request but "ok", in the order an operator reads them.
FAILURES = (
    "timeout",
    "connect",
    "tls",
    "http_5xx",
    "http_4xx",
    "bad_answer",
    "unavailable",
    "api_error",
    OTHER,
)


def route(path: str) -> str:
    """The route template of a request's URL path, without the scheme's base path.

    "/r2/v01/payment/status/500000001" -> "/payment/status/{id}"; a path that is
    none of the API's routes is "other".
    """
    segments = [s for s in path.split("/") if s]
    start = next((i for i, s in enumerate(segments) if s in _ROOTS), None)
    if start is None:
        return OTHER
    template = "/" + "/".join("{id}" if s.isdigit() else s for s in segments[start:])
    return template if template in ROUTES else OTHER


def outcome(error: BaseException | None) -> str:
    """ "ok", or what kind of failure a request ended in (one of FAILURES)."""
    if error is None:
        return "ok"
    if isinstance(error, errors.TlsError):
        return "tls"
    if isinstance(error, errors.RequestTimeout):
        return "timeout"
    if isinstance(error, errors.ConnectError):
        return "connect"
    if isinstance(error, errors.HttpError):
        if error.status >= 500:
            return "http_5xx"
        return "bad_answer" if 200 <= error.status < 300 else "http_4xx"
    if isinstance(error, errors.ApiError):
        return "unavailable" if error.code == errors.SERVICE_UNAVAILABLE else "api_error"
    if isinstance(error, errors.ProtocolError):
        return "bad_answer"
    return OTHER
