"""The sandbox's own certificate authority, laid out like the bank's certificate archive.

Made once in `<data_dir>/pki/` and reused, so configs written earlier keep working:

    root-ca.crt            root CA (the bank's kbs_root_ca.crt)
    intermediate-ca.crt    intermediate CA signed by the root (kbs_ca.crt); signs everything else
    ca-bundle.pem          root + intermediate: what a client trusts (kaspi.ca_file)
    server.crt/.key        server certificate for localhost, 127.0.0.1, ::1 (+ the chain)
    client.pfx             the partner's certificate and RSA 2048 key, PKCS#12 with a password
    client.crt/.key        the same certificate and key as PEM, the key encrypted with that password
    client-legacy.pfx      (kiosk sandbox --legacy-pfx) client.pfx as 3DES / SHA-1 for old readers
    client-plain.key       (kiosk sandbox --plain-key) the client key, unencrypted
    client-password.txt    the password (the bank sends it with its test archive too)

The CAs and the server use ECDSA P-256 so a fresh sandbox starts in milliseconds;
the client key is RSA 2048 because that is what the bank asks partners to make.
The certificates carry the extensions strict verifiers require (key usage,
subject/authority key identifiers), so Python 3.13's VERIFY_X509_STRICT accepts them.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    PrivateKeyTypes,
)
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kiosk.platform.private import private_dir

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
CA_DAYS = 20 * 365
SERVER_DAYS = 825
CLIENT_DAYS = 5 * 365  # the bank issues client certificates for five years
_RENEW_BEFORE = timedelta(days=30)


@dataclass(frozen=True)
class Pki:
    """Paths of one sandbox PKI folder and the client key's password."""

    dir: Path
    password: str

    @property
    def root_ca(self) -> Path:
        return self.dir / "root-ca.crt"

    @property
    def intermediate_ca(self) -> Path:
        return self.dir / "intermediate-ca.crt"

    @property
    def ca_bundle(self) -> Path:
        return self.dir / "ca-bundle.pem"

    @property
    def server_cert(self) -> Path:
        return self.dir / "server.crt"

    @property
    def server_key(self) -> Path:
        return self.dir / "server.key"

    @property
    def client_pfx(self) -> Path:
        return self.dir / "client.pfx"

    @property
    def client_cert(self) -> Path:
        return self.dir / "client.crt"

    @property
    def client_key(self) -> Path:
        return self.dir / "client.key"


def ensure_pki(pki_dir: Path, hosts: tuple[str, ...] = LOOPBACK_NAMES) -> Pki:
    """Make what is missing in `pki_dir`; renew the server certificate when it lacks a host
    or is near expiry, and the client certificate when it has expired."""
    private_dir(pki_dir)
    password_file = pki_dir / "client-password.txt"
    if not password_file.exists():
        _write(password_file, secrets.token_urlsafe(12).encode())
    pki = Pki(pki_dir, password_file.read_text(encoding="utf-8").strip())
    now = datetime.now(UTC)
    if not (pki.root_ca.exists() and (pki_dir / "root-ca.key").exists()):
        root_key = ec.generate_private_key(ec.SECP256R1())
        root = _ca_cert("Kaspi Sandbox Root CA", root_key, None, None, now)
        _write(pki_dir / "root-ca.key", _key_pem(root_key))
        _write(pki.root_ca, _cert_pem(root))
        for stale in ("intermediate-ca.crt", "server.crt", "client.pfx"):
            (pki_dir / stale).unlink(missing_ok=True)
    if not (pki.intermediate_ca.exists() and (pki_dir / "intermediate-ca.key").exists()):
        root, signer = _load_pair(pki_dir, "root-ca")
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = _ca_cert("Kaspi Sandbox Intermediate CA", ca_key, root, signer, now)
        _write(pki_dir / "intermediate-ca.key", _key_pem(ca_key))
        _write(pki.intermediate_ca, _cert_pem(ca))
        pki.server_cert.unlink(missing_ok=True)
        pki.client_pfx.unlink(missing_ok=True)
    bundle = pki.root_ca.read_bytes() + pki.intermediate_ca.read_bytes()
    if not pki.ca_bundle.exists() or pki.ca_bundle.read_bytes() != bundle:
        _write(pki.ca_bundle, bundle)
    if _server_needs_renewal(pki, hosts, now):
        _issue_server(pki, hosts, now)
    if not (pki.client_pfx.exists() and pki.client_cert.exists() and pki.client_key.exists()) or (
        x509.load_pem_x509_certificate(pki.client_cert.read_bytes()).not_valid_after_utc <= now
    ):
        issue_client_certificate(pki_dir, "client", pki.password)
        _pfx_to_pem(pki)  # both containers hold the same certificate and key
    return pki


def issue_client_certificate(
    pki_dir: Path,
    name: str,
    password: str,
    *,
    days: int = CLIENT_DAYS,
    expired: bool = False,
    untrusted: bool = False,
    pem: bool = False,
) -> Path:
    """A client certificate `name`.pfx (or `name`.crt + `name`.key with `pem`) in `pki_dir`.

    Signed by the sandbox intermediate, so a running sandbox accepts it at once;
    `expired` makes one whose validity ended yesterday; `untrusted` signs it with
    a throw-away CA the sandbox has never seen. Returns the .pfx or the .crt path.
    """
    now = datetime.now(UTC)
    if untrusted:
        throwaway = ec.generate_private_key(ec.SECP256R1())
        issuer_key: CertificateIssuerPrivateKeyTypes = throwaway
        issuer = _ca_cert("Untrusted Test CA", throwaway, None, None, now)
    else:
        issuer, issuer_key = _load_pair(pki_dir, "intermediate-ca")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start, end = (
        (now - timedelta(days=days + 1), now - timedelta(days=1))
        if expired
        else (
            now - timedelta(minutes=5),
            now + timedelta(days=days),
        )
    )
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "Almaty"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sandbox Partner"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    cert = (
        _leaf_builder(subject, key, issuer, start, end)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=True,
                data_encipherment=True,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )
    secret = password.encode()
    if pem:
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(secret),
        )
        _write(pki_dir / f"{name}.key", key_pem)
        _write(pki_dir / f"{name}.crt", _cert_pem(cert))
        return pki_dir / f"{name}.crt"
    # Like `openssl pkcs12 -export -in certfile.cer -inkey private.key`: key + leaf, no chain.
    data = pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, None, serialization.BestAvailableEncryption(secret)
    )
    _write(pki_dir / f"{name}.pfx", data)
    return pki_dir / f"{name}.pfx"


def certificate_subject(der: bytes) -> str:
    """RFC 4514 subject of a DER certificate (what the request log shows)."""
    return x509.load_der_x509_certificate(der).subject.rfc4514_string()


def write_client_variants(pki: Pki, *, legacy_pfx: bool, plain_key: bool) -> list[Path]:
    """The client certificate in the containers older clients can read; the paths written.

    client.pfx is AES-256 (PBES2, PBKDF2 with SHA-256, a SHA-256 MAC) and client.key an
    encrypted PKCS#8 key: what `openssl pkcs12 -export` makes today. OpenSSL 1.0, Go's
    x/crypto/pkcs12 and some PHP builds read neither. `legacy_pfx`: client-legacy.pfx,
    3DES with SHA-1 (PBE-SHA1-3DES, a SHA-1 MAC), as OpenSSL 1.x exported. `plain_key`:
    client-plain.key, the key as unencrypted PKCS#8 PEM. Both are rewritten at each start
    from client.pfx, so they follow a renewed certificate; both are owner-only.
    """
    key, cert, _ = pkcs12.load_key_and_certificates(
        pki.client_pfx.read_bytes(), pki.password.encode()
    )
    assert isinstance(key, rsa.RSAPrivateKey) and cert is not None
    written: list[Path] = []
    if legacy_pfx:
        encryption = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(2048)
            .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())  # what the old readers verify
            .build(pki.password.encode())
        )
        data = pkcs12.serialize_key_and_certificates(b"client", key, cert, None, encryption)
        _write(pki.dir / "client-legacy.pfx", data)
        written.append(pki.dir / "client-legacy.pfx")
    if plain_key:
        data = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write(pki.dir / "client-plain.key", data)
        written.append(pki.dir / "client-plain.key")
    return written


# --- internals --------------------------------------------------------------------------------


def _pfx_to_pem(pki: Pki) -> None:
    key, cert, _ = pkcs12.load_key_and_certificates(
        pki.client_pfx.read_bytes(), pki.password.encode()
    )
    assert key is not None and cert is not None
    _write(pki.client_cert, _cert_pem(cert))
    _write(
        pki.client_key,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(pki.password.encode()),
        ),
    )


def _server_needs_renewal(pki: Pki, hosts: tuple[str, ...], now: datetime) -> bool:
    if not (pki.server_cert.exists() and pki.server_key.exists()):
        return True
    cert = x509.load_pem_x509_certificates(pki.server_cert.read_bytes())[0]
    if cert.not_valid_after_utc - now < _RENEW_BEFORE:
        return True
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    have = {str(n) for n in san.get_values_for_type(x509.DNSName)}
    have |= {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    return not set(_normal_hosts(hosts)) <= have


def _normal_hosts(hosts: tuple[str, ...]) -> list[str]:
    names: list[str] = []
    for host in (*LOOPBACK_NAMES, *hosts):
        try:
            text = str(ipaddress.ip_address(host))
        except ValueError:
            text = host.lower()
        if text not in names and text not in ("0.0.0.0", "::"):
            names.append(text)
    return names


def _issue_server(pki: Pki, hosts: tuple[str, ...], now: datetime) -> None:
    issuer, issuer_key = _load_pair(pki.dir, "intermediate-ca")
    key = ec.generate_private_key(ec.SECP256R1())
    alt: list[x509.GeneralName] = []
    for host in _normal_hosts(hosts):
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alt.append(x509.DNSName(host))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    cert = (
        _leaf_builder(
            subject, key, issuer, now - timedelta(minutes=5), now + timedelta(days=SERVER_DAYS)
        )
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )
    _write(pki.server_key, _key_pem(key))
    # The server sends its chain, as the bank does: leaf, then the intermediate.
    _write(pki.server_cert, _cert_pem(cert) + pki.intermediate_ca.read_bytes())


def _ca_cert(
    name: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: CertificateIssuerPrivateKeyTypes | None,
    now: datetime,
) -> x509.Certificate:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kaspi Sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=CA_DAYS))
        .add_extension(
            x509.BasicConstraints(ca=True, path_length=None if issuer is None else 0), critical=True
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    signer = issuer_key if issuer_key is not None else key
    signer_public = issuer.public_key() if issuer is not None else key.public_key()
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_public),  # type: ignore[arg-type]
        critical=False,
    )
    return builder.sign(signer, hashes.SHA256())


def _leaf_builder(
    subject: x509.Name,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate,
    start: datetime,
    end: datetime,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                issuer.public_key()  # type: ignore[arg-type]
            ),
            critical=False,
        )
    )


def _load_pair(
    pki_dir: Path, stem: str
) -> tuple[x509.Certificate, CertificateIssuerPrivateKeyTypes]:
    cert = x509.load_pem_x509_certificate((pki_dir / f"{stem}.crt").read_bytes())
    key: PrivateKeyTypes = serialization.load_pem_private_key(
        (pki_dir / f"{stem}.key").read_bytes(), None
    )
    assert isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    return cert, key


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    # The CA and server keys are the sandbox's own and stay unencrypted (mode 0600).
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
