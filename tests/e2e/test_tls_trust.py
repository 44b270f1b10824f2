"""With kaspi.ca_file set, the bank's CA is the only one trusted: not the system's roots too,
nor certifi's, before or after calls to the bank."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import certifi
import pytest

from kiosk import config as cfg
from kiosk.config import kaspi_settings
from kiosk.kaspi.client import KaspiClient
from kiosk.kaspi.settings import KaspiSettings
from kiosk.kaspi.tls import build_context
from kiosk.sandbox import Sandbox
from kiosk.sandbox.pki import Pki, ensure_pki


def _ders(bundle: Path) -> set[bytes]:
    text = bundle.read_text(encoding="ascii")
    end = "-----END CERTIFICATE-----"
    blocks = [b + end for b in text.split(end) if "BEGIN CERTIFICATE" in b]
    return {ssl.PEM_cert_to_DER_cert(b.strip()) for b in blocks}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Pki, int]]:
    """A TLS server on loopback whose certificate a different CA (the 'system' one) signed."""
    pki = ensure_pki(tmp_path / "system-ca")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki.server_cert, pki.server_key)
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            try:
                with ctx.wrap_socket(conn, server_side=True):
                    pass
            except (ssl.SSLError, OSError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield pki, listener.getsockname()[1]
    stop.set()
    thread.join(5)
    listener.close()


def _handshake(ctx: ssl.SSLContext, port: int) -> None:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        ctx.wrap_socket(raw, server_hostname="127.0.0.1"),
    ):
        pass


def test_only_the_configured_ca_is_trusted(
    tmp_path: Path, server: tuple[Pki, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    system_pki, port = server
    # The "system store" trusts the server's CA (OpenSSL reads SSL_CERT_FILE as its default).
    monkeypatch.setenv("SSL_CERT_FILE", str(system_pki.ca_bundle))
    system_ctx = ssl.create_default_context()
    _handshake(system_ctx, port)  # the system trust accepts this server

    bank = ensure_pki(tmp_path / "bank-ca")
    settings = KaspiSettings(
        scheme="basic", base_url="https://127.0.0.1/", api_key="k", ca_file=bank.ca_bundle
    )
    ctx = build_context(settings)
    trusted = {bytes(c) for c in ctx.get_ca_certs(binary_form=True)}
    assert trusted == _ders(bank.ca_bundle)  # the bank's bundle and nothing else
    assert ctx.check_hostname and ctx.verify_mode is ssl.CERT_REQUIRED
    assert ctx.minimum_version >= ssl.TLSVersion.TLSv1_2
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(ctx, port)


def test_calls_to_the_bank_add_no_root_to_the_configured_trust(sandbox: Sandbox) -> None:
    """requests handed each new connection certifi's bundle and urllib3 loaded it into the
    kiosk's context: after the first call it trusted 119 roots beside the bank's CA."""
    settings = kaspi_settings(cfg.load(sandbox.config_path("standard")))
    assert settings.ca_file is not None
    ctx = build_context(settings)
    with KaspiClient(settings, context=ctx) as client:
        client.ping()
        client.ping()  # a second call may take a new connection
    trusted = {bytes(c) for c in ctx.get_ca_certs(binary_form=True)}
    assert trusted == _ders(settings.ca_file)


def test_without_ca_file_public_roots_are_loaded_once_at_build() -> None:
    ctx = build_context(KaspiSettings(scheme="basic", base_url="https://127.0.0.1/", api_key="k"))
    public = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    public.load_verify_locations(cafile=certifi.where())
    trusted = {bytes(c) for c in ctx.get_ca_certs(binary_form=True)}
    assert {bytes(c) for c in public.get_ca_certs(binary_form=True)} <= trusted
    assert ctx.check_hostname and ctx.verify_mode is ssl.CERT_REQUIRED


def test_without_ca_file_the_system_store_is_used(
    server: tuple[Pki, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    system_pki, port = server
    monkeypatch.setenv("SSL_CERT_FILE", str(system_pki.ca_bundle))
    ctx = build_context(KaspiSettings(scheme="basic", base_url="https://127.0.0.1/", api_key="k"))
    _handshake(ctx, port)
