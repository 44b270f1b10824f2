"""What the bank client needs to know, and nothing of the app around it.

The kiosk builds these from its config (kiosk.config.kaspi_settings); a script
or a test can build them directly. Paths are absolute already. A problem is a
ConfigError naming the key (`kaspi.cert_file`), because the person who reads it
is an operator holding the config file: the key names are the config's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

#: The bank's integration schemes: API key; certificate; certificate + BIN.
SCHEMES = ("basic", "standard", "enhanced")
#: The path segment each scheme's base URL carries on the bank's hosts (/r1/v01 ...).
URL_PREFIX = {"basic": "r1", "standard": "r2", "enhanced": "r3"}
_PREFIX_SEGMENT = re.compile(r"/(r[123])(?=/|$)")


def scheme_url_mismatch(scheme: str, base_url: str) -> str | None:
    """A warning when base_url's /r1|/r2|/r3 is another scheme's; None when it fits or has none.

    Only a warning: production's URL comes from the bank and need not follow the test hosts.
    """
    found = _PREFIX_SEGMENT.search(urlsplit(base_url).path)
    expected = URL_PREFIX.get(scheme)
    if found is None or expected is None or found[1] == expected:
        return None
    owner = next(s for s, prefix in URL_PREFIX.items() if prefix == found[1])
    return (
        f"kaspi.base_url has /{found[1]}/ (scheme {owner}'s path) but kaspi.scheme is "
        f"{scheme} (/{expected}/): check both"
    )


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and the problem."""

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"{key}: {problem}" if key else problem)


@dataclass(frozen=True)
class KaspiSettings:
    """One scheme, one device, one certificate; the secrets stay out of repr()."""

    scheme: str
    base_url: str
    status_api_version: str = ""  # payment/status only, e.g. v02; empty: as base_url
    api_key: str = field(default="", repr=False)
    cert_file: Path | None = None
    key_file: Path | None = None
    key_password: str = field(default="", repr=False)
    ca_file: Path | None = None  # None: the system's trust store
    organization_bin: str = ""
    device_token: str = field(default="", repr=False)
    proxy: str = ""
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    retries: int = 2  # extra tries for reads only
