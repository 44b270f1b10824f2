"""HTTP side of the sandbox bank: authentication, the endpoints, the answers to faults.

Every answer carries Content-Length over HTTP/1.1: a client keeps one connection.
Authentication: basic wants the sandbox's `Api-Key` header and answers HTTP 401
with an envelope (StatusCode -1) when it is missing or wrong. standard and
enhanced speak mutual TLS 1.2 (as the bank does; a rejected certificate then
fails in the handshake itself): no client certificate -> StatusCode -10000, a
certificate not issued by the sandbox CA (or expired) -> handshake failure.
enhanced wants `OrganizationBin` in every API body (tradepoints: in the path);
an unknown BIN -> StatusCode -14000001.

Besides the guide's endpoints (state.py: the codes), every scheme serves (no BIN):

    POST   {base}/test/return/scan      {"qrReturnId": "<id>"}: the customer scans a return QR
    GET    {base}/sandbox/behaviour     the current Behaviour
    POST   {base}/sandbox/behaviour     {"scan_timeout": 20, ...}: change Behaviour fields
    POST   {base}/sandbox/faults        {"mode", "count", "path_contains", "delay"}: inject a fault
    DELETE {base}/sandbox/faults        clear every fault
    GET    {base}/sandbox/payments/{id} a payment's snapshot (status, amount, refunds, ...)
    DELETE {base}/sandbox/payments/{id} forget it, as after a bank-side reset (reads: -1601)
    POST   {base}/sandbox/clock         {"advance": 200}: move the bank's clock forward
    POST   {base}/sandbox/tradepoints/{id}  {"enabled": false, "accepts_qr": true}

Fault modes (state.FAULT_MODES): http500, http404 (nginx HTML), code999, drop (closed
unanswered), drop_after / garble_after (done, then closed unanswered / cut with non-TLS
bytes: the bank acted, its answer was lost), slow (`delay` s), nonjson. `count` 0 lasts
until cleared; /test/ and /sandbox/ paths are never hit. Answers' `Date` is the bank's clock.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl

from kiosk.kaspi.settings import SCHEMES
from kiosk.sandbox import codes, state
from kiosk.sandbox.faults import Fault
from kiosk.sandbox.listener import SchemeServer
from kiosk.sandbox.service import ConnInfo, RequestRecord, Service
from kiosk.sandbox.state import Bank, BankError, Payment
from kiosk.sandbox.wire import check_transport, envelope, spell

log = logging.getLogger(__name__)

PREFIX = {"basic": "r1", "standard": "r2", "enhanced": "r3"}
IDLE_TIMEOUT = 60.0  # an idle keep-alive connection is closed after this
MAX_BODY = 1 << 20

_HTML_404 = (
    b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    b"<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_HTML_500 = b"<html><body><h1>500 Internal Server Error</h1></body></html>\r\n"
_HTML_PAGE = b"<!DOCTYPE html><html><body><p>Service is under maintenance</p></body></html>\r\n"
_HTML = "text/html; charset=utf-8"
_JSON = "application/json; charset=utf-8"


# --- routes ---------------------------------------------------------------------------------


@dataclass
class Call:
    service: Service
    scheme: str
    version: str
    org: str | None  # None: a GET without a BIN (any organisation's device will do)
    body: dict[str, Any]
    query: dict[str, str]
    params: dict[str, str]
    now: float

    @property
    def bank(self) -> Bank:
        return self.service.bank

    def arg(self, name: str) -> Any:
        """A query parameter, spelt PhoneNumber or phoneNumber (docs/kaspi/api.md §10.4)."""
        return self.query.get(name.lower())

    def field(self, name: str) -> Any:
        """A body field, read case-insensitively as the bank's .NET binder does."""
        if name in self.body:
            return self.body[name]
        lowered = {k.lower(): v for k, v in self.body.items()}
        return lowered.get(name.lower())


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    schemes: tuple[str, ...]
    func: Callable[[Call], Any]
    kind: str = "api"  # api | test | control
    versions: tuple[str, ...] = ("v01",)


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _date(call: Call, epoch: float) -> str:
    return state.format_date(epoch, call.bank.behaviour.date_style)


def _token(payment_id: int) -> str:
    return f"{payment_id:012d}{secrets.randbelow(10**29):029d}"


def _ping(call: Call) -> Any:
    return None


def _tradepoints(call: Call) -> Any:
    org = call.params.get("bin") or call.org or state.SANDBOX_BIN
    return [{"TradePointId": p.id, "TradePointName": p.name} for p in call.bank.trade_points(org)]


def _register(call: Call) -> Any:
    assert call.org is not None
    device = call.bank.register_device(call.org, call.field("DeviceId"), call.field("TradePointId"))
    call.service.on_devices_changed()
    numeric = call.bank.behaviour.device_token_style == "numeric" and device.token.isdigit()
    return {"DeviceToken": int(device.token) if numeric else device.token}


def _delete(call: Call) -> Any:
    assert call.org is not None
    call.bank.delete_device(call.org, call.field("DeviceToken"))
    call.service.on_devices_changed()
    return None


def _create(call: Call, link: bool) -> Any:
    assert call.org is not None
    p = call.bank.create_payment(
        call.org,
        call.field("DeviceToken"),
        call.field("Amount"),
        call.field("ExternalId"),
        call.now,
        link=link,
    )
    b = call.bank.behaviour
    wait = _num(p.scan_deadline - p.created_at)
    common = {"ExpireDate": _date(call, p.scan_deadline), "PaymentMethods": list(p.methods)}
    if link:
        return {
            "PaymentLink": f"https://pay.kaspi.kz/pay/{_token(p.id)}",
            **common,
            "PaymentId": p.id,
            "PaymentBehaviorOptions": {
                "StatusPollingInterval": _num(b.poll_interval),
                b.link_timeout_name: wait,
                "PaymentConfirmationTimeout": _num(p.confirm_timeout),
            },
        }
    return {
        "QrToken": _token(p.id),
        "ExpireDate": common["ExpireDate"],
        "QrPaymentId": p.id,
        "PaymentMethods": common["PaymentMethods"],
        "QrPaymentBehaviorOptions": {
            "StatusPollingInterval": _num(b.poll_interval),
            "QrCodeScanWaitTimeout": wait,
            "PaymentConfirmationTimeout": _num(p.confirm_timeout),
        },
    }


def _status(call: Call) -> Any:
    p = call.bank.payment(call.params["id"], call.now)
    data: dict[str, Any] = {"Status": p.status}
    if call.version == "v02":  # production's v02 adds these; null until the purchase is paid
        paid = p.status == state.PROCESSED
        product = p.methods[0] if paid and p.methods else None
        data["TransactionId"] = str(p.id * 10 + 7) if paid else None
        data["ProductType"] = product
        data["LoanTerm"] = 3 if product == "Loan" else None
    return data


def _details(call: Call) -> Any:
    p = call.bank.details(call.org, call.arg("DeviceToken"), call.arg("QrPaymentId"), call.now)
    return {
        "QrPaymentId": p.id,
        "TotalAmount": float(p.amount),
        "AvailableReturnAmount": float(p.available),
        "TransactionDate": _date(call, p.finished_at or p.created_at),
    }


def _return_create(call: Call) -> Any:
    assert call.org is not None
    qr = call.bank.create_return(
        call.org, call.field("DeviceToken"), call.field("ExternalId"), call.now
    )
    b = call.bank.behaviour
    return {
        "QrToken": _token(qr.id),
        "ExpireDate": _date(call, qr.scan_deadline),
        "QrReturnId": qr.id,
        "QrReturnBehaviorOptions": {
            "QrCodeScanEventPollingInterval": _num(b.return_poll_interval),
            "QrCodeScanWaitTimeout": _num(qr.scan_deadline - qr.created_at),
        },
    }


def _return_status(call: Call) -> Any:
    qr = call.bank.return_qr(call.params["id"])
    qr.settle(call.now)
    return {"Status": qr.status}


def _return_operations(call: Call) -> Any:
    assert call.org is not None
    payments = call.bank.return_operations(
        call.org,
        call.field("DeviceToken"),
        call.field("QrReturnId"),
        call.field("MaxResult"),
        call.now,
    )
    return [
        {
            "QrPaymentId": p.id,
            "TransactionDate": _date(call, p.finished_at or p.created_at),
            "Amount": float(p.amount),
        }
        for p in payments
    ]


def _refund(call: Call) -> Any:
    assert call.org is not None
    refund = call.bank.refund(
        call.org,
        call.field("DeviceToken"),
        call.field("QrPaymentId"),
        call.field("Amount"),
        call.now,
        return_id=call.field("QrReturnId"),
        needs_return=call.scheme == "standard",
    )
    return {"ReturnOperationId": refund.id}


def _client_info(call: Call) -> Any:
    name = call.bank.client_name(call.arg("deviceToken"), call.arg("phoneNumber"), call.now)
    return {"ClientName": name}


def _remote_create(call: Call) -> Any:
    assert call.org is not None
    p = call.bank.create_remote(
        call.org,
        call.field("DeviceToken"),
        call.field("Amount"),
        call.field("PhoneNumber"),
        call.field("Comment"),
        call.now,
    )
    return {"QrPaymentId": p.id}


def _remote_cancel(call: Call) -> Any:
    assert call.org is not None
    p = call.bank.cancel_remote(
        call.org, call.field("DeviceToken"), call.field("QrPaymentId"), call.now
    )
    return {"Status": p.status}


_CUSTOMER: dict[str, tuple[Callable[[Bank, Any, float], Payment], str]] = {
    "scan": (Bank.scan, "the customer scanned the QR"),
    "confirm": (Bank.confirm, "the customer confirmed the purchase"),
    "scanerror": (Bank.scan_error, "the scan failed"),
    "confirmerror": (Bank.confirm_error, "the confirmation failed"),
}


def _test_payment(call: Call) -> Any:
    action, message = _CUSTOMER[call.params["action"]]
    payment = action(call.bank, call.field("qrPaymentId"), call.now)
    if call.field("customer") and payment.status == state.PROCESSED:  # sandbox-only field
        payment.payer = str(call.field("customer"))
    return message


def _test_return(call: Call) -> Any:
    who = call.field("customer") or state.TEST_CUSTOMER  # sandbox-only field
    call.bank.scan_return(call.field("qrReturnId"), call.now, str(who))
    return "the customer scanned the return QR"


def _get_behaviour(call: Call) -> Any:
    return call.bank.behaviour.to_json()


def _set_behaviour(call: Call) -> Any:
    try:
        return call.service.set_behaviour(**call.body).to_json()
    except (TypeError, ValueError) as exc:
        raise BankError(codes.BAD_REQUEST, str(exc)) from None


def _add_fault(call: Call) -> Any:
    try:
        call.service.add_fault(
            call.body.get("mode", ""),
            count=call.body.get("count", 1),
            path_contains=call.body.get("path_contains", ""),
            delay=call.body.get("delay", 3.0),
        )
    except ValueError as exc:
        raise BankError(codes.BAD_REQUEST, str(exc)) from None
    return [f.to_json() for f in call.service.faults]


def _clear_faults(call: Call) -> Any:
    call.service.clear_faults()
    return []


def _payment_snapshot(call: Call) -> Any:
    return call.bank.payment(call.params["id"], call.now).snapshot()


def _forget_payment(call: Call) -> Any:  # a bank-side reset: later reads answer -1601
    call.bank.payments.pop(state.parse_id(call.params["id"], "id"), None)
    return None


def _clock(call: Call) -> Any:
    seconds = call.body.get("advance")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise BankError(codes.BAD_REQUEST, "advance must be seconds >= 0")
    call.service.offset += seconds
    now = call.service.now()
    return {"Now": now, "Date": state.format_date(now, "production")}


def _trade_point(call: Call) -> Any:
    point = call.bank.trade_point(state.SANDBOX_BIN, int(call.params["id"]))
    for key in ("enabled", "accepts_qr"):
        if key in call.body:
            if not isinstance(call.body[key], bool):
                raise BankError(codes.BAD_REQUEST, f"{key} must be true or false")
            setattr(point, key, call.body[key])
    return {
        "id": point.id,
        "name": point.name,
        "enabled": point.enabled,
        "accepts_qr": point.accepts_qr,
    }


def _r(
    method: str,
    pattern: str,
    schemes: tuple[str, ...],
    func: Callable[[Call], Any],
    kind: str = "api",
    versions: tuple[str, ...] = ("v01",),
) -> Route:
    return Route(method, re.compile(pattern), schemes, func, kind, versions)


_ALL = SCHEMES
_CERT = ("standard", "enhanced")
ROUTES: tuple[Route, ...] = (
    _r("GET", r"/health/ping", _ALL, _ping),
    _r("GET", r"/partner/tradepoints", ("basic", "standard"), _tradepoints),
    _r("GET", r"/partner/tradepoints/(?P<bin>[^/]+)", ("enhanced",), _tradepoints),
    _r("POST", r"/device/register", _ALL, _register),
    _r("POST", r"/device/delete", _ALL, _delete),
    _r("POST", r"/qr/create", _ALL, lambda c: _create(c, link=False)),
    _r("POST", r"/qr/create-link", _ALL, lambda c: _create(c, link=True)),
    _r("GET", r"/payment/status/(?P<id>[^/]+)", _ALL, _status, versions=("v01", "v02")),
    _r("GET", r"/payment/details", _CERT, _details),
    _r("POST", r"/return/create", ("standard",), _return_create),
    _r("GET", r"/return/status/(?P<id>[^/]+)", ("standard",), _return_status),
    _r("POST", r"/return/operations", ("standard",), _return_operations),
    _r("POST", r"/payment/return", _CERT, _refund),
    _r("GET", r"/remote/client-info", ("enhanced",), _client_info),
    _r("POST", r"/remote/create", ("enhanced",), _remote_create),
    _r("POST", r"/remote/cancel", ("enhanced",), _remote_cancel),
    _r(
        "POST",
        r"/test/payment/(?P<action>scan|confirm|scanerror|confirmerror)",
        _ALL,
        _test_payment,
        "test",
    ),
    _r("POST", r"/test/return/scan", ("standard",), _test_return, "test"),
    _r("GET", r"/sandbox/behaviour", _ALL, _get_behaviour, "control"),
    _r("POST", r"/sandbox/behaviour", _ALL, _set_behaviour, "control"),
    _r("POST", r"/sandbox/faults", _ALL, _add_fault, "control"),
    _r("DELETE", r"/sandbox/faults", _ALL, _clear_faults, "control"),
    _r("GET", r"/sandbox/payments/(?P<id>[^/]+)", _ALL, _payment_snapshot, "control"),
    _r("DELETE", r"/sandbox/payments/(?P<id>[^/]+)", _ALL, _forget_payment, "control"),
    _r("POST", r"/sandbox/clock", _ALL, _clock, "control"),
    _r("POST", r"/sandbox/tradepoints/(?P<id>\d{1,9})", _ALL, _trade_point, "control"),
)
_PATH = re.compile(r"^/(r[123])/(v\d\d)(/.*)$")


def _endpoint(route: Route) -> str:
    """The route's path as codes.GUIDE_CODES names it ("/payment/status/{}")."""
    return re.sub(r"\(\?P<\w+>[^)]*\)", "{}", route.pattern.pattern)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_json(raw: bytes) -> Any:
    return json.loads(raw.decode("utf-8-sig"), parse_constant=_reject_constant)


# --- HTTP -----------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "KaspiSandbox/1.0"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    # Buffered, so head and body leave in one write when handle_one_request() flushes:
    # two small TLS records in two segments would meet the client's delayed ACK (40 ms).
    wbufsize = 64 * 1024
    server: SchemeServer

    def __init__(
        self, request: Any, client_address: Any, server: SchemeServer, conn: ConnInfo
    ) -> None:
        self.conn = conn
        super().__init__(request, client_address, server)

    def date_time_string(self, timestamp: float | None = None) -> str:
        now = self.server.service.now() if timestamp is None else timestamp
        return super().date_time_string(now)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s: " + format, self.server.scheme, *args)

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_GET

    def __getattr__(self, name: str) -> Callable[[], None]:
        # Any other method (TRACE, QUERY, OPTIONS) is routed too: 405 on a known path, as a
        # web server in front of the bank answers, not the library's 501 server error. HEAD
        # keeps the 501: answering it with a body would corrupt a kept-alive connection.
        if name.startswith("do_") and name != "do_HEAD":
            return self._serve
        raise AttributeError(name)

    def _serve(self) -> None:
        svc = self.server.service
        path, _, query = self.path.partition("?")
        raw = self._read_body()
        body: Any = None
        if raw:
            with contextlib.suppress(ValueError):
                body = _parse_json(raw)
        record = RequestRecord(
            scheme=self.server.scheme,
            method=self.command,
            path=path,
            query=query,
            time=time.monotonic(),
            request_id=self.headers.get("X-Request-ID"),
            api_key_present="Api-Key" in self.headers,
            client_subject=self.conn.subject,
            connection_id=self.conn.id,
            body=body,
        )
        svc.record(record)
        if raw is None:
            self._answer(record, 400, _JSON, envelope(codes.BAD_REQUEST, "unreadable body"))
            return
        fault = None if ("/sandbox/" in path or "/test/" in path) else svc.take_fault(path)
        if fault is not None and fault.mode not in ("slow", "drop_after", "garble_after"):
            self._fault(record, fault)
            return
        if fault is not None:
            svc.stopping.wait(fault.delay)
        try:
            status, kind, data = self._dispatch(path, query, raw, body)
        except Exception:  # a sandbox bug must still give the client an answer
            log.exception("sandbox bug while answering %s %s", self.command, path)
            status, kind, data = 500, _JSON, envelope(codes.SERVICE_UNAVAILABLE, "sandbox error")
        if fault is not None and fault.mode in ("drop_after", "garble_after"):
            self._fault(record, fault)
            return
        self._answer(record, status, kind, data)

    def _fault(self, record: RequestRecord, fault: Fault) -> None:
        log.info("%s %s %s: fault %s", self.server.scheme, self.command, record.path, fault.mode)
        if fault.mode in ("drop", "drop_after", "garble_after"):
            self.close_connection = True
            if fault.mode == "garble_after":
                with contextlib.suppress(OSError):
                    socket.socket.send(self.connection, b"HTTP/1.1 200 OK\r\n\r\n")
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self.connection, socket.SHUT_RDWR)
            return
        unavailable = envelope(codes.SERVICE_UNAVAILABLE, codes.MESSAGES[codes.SERVICE_UNAVAILABLE])
        answers = {"http500": (500, _HTML, _HTML_500), "http404": (404, _HTML, _HTML_404)}
        answers |= {"code999": (200, _JSON, unavailable), "nonjson": (200, _HTML, _HTML_PAGE)}
        self._answer(record, *answers[fault.mode])

    def _dispatch(self, path: str, query: str, raw: bytes, body: Any) -> tuple[int, str, bytes]:
        svc = self.server.service
        scheme = self.server.scheme
        if scheme == "basic":
            if self.headers.get("Api-Key") != svc.api_key:
                return (
                    401,
                    _JSON,
                    envelope(
                        codes.BAD_REQUEST,
                        "Unauthorized: the Api-Key header is missing or not valid",
                    ),
                )
        elif self.conn.subject is None:
            return 200, _JSON, envelope(codes.NO_CERTIFICATE, codes.MESSAGES[codes.NO_CERTIFICATE])
        match = _PATH.match(path)
        if match is None or match[1] != PREFIX[scheme]:
            return 404, _HTML, _HTML_404
        version, rest = match[2], match[3]
        route, params, allowed = None, {}, False
        for candidate in ROUTES:
            found = candidate.pattern.fullmatch(rest)
            if found and scheme in candidate.schemes and version in candidate.versions:
                allowed = True
                if candidate.method == self.command:
                    route, params = candidate, found.groupdict()
                    break
        if route is None:
            if allowed:
                return 405, _HTML, b"<html><body>405 Method Not Allowed</body></html>\r\n"
            return 404, _HTML, _HTML_404
        lower = route.kind == "test"
        endpoint = _endpoint(route)
        behaviour = svc.bank.behaviour
        try:
            if route.kind == "api" and behaviour.strict:
                numeric = behaviour.device_token_style == "numeric"
                check_transport(route.method, self.headers, body, numeric_tokens=numeric)
            if route.method == "POST" and not isinstance(body, dict):
                raise BankError(codes.BAD_REQUEST, "the body must be a JSON object")
            org: str | None = state.SANDBOX_BIN
            if scheme == "enhanced":
                org = None
                if route.kind == "api" and route.method == "POST":
                    org = state.parse_text(body.get("OrganizationBin"), "OrganizationBin")
                elif "bin" in params:
                    org = params["bin"]
                if org is not None and org not in svc.bank.organizations:
                    raise BankError(codes.UNKNOWN_ORGANIZATION, f"BIN {org!r}")
            with svc.lock:
                call = Call(
                    service=svc,
                    scheme=scheme,
                    version=version,
                    org=org,
                    body=body if isinstance(body, dict) else {},
                    query={k.lower(): v for k, v in parse_qsl(query)},
                    params=params,
                    now=svc.now(),
                )
                data = route.func(call)
        except BankError as exc:
            if route.kind != "control" and not codes.listed(endpoint, exc.code):
                # Only what the call's table lists (or codes.py marks invented): else a bug.
                log.error("sandbox bug: %s answered %s, not in its table", endpoint, exc.code)
                return 500, _JSON, envelope(codes.SERVICE_UNAVAILABLE, "sandbox error")
            code = spell(endpoint, exc.code, behaviour.codes)
            return 200, _JSON, envelope(code, exc.message, lower=lower)
        if lower:
            return 200, _JSON, envelope(codes.OK, str(data), lower=True)
        return 200, _JSON, envelope(codes.OK, "OK", data)

    def _read_body(self) -> bytes | None:
        try:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                return self._read_chunked()
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 <= length <= MAX_BODY:
                raise ValueError(length)
            return self.rfile.read(length) if length else b""
        except ValueError:
            self.close_connection = True
            return None

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"x", 16)
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                raise ValueError(total)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _answer(self, record: RequestRecord, status: int, kind: str, data: bytes) -> None:
        record.http_status = status
        if kind == _JSON:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                record.status_code = int(json.loads(data)["StatusCode"])
        log.info(
            "%s %s %s -> HTTP %d%s",
            self.server.scheme,
            self.command,
            record.path,
            status,
            "" if record.status_code is None else f" StatusCode {record.status_code}",
        )
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        if record.request_id:
            self.send_header("X-Request-ID", record.request_id)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
