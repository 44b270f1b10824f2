"""Typed errors of the Kaspi client and the operator-readable meaning of every StatusCode.

The hierarchy follows stripe-python: one base class, then what failed — the
network (TransportError), HTTP itself (HttpError) or the API's envelope
(ApiError). Every error carries the X-Request-ID of the request that failed so
an operator can quote it to the bank. No message ever contains a secret.
"""

from __future__ import annotations

# The StatusCodes of docs/kaspi/api.md §9.1, in words an operator understands. The guide prints
# several codes with a varying number of digits; `normalize_code` maps both
# spellings onto the keys of this table.
MESSAGES: dict[int, str] = {
    0: "Success",
    -10000: "The bank did not receive a client certificate (check cert_file and ca_file)",
    -1501: "No device with this identifier: register the kiosk again (kiosk register)",
    -1502: "The device is not active (disabled or deleted): register the kiosk again",
    -1503: "This device is already registered at another trade point",
    -1601: "The bank does not know this purchase",
    -14000002: "The organisation has no trade points: create one in the Kaspi Pay app",
    -99000002: "Trade point not found: check trade_point_id",
    -99000005: "The refund cannot exceed the purchase amount",
    -99000006: "Refund failed: try again, and contact the bank if it repeats",
    990000018: "The trade point is disabled in Kaspi Pay",
    990000026: "The trade point does not accept Kaspi QR payments",
    990000028: "The amount is not valid for this operation",
    990000033: "No payment methods are available for this trade point",
    -990000001: "The bank does not know this purchase",
    -990000002: "Trade point not found: check trade_point_id",
    -990000003: "The purchase belongs to another trade point than this device",
    -990000011: "This purchase cannot be refunded in its current status",
    -990000020: "A partial refund is not possible for this purchase",
    -999: "The Kaspi service is temporarily unavailable",
}

# Other spellings the guide prints for the same codes (docs/kaspi/api.md §9.2).
_ALIASES: dict[int, int] = {
    9900000018: 990000018,
    9900000026: 990000026,
    9900000028: 990000028,
    9900000033: 990000033,
    -990000005: -99000005,
    -990000006: -99000006,
    -9900000002: -990000002,
    -9900000001: -990000001,
    -9900000003: -990000003,
    -9900000011: -990000011,
    -9900000020: -990000020,
    # Remote payments (scheme enhanced): remote/cancel prints not-found as -99000001; remote
    # create/cancel print 9900000032 and client-info 990000032 for one code.
    -99000001: -990000001,
    9900000032: 990000032,
}

# Codes the remote-payment tables list without saying what they mean: shown with their
# number and the bank's own message, never as "Unknown".
REMOTE_UNEXPLAINED = frozenset({-1401, -1404, 99000010, 990000032, 9900000029, 9900000031})

SERVICE_UNAVAILABLE = -999
PURCHASE_NOT_FOUND = (-1601, -990000001)
DEVICE_GONE = (-1501, -1502)


def normalize_code(code: int) -> int:
    """The spelling of `code` in docs/kaspi/api.md §9.1 (both spellings in the guide map to one)."""
    return _ALIASES.get(code, code)


def describe_code(code: int, server_message: str | None = None) -> str:
    """One operator-readable line for a StatusCode; unknown codes keep their number."""
    known = MESSAGES.get(normalize_code(code))
    if known is not None:
        return f"{known} (code {code})"
    detail = f": {server_message}" if server_message else ""
    if normalize_code(code) in REMOTE_UNEXPLAINED:
        what = "Remote payment refused; the guide gives no meaning for this code"
        return f"{what} (code {code}){detail}"
    return f"Unknown Kaspi status code {code}{detail}"


class KaspiError(Exception):
    """Base of every error the client raises."""

    @property
    def transient(self) -> bool:
        """Repeating the same request may succeed (the caller decides whether it may)."""
        return False

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        self.message = message
        self.request_id = request_id
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.request_id:
            return f"{self.message} [X-Request-ID {self.request_id}]"
        return self.message


class TransportError(KaspiError):
    """The request did not get an HTTP answer.

    `request_sent`: the kiosk had started writing the request when it failed, so the
    bank may have read it and acted on it; False only for a failure known to have come
    while connecting (refused, DNS, the proxy's tunnel, the TLS handshake): then nothing
    can have moved. Unless told, assume the worse.
    """

    def __init__(
        self, message: str, *, request_id: str | None = None, request_sent: bool = True
    ) -> None:
        self.request_sent = request_sent
        super().__init__(message, request_id=request_id)

    @property
    def transient(self) -> bool:
        return True


class ConnectError(TransportError):
    """The bank's host could not be reached (DNS, refused, reset, proxy)."""


class RequestTimeout(TransportError):
    """The bank did not answer within the configured timeout."""


class ConnectionLost(ConnectError):
    """The connection broke after the request was written: the bank may have acted on it."""


class TlsError(TransportError):
    """The TLS handshake failed: certificate rejected, untrusted, expired or wrong host.

    Not transient: repeating the same handshake fails the same way. Always raised
    before the request was written (a TLS failure after it is ConnectionLost).
    """

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message, request_id=request_id, request_sent=False)

    @property
    def transient(self) -> bool:
        return False


class HttpError(KaspiError):
    """An HTTP answer that is not a usable envelope: non-2xx, or a body that is not JSON."""

    def __init__(
        self, message: str, *, status: int, body_excerpt: str = "", request_id: str | None = None
    ) -> None:
        self.status = status
        self.body_excerpt = body_excerpt
        super().__init__(message, request_id=request_id)

    @property
    def transient(self) -> bool:  # 5xx and garbled bodies are worth another status read
        return self.status >= 500 or self.status == 200


class ApiError(KaspiError):
    """The envelope said StatusCode != 0."""

    def __init__(
        self, code: int, server_message: str | None, *, request_id: str | None = None
    ) -> None:
        self.code = normalize_code(code)
        self.raw_code = code
        self.server_message = server_message
        super().__init__(describe_code(code, server_message), request_id=request_id)

    @property
    def transient(self) -> bool:
        return self.code == SERVICE_UNAVAILABLE


class UnsupportedOperation(KaspiError):
    """The configured scheme does not offer this call (e.g. refunds in scheme basic)."""


def nothing_moved(error: KaspiError) -> bool:
    """The bank refused the call, or the request never left the kiosk: no money moved.

    Anything else (no answer after the request was written, a 5xx, a garbled body)
    leaves the outcome unknown until it is checked with the bank.
    """
    if isinstance(error, ApiError | UnsupportedOperation):
        return True
    if isinstance(error, TransportError):
        return not error.request_sent
    return isinstance(error, HttpError) and 400 <= error.status < 500


class ProtocolError(KaspiError):
    """A success envelope whose Data lacks the fields docs/kaspi/api.md lists for the call."""
