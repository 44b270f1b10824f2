"""TLS for the Kaspi API: the client certificate, the bank's CA and certificate facts.

The bank's container is a PFX (PKCS#12) with a password (docs/kaspi/api.md §2); PEM certificate +
PEM key (+ password) is accepted too. Python's `ssl` loads a certificate and
key only from files, so a PFX is re-encoded into a temporary PEM whose key is
encrypted under a random one-time password, loaded, and deleted at once: the
private key never lands on disk unencrypted, not even for a moment.

Every problem becomes a ConfigError naming the config key to fix, because the
person who reads it is an operator holding the config file, not a developer.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from kiosk.kaspi.settings import ConfigError, KaspiSettings


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    sha256: str

    def days_left(self, now: datetime | None = None) -> int:
        now = now or datetime.now(UTC)
        return (self.not_after - now).days

    def to_json(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "serial": self.serial,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "days_left": self.days_left(),
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class Identity:
    """The client certificate (with any chain the container carries) and its private key."""

    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    key: PrivateKeyTypes

    @property
    def info(self) -> CertificateInfo:
        return certificate_info(self.certificate)


def certificate_info(cert: x509.Certificate) -> CertificateInfo:
    return CertificateInfo(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        sha256=hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest(),
    )


def _read(settings: KaspiSettings, key: str) -> tuple[Path, bytes]:
    path: Path | None = getattr(settings, key)
    if path is None:
        raise ConfigError(f"kaspi.{key}", "is empty: name the file")
    try:
        return path, path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"kaspi.{key}", f"file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"kaspi.{key}", f"cannot read {path}: {exc.strerror}") from None


def _password(settings: KaspiSettings) -> bytes | None:
    return settings.key_password.encode() if settings.key_password else None


def load_identity(settings: KaspiSettings) -> Identity:
    """Open the configured certificate and key; ConfigError names the key that is wrong."""
    path, data = _read(settings, "cert_file")
    if b"-----BEGIN" not in data:
        return _load_pfx(settings, path, data)
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise ConfigError(
            "kaspi.cert_file", f"{path.name} holds no readable PEM certificate"
        ) from None
    key_source = "key_file" if settings.key_file else "cert_file"
    key_path, key_data = _read(settings, key_source)
    key = _load_pem_key(key_data, _password(settings), key_source, key_path)
    identity = Identity(certs[0], tuple(certs[1:]), key)
    _check_pair(identity)
    return identity


def _load_pfx(settings: KaspiSettings, path: Path, data: bytes) -> Identity:
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, _password(settings))
    except ValueError:
        # cryptography says "Invalid password or PKCS12 data" for both; tell them apart.
        if not _looks_like_pkcs12(data):
            raise ConfigError(
                "kaspi.cert_file", f"{path.name} is neither a PFX/P12 nor a PEM certificate"
            ) from None
        raise ConfigError(
            "kaspi.key_password", f"does not open {path.name} (wrong password?)"
        ) from None
    if cert is None or key is None:
        raise ConfigError("kaspi.cert_file", f"{path.name} must hold a certificate and its key")
    identity = Identity(cert, tuple(chain), key)
    _check_pair(identity)
    return identity


def _looks_like_pkcs12(data: bytes) -> bool:
    # A PKCS#12 file is a DER SEQUENCE whose first element is INTEGER 3 (the version).
    return len(data) > 8 and data[0] == 0x30 and b"\x02\x01\x03" in data[:8]


def _load_pem_key(data: bytes, password: bytes | None, key: str, path: Path) -> PrivateKeyTypes:
    if b"PRIVATE KEY-----" not in data:
        raise ConfigError(f"kaspi.{key}", f"{path.name} holds no PEM private key")
    encrypted = b"ENCRYPTED" in data
    if encrypted and password is None:
        raise ConfigError("kaspi.key_password", f"is required: the key in {path.name} is encrypted")
    try:
        return serialization.load_pem_private_key(data, password if encrypted else None)
    except (ValueError, TypeError):
        if encrypted:
            raise ConfigError(
                "kaspi.key_password", f"does not open the key in {path.name} (wrong password?)"
            ) from None
        raise ConfigError(f"kaspi.{key}", f"{path.name} holds no readable private key") from None


def _check_pair(identity: Identity) -> None:
    cert_key = identity.certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    own_key = identity.key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if cert_key != own_key:
        raise ConfigError("kaspi.key_file", "the private key does not belong to the certificate")


def check_validity(identity: Identity, now: datetime | None = None) -> None:
    """ConfigError if the client certificate is expired or not yet valid."""
    now = now or datetime.now(UTC)
    info = identity.info
    if now > info.not_after:
        raise ConfigError(
            "kaspi.cert_file",
            f"the certificate expired on {info.not_after:%Y-%m-%d}; get a new one",
        )
    if now < info.not_before:
        raise ConfigError(
            "kaspi.cert_file", f"the certificate is valid only from {info.not_before:%Y-%m-%d}"
        )


@contextlib.contextmanager
def _protected_pem(identity: Identity) -> Iterator[tuple[str, str, bytes]]:
    """Temporary PEM files of the identity, the key encrypted under a one-time password."""
    one_time = secrets.token_urlsafe(32).encode()
    key_pem = identity.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(one_time),
    )
    chain_pem = b"".join(
        c.public_bytes(serialization.Encoding.PEM) for c in (identity.certificate, *identity.chain)
    )
    paths: list[str] = []
    try:
        for content in (chain_pem, key_pem):
            fd, name = tempfile.mkstemp(prefix="kiosk-tls-", suffix=".pem")
            paths.append(name)
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
        yield paths[0], paths[1], one_time
    finally:
        for name in paths:
            with contextlib.suppress(OSError):
                os.unlink(name)


def build_context(settings: KaspiSettings, identity: Identity | None = None) -> ssl.SSLContext:
    """An SSLContext for the configured scheme: TLS >= 1.2, the bank's CA, our certificate.

    With `ca_file` that bundle is the only trust: the system's roots (any of which
    could sign a certificate for the bank's host name) are not loaded beside it. Without
    it, the system's roots and certifi's (a Windows image may not hold a root until
    Windows fetches it for its own programs, which Python's ssl never asks for).
    """
    if settings.ca_file:
        # PROTOCOL_TLS_CLIENT: hostname checked and certificate required, no roots loaded.
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    else:
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
        ctx.load_verify_locations(cafile=certifi.where())
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if settings.ca_file:
        path, _ = _read(settings, "ca_file")
        try:
            ctx.load_verify_locations(cafile=str(path))
        except ssl.SSLError:
            raise ConfigError("kaspi.ca_file", f"{path.name} holds no PEM CA certificate") from None
    if settings.scheme == "basic":
        return ctx
    if identity is None:
        identity = load_identity(settings)
    check_validity(identity)
    with _protected_pem(identity) as (cert_path, key_path, one_time):
        try:
            ctx.load_cert_chain(cert_path, key_path, password=one_time)
        except ssl.SSLError as exc:
            raise ConfigError("kaspi.cert_file", f"cannot be used for TLS: {exc.reason}") from None
    return ctx
