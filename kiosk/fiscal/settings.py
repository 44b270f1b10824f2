"""The `[fiscal]` section: which online cash register issues the receipts, and how to reach it.

Parsed here rather than among config.py's sections so the register's rules stay
beside the code that uses them; config.py calls `parse()` in one place. With
provider "none" (the default) the kiosk works as before and no fiscal client or
sender is imported. A problem is a ConfigError naming the key only: a secret's
value never appears, and neither does any other value (a URL may carry a
password in its user part).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from kiosk.kaspi.settings import ConfigError

SECTION = "fiscal"
PROVIDERS = ("none", "webkassa")
#: Webkassa's PaymentType for "mobile payment": a Kaspi QR payment is paid by phone.
MOBILE_PAYMENT = 4
#: PaymentType values of the register: cash, card, credit, tare, mobile. Credit and tare
#: are refused on protocol 2.0.2 and are no way to describe a Kaspi QR payment anyway.
PAYMENT_TYPES = (0, 1, 4)
_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


@dataclass(frozen=True)
class FiscalSettings:
    """The register's settings; secrets stay out of repr()."""

    provider: str = "none"
    base_url: str = ""  # scheme://host[:port]; the client adds /api/v4/...
    ca_file: Path | None = None  # None: the system's trust store
    api_key: str = field(default="", repr=False)
    login: str = ""
    password: str = field(default="", repr=False)
    cashbox: str = ""  # CashboxUniqueNumber (ЗНК)
    payment_type: int = MOBILE_PAYMENT
    vat_percent: int = 0  # 0: no VAT on the receipt (TaxType 0)
    position_name: str = "Товар"
    timeout: float = 15.0  # seconds for one call to the register
    zreport_time: str = ""  # "HH:MM" local time for a daily Z-report; empty: none

    @property
    def enabled(self) -> bool:
        return self.provider != "none"

    @property
    def secrets(self) -> list[str]:
        return [s for s in (self.api_key, self.password) if s]


#: Every key with its one-line help; the example file documents the same keys.
KEYS: dict[str, str] = {
    "provider": 'The online cash register: "none" (no receipts) | "webkassa"',
    "base_url": "scheme://host[:port] of the register's API; http only for loopback",
    "ca_file": "PEM bundle trusted for the register's HTTPS; empty: system trust",
    "api_key": "The integrator's x-api-key from Webkassa support",
    "login": "The cashier user's e-mail at Webkassa",
    "password": "The cashier user's password",
    "cashbox": "CashboxUniqueNumber (ЗНК) of the register, e.g. SWK00033717",
    "payment_type": "PaymentType sent for a Kaspi QR payment: 4 mobile (default), 1 card",
    "vat_percent": "VAT rate on the receipt, e.g. 12; 0: no VAT",
    "position_name": "The receipt line's name; a vend adds its product number",
    "timeout": "Seconds to wait for the register's answer",
    "zreport_time": 'Local time "HH:MM" to close the shift daily; empty: never',
}
SECRET_KEYS = ("api_key", "password")


class _Table:
    """The raw table's values by kind; a wrong kind is a ConfigError naming the key only."""

    def __init__(self, raw: Mapping[str, object]) -> None:
        self._raw = raw

    def text(self, key: str, default: str) -> str:
        value = self._raw.get(key, default)
        if not isinstance(value, str):
            raise ConfigError(f"{SECTION}.{key}", "must be text in quotes")
        return value

    def whole(self, key: str, default: int) -> int:
        value = self._raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{SECTION}.{key}", "must be a whole number")
        return value

    def number(self, key: str, default: float) -> float:
        value = self._raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{SECTION}.{key}", "must be a number")
        return float(value)


def parse(raw: object, resolve: Callable[[str], Path]) -> FiscalSettings:
    """The `[fiscal]` table (or {} when absent) as FiscalSettings; ConfigError naming the key.

    `resolve` turns a path as written into an absolute one (the config file's folder).
    """
    if not isinstance(raw, Mapping):
        raise ConfigError(f"[{SECTION}]", "must be a table")
    for key in raw:
        if key not in KEYS:
            raise ConfigError(f"{SECTION}.{key}", "unknown key (see config/kiosk.example.toml)")
    t, d = _Table(raw), FiscalSettings()
    ca = t.text("ca_file", "")
    settings = FiscalSettings(
        provider=t.text("provider", d.provider),
        base_url=t.text("base_url", d.base_url),
        ca_file=resolve(ca) if ca else None,
        api_key=t.text("api_key", d.api_key),
        login=t.text("login", d.login),
        password=t.text("password", d.password),
        cashbox=t.text("cashbox", d.cashbox),
        payment_type=t.whole("payment_type", d.payment_type),
        vat_percent=t.whole("vat_percent", d.vat_percent),
        position_name=t.text("position_name", d.position_name),
        timeout=t.number("timeout", d.timeout),
        zreport_time=t.text("zreport_time", d.zreport_time),
    )
    validate(settings)
    return settings


def validate(s: FiscalSettings) -> None:
    """Checks of values and between keys; every message names the key, never the value."""
    if s.provider not in PROVIDERS:
        raise ConfigError(f"{SECTION}.provider", f"must be one of {', '.join(PROVIDERS)}")
    if not s.enabled:
        return
    _check_url(s.base_url)
    for key in ("api_key", "login", "password", "cashbox"):
        if not str(getattr(s, key)).strip():
            raise ConfigError(f"{SECTION}.{key}", f"is required for provider {s.provider}")
    if len(s.cashbox) > 50:
        raise ConfigError(f"{SECTION}.cashbox", "must be at most 50 characters")
    if s.payment_type not in PAYMENT_TYPES:
        raise ConfigError(
            f"{SECTION}.payment_type", "must be 4 (mobile payment), 1 (card) or 0 (cash)"
        )
    if not 0 <= s.vat_percent < 100:
        raise ConfigError(f"{SECTION}.vat_percent", "must be a rate from 0 to 99")
    if not s.position_name.strip() or len(s.position_name) > 200:
        # 255 is the register's limit; room is kept for the vend's product number.
        raise ConfigError(f"{SECTION}.position_name", "must be 1 to 200 characters")
    if not 0 < s.timeout <= 120:
        raise ConfigError(f"{SECTION}.timeout", "must be more than 0 and at most 120 seconds")
    if s.zreport_time and not _TIME.match(s.zreport_time):
        raise ConfigError(f"{SECTION}.zreport_time", 'must be a time like "23:55", or empty')
    if s.ca_file is not None and not s.ca_file.is_file():
        raise ConfigError(f"{SECTION}.ca_file", "is not a readable file")


def _check_url(url: str) -> None:
    key = f"{SECTION}.base_url"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ConfigError(key, "must be scheme://host[:port]") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(key, "must be scheme://host[:port], https:// for the register")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigError(key, "must be scheme://host[:port] only (no user, query or fragment)")
    if parts.path not in ("", "/"):
        raise ConfigError(key, "must have no path: the kiosk adds /api/v4/...")
    if port == 0:
        raise ConfigError(key, "must have a TCP port from 1 to 65535")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        # Login, password and receipts must not cross a network in clear text.
        raise ConfigError(key, "must use https:// (http:// only for a loopback host)")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
