"""`kiosk sandbox` for other people's clients: strict mode, code spellings, token style, old PFX.

The options the public Kaspi clients needed when run unchanged against the sandbox:
a strict bank that refuses what the guide forbids (and says so at start), codes in
either of the guide's spellings, a DeviceToken typed Int64, and certificate
containers that OpenSSL 1.0 / Go's pkcs12 / old PHP builds can read.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.serialization import load_pem_private_key, pkcs12
from helpers.processes import KIOSK, Process, kiosk_cli, process_env
from helpers.sandbox import Bank, basic_session
from helpers.waiting import wait_until

from kiosk.config import load
from kiosk.sandbox import Sandbox, state
from kiosk.sandbox.pki import write_client_variants

Factory = Callable[..., Sandbox]
OPENSSL = shutil.which("openssl")
OPTIONS = (
    "--strict",
    "--link-timeout",
    "--link-timeout-name",
    "--codes",
    "--device-token-style",
    "--legacy-pfx",
    "--plain-key",
)


def test_help_offers_the_options_for_other_clients() -> None:
    run = kiosk_cli("sandbox", "--help")
    assert run.returncode == 0, run.stderr
    for option in OPTIONS:
        assert option in run.stdout, option
    assert "{table,appendix}" in run.stdout and "{guid,numeric}" in run.stdout


@pytest.mark.slow
def test_the_banner_says_strict_and_strict_mode_refuses_a_call_without_a_request_id(
    tmp_path: Path,
) -> None:
    out = tmp_path / "sandbox.out"
    ports = [f"--port-{s}=0" for s in ("basic", "standard", "enhanced")]
    sandbox = Process(
        [*KIOSK, "sandbox", "--dir", str(tmp_path / "sb"), *ports, "--strict", "--quiet"],
        out,
        process_env(),
    )
    try:
        wait_until(lambda: "CA bundle" in out.read_text(), 30, "the banner")
        banner = out.read_text()
        assert "mode: STRICT" in banner
        base = re.search(r"basic\s+(https://\S+)", banner)
        assert base is not None, banner
        config = load(tmp_path / "sb" / "kiosk-basic.toml")
        http = requests.Session()
        http.trust_env = False
        http.verify = str(tmp_path / "sb" / "pki" / "ca-bundle.pem")
        http.headers["Api-Key"] = config.kaspi.api_key
        body = {"DeviceId": "KIOSK-001", "TradePointId": 1}
        answer = http.post(f"{base[1]}/device/register", json=body, timeout=10)
        # The guide's envelope: HTTP 200, StatusCode not 0, a Message naming the rule.
        assert answer.status_code == 200
        assert answer.json() == {
            "StatusCode": state.BAD_REQUEST,
            "Message": "Некорректный запрос: X-Request-ID header is required",
        }
        ok = http.post(
            f"{base[1]}/device/register",
            json=body,
            headers={"X-Request-ID": "da169655f65740d991b1bbfcd9802b28"},
            timeout=10,
        )
        assert ok.json()["StatusCode"] == 0
    finally:
        sandbox.kill()


def test_the_banner_says_which_mode_is_on(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    from kiosk.cli.sandbox import _print_summary

    _print_summary(sandbox, [])
    assert "mode: lenient" in capsys.readouterr().out
    sandbox.set_behaviour(strict=True, codes="table", device_token_style="numeric")
    _print_summary(sandbox, [sandbox.pki.dir / "client-legacy.pfx"])
    banner = capsys.readouterr().out
    assert "mode: STRICT" in banner and "mode: lenient" not in banner
    assert "StatusCode spelling: table; DeviceToken: numeric" in banner
    assert "client-legacy.pfx" in banner


@pytest.mark.parametrize(
    ("field", "value"),
    [("Amount", "150"), ("TradePointId", "1"), ("DeviceToken", 321), ("ExternalId", 17)],
)
def test_strict_mode_refuses_a_field_of_the_wrong_json_type(
    sandbox: Sandbox, field: str, value: object
) -> None:
    bank = Bank(sandbox, "basic")
    token = bank.register()
    sandbox.set_behaviour(strict=True)
    session = basic_session(sandbox)
    session.headers["X-Request-ID"] = "da169655f65740d991b1bbfcd9802b28"
    if field == "TradePointId":
        path, body = "/device/register", {"DeviceId": "KIOSK-002", "TradePointId": 1}
    else:
        path, body = "/qr/create", {"DeviceToken": token, "Amount": 150, "ExternalId": "x"}
    assert session.post(bank.base + path, json=body, timeout=5).json()["StatusCode"] == 0
    answer = session.post(bank.base + path, json={**body, field: value}, timeout=5).json()
    assert answer["StatusCode"] == state.BAD_REQUEST
    assert field in answer["Message"] and "in JSON" in answer["Message"]


@pytest.mark.parametrize(
    ("style", "expected"), [("", 990000018), ("table", 9900000018), ("appendix", 990000018)]
)
def test_codes_the_guide_spells_two_ways_follow_the_chosen_spelling(
    sandbox: Sandbox, style: str, expected: int
) -> None:
    bank = Bank(sandbox, "standard")
    token = bank.register()
    sandbox.set_behaviour(codes=style)
    sandbox.set_trade_point(1, enabled=False)
    answer = bank.post("/qr/create", {"DeviceToken": token, "Amount": 1})
    assert answer["StatusCode"] == expected  # qr/create's table prints 9900000018


def test_refund_too_large_in_each_spelling(sandbox: Sandbox) -> None:
    bank = Bank(sandbox, "enhanced")
    token = bank.register()
    pid = bank.pay(token, 100)
    body = {"DeviceToken": token, "QrPaymentId": pid, "Amount": 500}
    spelled = {}
    for style in ("table", "appendix"):
        sandbox.set_behaviour(codes=style)
        spelled[style] = bank.post("/payment/return", body)["StatusCode"]
    assert spelled == {"table": -990000005, "appendix": -99000005}


def test_a_numeric_device_token_is_a_json_number_and_works_as_one(sandbox: Sandbox) -> None:
    sandbox.set_behaviour(device_token_style="numeric", strict=True)
    session = basic_session(sandbox)
    session.headers["X-Request-ID"] = "da169655f65740d991b1bbfcd9802b28"
    base = sandbox.base_url("basic")
    body = {"DeviceId": "KIOSK-NUM", "TradePointId": 1}
    token = session.post(f"{base}/device/register", json=body, timeout=5).json()["Data"][
        "DeviceToken"
    ]
    assert isinstance(token, int) and 0 < token < 2**63
    created = session.post(f"{base}/qr/create", json={"DeviceToken": token, "Amount": 5}, timeout=5)
    assert created.json()["StatusCode"] == 0
    as_text = {"DeviceToken": str(token), "Amount": 5}
    assert session.post(f"{base}/qr/create", json=as_text, timeout=5).json()["StatusCode"] == 0


def test_the_plain_key_is_the_client_key_unencrypted(sandbox: Sandbox) -> None:
    (plain,) = write_client_variants(sandbox.pki, legacy_pfx=False, plain_key=True)
    assert plain.name == "client-plain.key" and plain.stat().st_mode & 0o077 == 0
    text = plain.read_bytes()
    assert text.startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8, not encrypted
    key = load_pem_private_key(text, None)
    encrypted = load_pem_private_key(
        sandbox.pki.client_key.read_bytes(), sandbox.pki.password.encode()
    )
    assert key.public_key() == encrypted.public_key()


@pytest.mark.skipif(OPENSSL is None, reason="the openssl command is needed to read the PFX")
def test_the_legacy_pfx_is_3des_sha1_and_the_default_one_aes_256(sandbox: Sandbox) -> None:
    (legacy,) = write_client_variants(sandbox.pki, legacy_pfx=True, plain_key=False)
    password = sandbox.pki.password

    def info(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        assert OPENSSL is not None
        return subprocess.run(
            [OPENSSL, "pkcs12", "-in", str(path), "-info", "-nodes", "-passin", "stdin", *extra],
            input=password + "\n",
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    # OpenSSL 3 reads 3DES only with its legacy provider (-legacy): a 3DES reader.
    old = info(legacy, "-legacy")
    assert old.returncode == 0, old.stderr
    assert "pbeWithSHA1And3-KeyTripleDES-CBC" in old.stderr
    assert "MAC: sha1" in old.stderr and "AES" not in old.stderr
    assert "BEGIN PRIVATE KEY" in old.stdout and "BEGIN CERTIFICATE" in old.stdout
    new = info(sandbox.pki.client_pfx)
    assert new.returncode == 0, new.stderr
    assert "AES-256-CBC" in new.stderr and "MAC: sha256" in new.stderr
    _key, cert, _ = pkcs12.load_key_and_certificates(legacy.read_bytes(), password.encode())
    original = pkcs12.load_key_and_certificates(
        sandbox.pki.client_pfx.read_bytes(), password.encode()
    )
    assert cert == original[1]


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "OPTIONS"])
def test_a_method_no_endpoint_has_is_405_not_a_server_error(sandbox: Sandbox, method: str) -> None:
    # Schemathesis, walking docs/kaspi/openapi.yaml, found these answered 501 everywhere.
    session = basic_session(sandbox)
    answer = session.request(method, sandbox.base_url("basic") + "/health/ping", timeout=5)
    assert answer.status_code == 405
    follow = session.get(sandbox.base_url("basic") + "/health/ping", timeout=5)
    assert follow.json()["StatusCode"] == 0  # the connection still serves
