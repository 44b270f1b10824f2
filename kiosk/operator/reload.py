"""Reload the config without restarting: a swapped certificate, a new password, a new token.

`reload_config` reads and checks everything the running kiosk would need —
the file, the certificate and key (opened, not expired, usable for TLS), the
CA bundle — and returns it typed, or raises the ConfigError that names the key.
It changes nothing: the GUI applies the result (new clients, a new boot), so a
bad new file leaves the kiosk running on the old one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.config import Config, kaspi_settings, load, sections
from kiosk.kaspi import tls
from kiosk.kaspi.settings import KaspiSettings
from kiosk.operator.certificate import CertificateCheck, check_certificate


@dataclass(frozen=True)
class Reloaded:
    config: Config
    settings: KaspiSettings
    identity: tls.Identity | None  # None in scheme basic
    certificate: CertificateCheck
    #: Keys whose value differs from the running config ("kaspi.cert_file"); names only,
    #: so a changed password is listed without its value.
    changed: tuple[str, ...]


def reload_config(
    path: Path, current: Config | None = None, now: datetime | None = None
) -> Reloaded:
    """The config at `path`, checked as a start would check it; ConfigError if unusable."""
    config = load(path)
    settings = kaspi_settings(config)
    identity = tls.load_identity(settings) if settings.scheme != "basic" else None
    if identity is not None:
        tls.check_validity(identity, now)
    # Builds the SSLContext the clients would use: the key really loads for TLS and
    # ca_file holds a CA. The context itself is thrown away; each client builds its own.
    tls.build_context(settings, identity)
    check = check_certificate(settings, now, identity)
    return Reloaded(config, settings, identity, check, changed_keys(current, config))


def changed_keys(old: Config | None, new: Config) -> tuple[str, ...]:
    if old is None:
        return ()
    found = []
    for name in sections():
        before, after = getattr(old, name), getattr(new, name)
        for f in dataclasses.fields(after):
            if getattr(before, f.name) != getattr(after, f.name):
                found.append(f"{name}.{f.name}")
    return tuple(found)
