"""Local checks of identifiers before any request is sent."""

from __future__ import annotations

import re

# The guide's whole rule: "only Latin letters, digits, dash and underscore"; no length.
_DEVICE_ID = re.compile(r"[A-Za-z0-9_-]+")
DEVICE_ID_PROBLEM = "must be Latin letters, digits, '-' or '_' only (the bank accepts no others)"


def valid_device_id(device_id: str) -> bool:
    # fullmatch: `$` would let a trailing newline through.
    return isinstance(device_id, str) and _DEVICE_ID.fullmatch(device_id) is not None


def valid_bin(value: str) -> bool:
    """A BIN/IIN is 12 digits."""
    return len(value) == 12 and value.isdigit()


def normalize_phone(value: str) -> str:
    """A Kazakh mobile number as docs/kaspi/api.md §10.9 sends it: 8 and ten digits.

    Accepts +7 / 7 / 8 prefixes and spaces, dashes and brackets; ValueError otherwise.
    """
    digits = re.sub(r"[\s()\-]", "", value)
    if digits.startswith("+7"):
        digits = "8" + digits[2:]
    elif digits.startswith("7") and len(digits) == 11:
        digits = "8" + digits[1:]
    if not (len(digits) == 11 and digits.isdigit() and digits.startswith("87")):
        raise ValueError(f"not a Kazakh mobile number: {value!r} (expected like 87071234567)")
    return digits
