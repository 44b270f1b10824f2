"""What the sandbox tells clients and how strictly it reads them: `Behaviour`, and its choices.

One value object, changed at start (`kiosk sandbox` options), by a test, or at run
time (POST {base}/sandbox/behaviour). Each field that takes one of a few names has
its choices in CHOICES, which the check and the command line both read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

#: The two names of the link's first-stage timeout, tables' then text's (docs/kaspi/api.md §10.6).
LINK_TIMEOUT_NAMES = ("LinkActivationWaitTimeout", "QrCodeScanWaitTimeout")
DATE_STYLES = ("production", "guide-short-offset", "guide-one-digit-day", "seven-digit-no-offset")
API_VERSIONS = ("v01", "v02")
#: How StatusCodes the guide prints two ways (docs/kaspi/api.md §9.2) are spelled: "" each as
#: the sandbox always has (mostly §9.1's, the refund's too-large as payment/return's table);
#: "table" as the endpoint's own table prints it (qr/create's 9900000018); "appendix"
#: as the guide's table of codes does (docs/kaspi/api.md §9.1: 990000018, -99000005).
CODE_STYLES = ("", "table", "appendix")
#: DeviceToken as registration hands it out: a GUID string, or a whole number (sent as a
#: JSON number) for clients that type it Int64 as some of the guide's tables do.
TOKEN_STYLES = ("guid", "numeric")

CHOICES: dict[str, tuple[str, ...]] = {
    "date_style": DATE_STYLES,
    "link_timeout_name": LINK_TIMEOUT_NAMES,
    "api_version": API_VERSIONS,
    "codes": CODE_STYLES,
    "device_token_style": TOKEN_STYLES,
}


@dataclass
class Behaviour:
    """What the sandbox tells clients and how it dates its answers.

    Timeouts and payment methods apply to payments created afterwards (each payment
    keeps the deadlines it was created with); date_style applies to every later answer.
    """

    poll_interval: float = 5
    scan_timeout: float = 180
    confirm_timeout: float = 65
    link_activation_timeout: float = 180
    link_timeout_name: str = LINK_TIMEOUT_NAMES[0]  # the name qr/create-link answers it under
    # Seconds the bank is late cancelling a Wait past its confirmation timeout; -1: it
    # keeps Wait until the customer acts (a bank late with its own cancellation).
    late_cancel: float = 0
    # docs/kaspi/api.md §3.1 enforced: X-Request-ID on every API call, Content-Type:
    # application/json on POSTs, and each body field of the JSON type the guide gives it
    # (a lenient bank would hide a client that breaks them).
    strict: bool = False
    return_poll_interval: float = 5
    return_scan_timeout: float = 180
    date_style: str = "production"
    payment_methods: list[str] = field(default_factory=lambda: ["Gold", "Red", "Loan"])
    api_version: str = "v01"  # status path the written configs use; both are always served
    codes: str = ""
    device_token_style: str = TOKEN_STYLES[0]

    def with_changes(self, **changes: object) -> Behaviour:
        """A checked copy; ValueError names the first bad field."""
        names = {f.name for f in dataclasses.fields(self)}
        for name, value in changes.items():
            if name not in names:
                raise ValueError(f"unknown behaviour field {name!r} (known: {', '.join(names)})")
            _check(name, value)
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def to_json(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def _check(name: str, value: object) -> None:
    if name in CHOICES:
        if value not in CHOICES[name]:
            raise ValueError(f"{name} must be one of {', '.join(map(repr, CHOICES[name]))}")
    elif name == "strict":
        if not isinstance(value, bool):
            raise ValueError("strict must be true or false")
    elif name == "late_cancel":
        if isinstance(value, bool) or not isinstance(value, int | float) or value < -1:
            raise ValueError("late_cancel must be seconds >= 0, or -1 to keep Wait")
    elif name == "payment_methods":
        if not isinstance(value, list) or not all(isinstance(m, str) for m in value):
            raise ValueError("payment_methods must be a list of text")
    elif isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{name} must be a number of seconds above 0, not {value!r}")
