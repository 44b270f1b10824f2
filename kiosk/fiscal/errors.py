"""Typed errors of the Webkassa client, and what the kiosk does about each register code.

Three kinds, as with the bank: the call got no usable HTTP answer (transport,
5xx, a body that is not the JSON envelope: for `Check` the outcome is unknown
and the same request is sent again), or the register answered its envelope
`{"Errors": [{"Code", "Text"}]}` (RegisterError, with every code and text).
No message holds a secret: the client never puts the login, password, key or
token into one.
"""

from __future__ import annotations

#: Session expired / unknown token, and no user authorised: authorise, repeat the call.
TOKEN_CODES = frozenset({2, 3})
#: The shift has been open more than 24 hours: close it with a Z-report, repeat the call.
SHIFT_TOO_LONG = 11
#: Z-report answers: the shift is already closed / no open shift. Nothing to close.
NOTHING_TO_CLOSE = frozenset({12, 13})
#: The ExternalCheckNumber was registered before: with `Data`, the original receipt.
DUPLICATE = 14
#: Offline longer than 72 hours: the register must reach the OFD; the receipt waits.
OFFLINE_TOO_LONG = 18
#: Refusals that repeating the same receipt cannot change: wrong login or password, no
#: access, no such cashbox, the request's data refused, a discount not allowed, a date before
#: the cashbox's connection. The receipt is `failed` and waits for the operator. Every other
#: code (-1 unknown, 7 blocked, 10 not activated, 18 offline, codes the digest does not
#: list) keeps it pending: the same ExternalCheckNumber can never make a second receipt,
#: so trying again is always safe, and the safe reading of an unknown code is "not yet".
REFUSED_FOR_GOOD = frozenset({1, 4, 5, 6, 9, 17, 20})

MEANINGS: dict[int, str] = {
    -1: "unknown error at the register",
    1: "wrong login or password (fiscal.login, fiscal.password)",
    2: "session expired",
    3: "no user authorised",
    4: "no access to the operation",
    5: "no access to the cashbox",
    6: "cashbox not found or not available to the user (fiscal.cashbox)",
    7: "cashbox blocked",
    8: "not enough cash in the register",
    9: "data validation error",
    10: "cashbox not activated",
    11: "shift open longer than 24 hours",
    12: "shift already closed",
    13: "no open shift",
    14: "receipt with this external number already registered",
    16: "receipt not found",
    18: "register offline longer than 72 hours: it must reach the OFD",
    19: "no receipt with this external number",
}


class FiscalError(Exception):
    """Base of every error of the fiscal client."""

    @property
    def outcome_unknown(self) -> bool:
        """No usable answer: a receipt may have been made, send the same one again."""
        return False

    @property
    def refused_for_good(self) -> bool:
        """The register refused and repeating the request unchanged cannot help."""
        return False


class TransportError(FiscalError):
    """No HTTP answer: refused, reset, dropped after sending, timed out, TLS."""

    @property
    def outcome_unknown(self) -> bool:
        return True


class HttpError(FiscalError):
    """An HTTP answer that is not the envelope: a 5xx, another status, a body not JSON."""

    def __init__(self, message: str, *, status: int) -> None:
        self.status = status
        super().__init__(message)

    @property
    def outcome_unknown(self) -> bool:
        return True


class RegisterError(FiscalError):
    """The register's `Errors` list: every code with its text, in the register's words."""

    def __init__(self, errors: list[tuple[int, str]], *, path: str, data: object = None) -> None:
        self.errors = errors
        self.path = path
        #: The answer's `Data` beside the errors: a duplicate's original receipt (code 14).
        self.data = data
        super().__init__(f"{path}: " + "; ".join(describe(c, t) for c, t in errors))

    @property
    def codes(self) -> frozenset[int]:
        return frozenset(code for code, _ in self.errors)

    @property
    def text(self) -> str:
        """The register's own texts, for the operator's attention list."""
        return "; ".join(f"{code}: {text}" for code, text in self.errors)

    @property
    def token_expired(self) -> bool:
        return bool(self.codes & TOKEN_CODES)

    @property
    def shift_too_long(self) -> bool:
        return SHIFT_TOO_LONG in self.codes

    @property
    def refused_for_good(self) -> bool:
        # Any one refusal for good decides: the others cannot make the receipt pass.
        return bool(self.codes & REFUSED_FOR_GOOD)


class ProtocolError(FiscalError):
    """A success envelope without the fields the digest promises (e.g. no CheckNumber)."""

    @property
    def outcome_unknown(self) -> bool:
        # The register may have made the receipt; its answer was just not usable.
        return True


def describe(code: int, text: str) -> str:
    meaning = MEANINGS.get(code)
    said = f" ({text})" if text else ""
    return f"code {code}: {meaning}{said}" if meaning else f"code {code}{said}"
