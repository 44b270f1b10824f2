"""Sandboxes for tests: ephemeral ports, a tmp folder, one PKI made once per session.

    with running_sandbox(tmp_path / "sb", pki_template=template) as sandbox: ...

or the fixtures `sandbox` (started with defaults) and `sandbox_factory` (start as
many as needed, each with its own Behaviour and clock; all stopped at teardown).
`mtls_session` / `basic_session` give raw `requests` sessions with the right
credentials, for tests that speak to the bank without a kiosk client.
"""

from __future__ import annotations

import shutil
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from requests.adapters import HTTPAdapter

from kiosk.sandbox import Behaviour, Sandbox, state
from kiosk.sandbox.pki import ensure_pki

EPHEMERAL = {"basic": 0, "standard": 0, "enhanced": 0}


class ManualClock:
    """A clock the test moves by hand: `clock.now += 65` passes a deadline instantly."""

    def __init__(self, now: float = 1_761_135_050.717) -> None:  # 2025-10-22 17:10:50 +05
        self.now = now

    def __call__(self) -> float:
        return self.now


@contextmanager
def running_sandbox(
    data_dir: Path,
    *,
    pki_template: Path | None = None,
    clock: Callable[[], float] = time.time,
    **behaviour: Any,
) -> Iterator[Sandbox]:
    """A started sandbox on free ports; `behaviour` sets Behaviour fields."""
    if pki_template is not None and not (data_dir / "pki").exists():
        shutil.copytree(pki_template, data_dir / "pki")
    sandbox = Sandbox(
        data_dir,
        ports=dict(EPHEMERAL),
        behaviour=Behaviour().with_changes(**behaviour),
        clock=clock,
    )
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


class _ContextAdapter(HTTPAdapter):
    """requests cannot take a password-protected key; an SSLContext can."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self._context = context
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)


def pfx_to_pem(pfx: Path, password: str, out_dir: Path) -> tuple[Path, Path]:
    """The PFX's certificate and key as PEM files (the key stays encrypted)."""
    key, cert, _ = pkcs12.load_key_and_certificates(pfx.read_bytes(), password.encode())
    assert key is not None and cert is not None
    cert_path, key_path = out_dir / f"{pfx.stem}-from-pfx.crt", out_dir / f"{pfx.stem}-from-pfx.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password.encode()),
        )
    )
    return cert_path, key_path


def mtls_session(
    sandbox: Sandbox, cert: Path | None = None, key: Path | None = None, password: str | None = None
) -> requests.Session:
    """A session trusting the sandbox CA and presenting a client certificate (default: the
    sandbox's own client.crt/.key); `cert=None, key=None` with `password=""` presents none."""
    context = ssl.create_default_context(cafile=str(sandbox.pki.ca_bundle))
    if password != "":
        context.load_cert_chain(
            cert or sandbox.pki.client_cert,
            key or sandbox.pki.client_key,
            password if password is not None else sandbox.pki.password,
        )
    session = _session()
    session.mount("https://", _ContextAdapter(context))
    session.verify = str(sandbox.pki.ca_bundle)
    session.headers["Accept"] = "application/json"
    return session


def _session() -> requests.Session:
    session = requests.Session()
    # REQUESTS_CA_BUNDLE in the environment would silently replace session.verify.
    session.trust_env = False
    return session


def basic_session(sandbox: Sandbox, api_key: str | None = None) -> requests.Session:
    session = _session()
    session.verify = str(sandbox.pki.ca_bundle)
    session.headers["Accept"] = "application/json"
    session.headers["Api-Key"] = sandbox.api_key if api_key is None else api_key
    return session


def session_for(sandbox: Sandbox, scheme: str) -> requests.Session:
    return basic_session(sandbox) if scheme == "basic" else mtls_session(sandbox)


@pytest.fixture(scope="session")
def sandbox_pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sandbox PKI made once; copied into each sandbox so none waits for RSA key generation."""
    folder = tmp_path_factory.mktemp("sandbox-pki-template") / "pki"
    ensure_pki(folder)
    return folder


@pytest.fixture
def sandbox_factory(tmp_path: Path, sandbox_pki: Path) -> Iterator[Callable[..., Sandbox]]:
    """Start sandboxes: `sandbox_factory(clock=..., scan_timeout=2)`; all stopped at teardown."""
    started: list[Sandbox] = []
    counter = iter(range(1000))

    def start(data_dir: Path | None = None, **kwargs: Any) -> Sandbox:
        folder = data_dir or tmp_path / f"sandbox-{next(counter)}"
        if not (folder / "pki").exists():
            shutil.copytree(sandbox_pki, folder / "pki")
        behaviour = {k: v for k, v in kwargs.items() if k != "clock"}
        sandbox = Sandbox(
            folder,
            ports=dict(EPHEMERAL),
            behaviour=Behaviour().with_changes(**behaviour),
            clock=kwargs.get("clock", time.time),
        )
        sandbox.start()
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    return sandbox_factory()


BIN = state.SANDBOX_BIN


class Bank:
    """Raw calls to one scheme of a sandbox; adds the BIN on enhanced like a client must."""

    def __init__(self, sandbox: Sandbox, scheme: str, session: requests.Session | None = None):
        self.sandbox, self.scheme = sandbox, scheme
        self.base = sandbox.base_url(scheme)
        self.session = session or session_for(sandbox, scheme)

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        r = self.session.get(self.base + path, params=params, timeout=5)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def post(self, path: str, body: dict[str, Any] | None = None, *, bin: bool = True) -> Any:
        body = dict(body or {})
        if self.scheme == "enhanced" and bin and not path.startswith(("/test/", "/sandbox/")):
            body.setdefault("OrganizationBin", BIN)
        r = self.session.post(self.base + path, json=body, timeout=5)
        assert r.status_code == 200, r.text
        return r.json()

    def data(
        self, method: str, path: str, body: dict[str, Any] | None = None, **params: Any
    ) -> Any:
        doc = self.get(path, **params) if method == "GET" else self.post(path, body)
        assert doc["StatusCode"] == 0, doc
        return doc.get("Data")

    def register(self, device_id: str = "KIOSK-001", trade_point: int = 1) -> str:
        body = {"DeviceId": device_id, "TradePointId": trade_point}
        return str(self.data("POST", "/device/register", body)["DeviceToken"])

    def pay(self, token: str, amount: float = 100.0, *, confirm: bool = True) -> int:
        data = self.data("POST", "/qr/create", {"DeviceToken": token, "Amount": amount})
        pid = int(data["QrPaymentId"])
        if confirm:
            for action in ("scan", "confirm"):
                doc = self.post(f"/test/payment/{action}", {"qrPaymentId": str(pid)})
                assert doc["StatusCode"] == 0, doc
        return pid

    def status(self, pid: int, version: str = "v01") -> dict[str, Any]:
        r = self.session.get(f"{self.base[:-3]}{version}/payment/status/{pid}", timeout=5)
        return dict(r.json())
