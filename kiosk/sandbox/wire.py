"""What the sandbox's answers look like and what strict mode demands of a request.

The transport rules of docs/kaspi/api.md §3.1 (every scheme): JSON bodies with
`Content-Type: application/json`, an `X-Request-ID` on every call, and each body
field of the type its table gives. A lenient bank hides a client that breaks them;
strict mode (Behaviour.strict, `kiosk sandbox --strict`) refuses such a call with
the guide's envelope and StatusCode -1 (BAD_REQUEST: the guide names no code for it),
and a Message naming the rule.

The guide prints some StatusCodes two ways (section 5 of the digest); `spell` writes
a code as Behaviour.codes asks.
"""

from __future__ import annotations

import json
from email.message import Message

from kiosk.kaspi.errors import normalize_code
from kiosk.sandbox import codes
from kiosk.sandbox.codes import BAD_REQUEST
from kiosk.sandbox.state import BankError

#: Each API body field's JSON type as the guide's tables give it (Int64 and Double are
#: JSON numbers; DeviceToken is a GUID string, or a number in the numeric token style).
FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "DeviceId": (str,),
    "DeviceToken": (str,),
    "TradePointId": (int,),
    "Amount": (int, float),
    "ExternalId": (str,),
    "OrganizationBin": (str,),
    "QrPaymentId": (int,),
    "QrReturnId": (int,),
    "MaxResult": (int,),
    "PhoneNumber": (str,),
    "Comment": (str,),
}
_TYPE_NAMES = {str: "a string", int: "a whole number", float: "a number"}


def check_transport(
    method: str, headers: Message, body: object, *, numeric_tokens: bool = False
) -> None:
    """Strict mode: docs/kaspi/api.md §3.1, or BankError(BAD_REQUEST) naming the one broken."""
    request_id = headers.get("X-Request-ID")
    if not request_id or not request_id.strip():
        raise BankError(BAD_REQUEST, "X-Request-ID header is required")
    if method != "POST":
        return
    kind = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise BankError(BAD_REQUEST, "Content-Type must be application/json")
    if not isinstance(body, dict):
        return  # refused as "not a JSON object" by the caller
    for name, value in body.items():
        allowed = FIELD_TYPES.get(name)
        if allowed is None or value is None:
            continue
        if name == "DeviceToken" and numeric_tokens:
            allowed = (str, int)
        if isinstance(value, bool) or not isinstance(value, allowed):
            wanted = " or ".join(_TYPE_NAMES[t] for t in allowed)
            raise BankError(BAD_REQUEST, f"{name} must be {wanted} in JSON, not {value!r:.40}")


def spell(endpoint: str, code: int, style: str) -> int:
    """`code` as the guide's endpoint table ("table") or its code table ("appendix")
    prints it (docs/kaspi/api.md §9.2)."""
    if style == "appendix":
        return normalize_code(code)
    if style == "table":
        normal = normalize_code(code)
        printed = [c for c in codes.GUIDE_CODES.get(endpoint, ()) if normalize_code(c) == normal]
        return printed[0] if printed else code
    return code


def envelope(code: int, message: str, data: object = None, *, lower: bool = False) -> bytes:
    """The guide's answer: {"StatusCode", "Message", "Data"}; the test host's says `message`."""
    doc: dict[str, object] = {"StatusCode": code, "message" if lower else "Message": message}
    if data is not None:
        doc["Data"] = data
    return json.dumps(doc, ensure_ascii=False).encode()
