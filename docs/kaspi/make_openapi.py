"""Writes docs/kaspi/openapi.yaml: the Kaspi QR API as the embedded sandbox serves it.

Kaspi publishes no machine-readable description; this is the team's reading of the
integration guide v3.9 (docs/kaspi/api.md), endpoint by endpoint and scheme by
scheme, as kiosk/sandbox/routes.py answers it. The three schemes differ in prefix, port,
authentication and fields, so each scheme's operations are written out in full (a
client generator sees plain operations, no templating). Edit this file, then run

    python docs/kaspi/make_openapi.py

tests/e2e/test_kaspi_openapi.py fails while the yaml differs from what this writes, or
while the sandbox serves an endpoint the document lacks (or the reverse).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import yaml

TARGET = Path(__file__).with_name("openapi.yaml")
SCHEMES = {  # scheme: (prefix, port, security scheme)
    "basic": ("r1", 8543, "apiKey"),
    "standard": ("r2", 8544, "mutualTLS"),
    "enhanced": ("r3", 8545, "mutualTLS"),
}
ALL, CERT = ("basic", "standard", "enhanced"), ("standard", "enhanced")
Schema = dict[str, object]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: list[str], **properties: Schema) -> Schema:
    return {"type": "object", "required": required, "properties": properties}


INT64 = {"type": "integer", "format": "int64"}
TEXT = {"type": "string"}
MONEY = {"type": "number", "exclusiveMinimum": 0, "description": "tenge, at most 2 decimals"}
DATE = {
    "type": "string",
    "description": "ISO 8601; the guide's examples use several shapes "
    "(+06, +05:00, a one-digit day, seven fractional digits without an offset)",
}
TOKEN = {
    "oneOf": [TEXT, INT64],
    "description": "a GUID string; a number where the guide types it Int64 "
    "(kiosk sandbox --device-token-style numeric hands out numbers)",
}

SCHEMAS: dict[str, Schema] = {
    "Envelope": obj(
        ["StatusCode"],
        StatusCode={"type": "integer", "description": "0: success; else docs/kaspi/api.md §9"},
        Message={"type": "string"},
    ),
    "TestAnswer": obj(["StatusCode"], StatusCode={"type": "integer"}, message=TEXT),
    "TradePoints": {
        "type": "array",
        "items": obj(["TradePointId", "TradePointName"], TradePointId=INT64, TradePointName=TEXT),
    },
    "DeviceTokenData": obj(["DeviceToken"], DeviceToken=TOKEN),
    "QrCreated": obj(
        ["QrToken", "ExpireDate", "QrPaymentId", "PaymentMethods", "QrPaymentBehaviorOptions"],
        QrToken={"type": "string", "description": "the QR image's content"},
        ExpireDate=DATE,
        QrPaymentId=INT64,
        PaymentMethods={"type": "array", "items": TEXT, "examples": [["Gold", "Red", "Loan"]]},
        QrPaymentBehaviorOptions=obj(
            ["StatusPollingInterval", "QrCodeScanWaitTimeout", "PaymentConfirmationTimeout"],
            StatusPollingInterval={"type": "number"},
            QrCodeScanWaitTimeout={"type": "number"},
            PaymentConfirmationTimeout={"type": "number"},
        ),
    ),
    "LinkCreated": obj(
        ["PaymentLink", "ExpireDate", "PaymentId", "PaymentMethods", "PaymentBehaviorOptions"],
        PaymentLink={"type": "string", "format": "uri"},
        ExpireDate=DATE,
        PaymentId=INT64,
        PaymentMethods={"type": "array", "items": TEXT},
        PaymentBehaviorOptions={
            **obj(
                ["StatusPollingInterval", "PaymentConfirmationTimeout"],
                StatusPollingInterval={"type": "number"},
                LinkActivationWaitTimeout={"type": "number"},
                QrCodeScanWaitTimeout={"type": "number"},
                PaymentConfirmationTimeout={"type": "number"},
            ),
            "description": "the first-stage timeout is LinkActivationWaitTimeout in the "
            "guide's tables and QrCodeScanWaitTimeout in its text: accept either",
        },
    ),
    "PaymentStatus": obj(
        ["Status"],
        Status={
            "type": "string",
            "description": "QrTokenCreated, Wait, Processed, Error (docs/kaspi/api.md §5.5); "
            "RemotePaymentCreated seen in the field: treat unknown ones as not final",
        },
    ),
    "PaymentStatusV02": obj(
        ["Status"],
        Status=TEXT,
        TransactionId={"type": ["string", "null"]},
        ProductType={"type": ["string", "null"]},
        LoanTerm={"type": ["integer", "null"]},
    ),
    "PaymentDetails": obj(
        ["QrPaymentId", "TotalAmount", "AvailableReturnAmount", "TransactionDate"],
        QrPaymentId=INT64,
        TotalAmount={"type": "number"},
        AvailableReturnAmount={"type": "number"},
        TransactionDate=DATE,
    ),
    "ReturnCreated": obj(
        ["QrToken", "ExpireDate", "QrReturnId", "QrReturnBehaviorOptions"],
        QrToken=TEXT,
        ExpireDate=DATE,
        QrReturnId=INT64,
        QrReturnBehaviorOptions=obj(
            ["QrCodeScanEventPollingInterval", "QrCodeScanWaitTimeout"],
            QrCodeScanEventPollingInterval={"type": "number"},
            QrCodeScanWaitTimeout={"type": "number"},
        ),
    ),
    "ReturnStatus": obj(
        ["Status"],
        Status={"type": "string", "examples": ["QrTokenCreated", "CustomerIdentityObtained"]},
    ),
    "ReturnOperations": {
        "type": "array",
        "items": obj(
            ["QrPaymentId", "TransactionDate", "Amount"],
            QrPaymentId=INT64,
            TransactionDate=DATE,
            Amount={"type": "number"},
        ),
    },
    "Refunded": obj(["ReturnOperationId"], ReturnOperationId=INT64),
    "ClientInfo": obj(["ClientName"], ClientName=TEXT),
    "RemoteCreated": obj(["QrPaymentId"], QrPaymentId=INT64),
    "RemoteCancelled": obj(["Status"], Status={"type": "string", "const": "RemotePaymentCanceled"}),
}

# Request bodies: (required fields, fields). enhanced adds OrganizationBin to each.
BODIES: dict[str, tuple[list[str], dict[str, Schema]]] = {
    "RegisterDevice": (
        ["DeviceId", "TradePointId"],
        {"DeviceId": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"}, "TradePointId": INT64},
    ),
    "DeleteDevice": (["DeviceToken"], {"DeviceToken": TOKEN}),
    "CreateQr": (
        ["DeviceToken", "Amount"],
        {"DeviceToken": TOKEN, "Amount": MONEY, "ExternalId": TEXT},
    ),
    "CreateReturn": (["DeviceToken"], {"DeviceToken": TOKEN, "ExternalId": TEXT}),
    "ReturnOperationsRequest": (
        ["DeviceToken", "QrReturnId"],
        {
            "DeviceToken": TOKEN,
            "QrReturnId": INT64,
            "MaxResult": {"type": "integer", "minimum": 1, "maximum": 10, "default": 10},
        },
    ),
    "PaymentReturnWithCustomer": (
        ["DeviceToken", "QrPaymentId", "QrReturnId", "Amount"],
        {"DeviceToken": TOKEN, "QrPaymentId": INT64, "QrReturnId": INT64, "Amount": MONEY},
    ),
    "PaymentReturn": (
        ["DeviceToken", "QrPaymentId", "Amount"],
        {"DeviceToken": TOKEN, "QrPaymentId": INT64, "Amount": MONEY},
    ),
    "RemoteCreate": (
        ["DeviceToken", "Amount", "PhoneNumber"],
        {
            "DeviceToken": TOKEN,
            "Amount": MONEY,
            "PhoneNumber": {"type": "string", "examples": ["87077777777"]},
            "Comment": TEXT,
        },
    ),
    "RemoteCancel": (["DeviceToken", "QrPaymentId"], {"DeviceToken": TOKEN, "QrPaymentId": INT64}),
}
BIN = {"type": "string", "pattern": "^[0-9]{12}$", "description": "the organisation's BIN/IIN"}


def _query(name: str, schema: Schema, required: bool = True) -> Schema:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def _path(name: str, schema: Schema) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": schema}


class Endpoint(NamedTuple):
    method: str
    path: str
    schemes: tuple[str, ...]
    name: str
    summary: str
    body: str | None  # a BODIES entry
    data: str | None  # a SCHEMAS entry: the envelope's Data
    params: list[Schema]
    versions: tuple[str, ...]


V01 = ("v01",)
_ROWS: list[tuple[object, ...]] = [
    ("GET", "/health/ping", ALL, "ping", "Is the bank there", None, None, [], V01),
    (
        "GET",
        "/partner/tradepoints",
        ("basic", "standard"),
        "tradepoints",
        "The organisation's trade points",
        None,
        "TradePoints",
        [],
        V01,
    ),
    (
        "GET",
        "/partner/tradepoints/{organizationBin}",
        ("enhanced",),
        "tradepoints",
        "The organisation's trade points",
        None,
        "TradePoints",
        [_path("organizationBin", BIN)],
        V01,
    ),
    (
        "POST",
        "/device/register",
        ALL,
        "registerDevice",
        "Register a device at a trade point (the same call again: the same token)",
        "RegisterDevice",
        "DeviceTokenData",
        [],
        V01,
    ),
    (
        "POST",
        "/device/delete",
        ALL,
        "deleteDevice",
        "Deactivate a device",
        "DeleteDevice",
        None,
        [],
        V01,
    ),
    (
        "POST",
        "/qr/create",
        ALL,
        "createQr",
        "A QR for a purchase",
        "CreateQr",
        "QrCreated",
        [],
        V01,
    ),
    (
        "POST",
        "/qr/create-link",
        ALL,
        "createLink",
        "A payment link for a purchase",
        "CreateQr",
        "LinkCreated",
        [],
        V01,
    ),
    (
        "GET",
        "/payment/status/{id}",
        ALL,
        "paymentStatus",
        "A payment's status",
        None,
        "PaymentStatus",
        [_path("id", INT64)],
        V01,
    ),
    (
        "GET",
        "/payment/status/{id}",
        ALL,
        "paymentStatusV02",
        "A payment's status, with production's v02 fields",
        None,
        "PaymentStatusV02",
        [_path("id", INT64)],
        ("v02",),
    ),
    (
        "GET",
        "/payment/details",
        CERT,
        "paymentDetails",
        "Amount and refundable amount",
        None,
        "PaymentDetails",
        [_query("QrPaymentId", INT64), _query("DeviceToken", TEXT)],
        V01,
    ),
    (
        "POST",
        "/return/create",
        ("standard",),
        "createReturn",
        "A return QR for the customer to scan",
        "CreateReturn",
        "ReturnCreated",
        [],
        V01,
    ),
    (
        "GET",
        "/return/status/{id}",
        ("standard",),
        "returnStatus",
        "A return QR's status",
        None,
        "ReturnStatus",
        [_path("id", INT64)],
        V01,
    ),
    (
        "POST",
        "/return/operations",
        ("standard",),
        "returnOperations",
        "The identified customer's last purchases",
        "ReturnOperationsRequest",
        "ReturnOperations",
        [],
        V01,
    ),
    (
        "POST",
        "/payment/return",
        ("standard",),
        "paymentReturn",
        "Refund one of the customer's purchases",
        "PaymentReturnWithCustomer",
        "Refunded",
        [],
        V01,
    ),
    (
        "POST",
        "/payment/return",
        ("enhanced",),
        "paymentReturn",
        "Refund a purchase without the customer",
        "PaymentReturn",
        "Refunded",
        [],
        V01,
    ),
    (
        "GET",
        "/remote/client-info",
        ("enhanced",),
        "clientInfo",
        "The customer's name by phone number (at most 50 calls a minute per device)",
        None,
        "ClientInfo",
        [_query("phoneNumber", TEXT), _query("deviceToken", TEXT)],
        V01,
    ),
    (
        "POST",
        "/remote/create",
        ("enhanced",),
        "createRemote",
        "An invoice by phone number",
        "RemoteCreate",
        "RemoteCreated",
        [],
        V01,
    ),
    (
        "POST",
        "/remote/cancel",
        ("enhanced",),
        "cancelRemote",
        "Cancel an invoice",
        "RemoteCancel",
        "RemoteCancelled",
        [],
        V01,
    ),
]
ENDPOINTS = [Endpoint(*row) for row in _ROWS]  # type: ignore[arg-type]
TEST_ACTIONS = {
    "scan": "The customer scans the QR (status -> Wait)",
    "confirm": "The customer confirms (-> Processed)",
    "scanerror": "The scan fails (-> Error)",
    "confirmerror": "The confirmation fails (-> Error), after a scan",
}


UNAUTHORIZED: Schema = {
    "description": "scheme basic: no or a wrong Api-Key (an envelope, StatusCode -1)",
    "content": {"application/json": {"schema": ref("Envelope")}},
}


def _body_schema(name: str, scheme: str) -> Schema:
    required, fields = BODIES[name]
    if scheme == "enhanced":
        required, fields = [*required, "OrganizationBin"], {**fields, "OrganizationBin": BIN}
    return obj(list(required), **fields)


def _envelope(data: str | None) -> Schema:
    if data is None:
        return ref("Envelope")
    return {"allOf": [ref("Envelope"), {"type": "object", "properties": {"Data": ref(data)}}]}


def _operation(scheme: str, endpoint: Endpoint) -> Schema:
    name, summary, body, data, params = (
        endpoint.name,
        endpoint.summary,
        endpoint.body,
        endpoint.data,
        endpoint.params,
    )
    request_id = {
        "name": "X-Request-ID",
        "in": "header",
        "required": True,
        "description": "a unique id per request (GUID/UID), made by the client",
        "schema": {"type": "string", "examples": ["da169655f65740d991b1bbfcd9802b28"]},
    }
    operation: Schema = {
        "tags": [scheme],
        "operationId": f"{scheme}_{name}",
        "summary": summary,
        "parameters": [request_id, *params],
        "responses": {
            "200": {
                "description": "the envelope; StatusCode 0 with Data, or an error code "
                "and Message (docs/kaspi/api.md §9)",
                "content": {"application/json": {"schema": _envelope(data)}},
            },
            "default": {
                "description": "HTTP-level failures a client must survive: 5xx, an nginx "
                "HTML 404, a non-JSON body",
            },
        },
    }
    if scheme == "basic":
        operation["responses"]["401"] = UNAUTHORIZED  # type: ignore[index]
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _body_schema(body, scheme)}},
        }
    return operation


def _test_operation(scheme: str, action: str) -> Schema:
    return {
        "tags": [f"{scheme} test host"],
        "operationId": f"{scheme}_test_{action}",
        "summary": TEST_ACTIONS[action],
        "description": "The test host only. Note the lower-camel `qrPaymentId` (a string) "
        "and the lower-case `message` of the answer.",
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": obj(["qrPaymentId"], qrPaymentId={"type": "string"})}
            },
        },
        "responses": {
            "200": {
                "description": "done, or an error code",
                "content": {"application/json": {"schema": ref("TestAnswer")}},
            },
            **({"401": UNAUTHORIZED} if scheme == "basic" else {}),
        },
    }


def document() -> Schema:
    paths: dict[str, Schema] = {}

    def item(scheme: str, version: str, path: str) -> Schema:
        prefix, port, _security = SCHEMES[scheme]
        full = f"/{prefix}/{version}{path}"
        servers = [
            {"url": f"https://mtokentest.kaspi.kz:{port}", "description": "the bank's test host"},
            {"url": f"https://127.0.0.1:{port}", "description": "kiosk sandbox"},
        ]
        return paths.setdefault(full, {"servers": servers})

    for scheme in SCHEMES:
        security = [{SCHEMES[scheme][2]: []}]
        for endpoint in ENDPOINTS:
            if scheme in endpoint.schemes:
                for version in endpoint.versions:
                    operation = _operation(scheme, endpoint)
                    operation["security"] = security
                    item(scheme, version, endpoint.path)[endpoint.method.lower()] = operation
        for action in TEST_ACTIONS:
            operation = _test_operation(scheme, action)
            operation["security"] = security
            item(scheme, "v01", f"/test/payment/{action}")["post"] = operation
    scan = _test_operation("standard", "scan")
    scan.update(
        operationId="standard_test_return_scan",
        summary="The customer scans a return QR (-> CustomerIdentityObtained)",
        security=[{"mutualTLS": []}],
        description="The sandbox's own test endpoint (the guide has none for returns).",
    )
    scan["requestBody"]["content"]["application/json"]["schema"] = obj(  # type: ignore[index]
        ["qrReturnId"], qrReturnId={"type": "string"}
    )
    item("standard", "v01", "/test/return/scan")["post"] = scan
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kaspi QR API as the kiosk sandbox serves it",
            "version": "3.9",
            "summary": "The team's reading of the Kaspi QR integration guide v3.9; "
            "Kaspi publishes no description",
            "description": (
                "Three schemes, each on its own port and prefix: basic (r1, 8543, Api-Key), "
                "standard (r2, 8544, mutual TLS), enhanced (r3, 8545, mutual TLS, "
                "OrganizationBin in every body). Every answer is an envelope "
                "`{StatusCode, Message, Data}` with HTTP 200, errors too; StatusCode 0 is "
                "success. Bodies are JSON with `Content-Type: application/json`; every call "
                "carries `X-Request-ID` (`kiosk sandbox --strict` refuses one without, with "
                "StatusCode -1). Codes the guide prints two ways (9900000018 and 990000018) "
                "are one code; `kiosk sandbox --codes table|appendix` picks a spelling. "
                "Production base URLs come from the bank with the certificate."
            ),
        },
        "servers": [{"url": "https://127.0.0.1", "description": "see each path's servers"}],
        "tags": [{"name": s} for s in SCHEMES],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "apiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Api-Key",
                    "description": "scheme basic: test_... on the test host",
                },
                "mutualTLS": {
                    "type": "mutualTLS",
                    "description": "the client certificate the bank issued "
                    "(the sandbox: pki/client.pfx)",
                },
            },
            "schemas": SCHEMAS,
        },
    }


class _PlainDumper(yaml.SafeDumper):
    """No &anchors: a schema used twice is written twice, as client generators expect."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def render() -> str:
    header = "# Written by docs/kaspi/make_openapi.py: edit that, then run it.\n"
    text = yaml.dump(
        document(), Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=100
    )
    return header + text


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
