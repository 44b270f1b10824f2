"""The `kiosk` command as an operator runs it: real subprocesses against the sandbox."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.processes import kiosk_cli as kiosk

from kiosk import config as cfg
from kiosk.config import kaspi_settings
from kiosk.kaspi.client import KaspiClient
from kiosk.operator.registration import save_registered
from kiosk.platform.exits import (
    EXIT_API,
    EXIT_NETWORK,
    EXIT_NOT_PAID,
    EXIT_OK,
    EXIT_UNKNOWN,
    EXIT_USAGE,
)
from kiosk.sandbox import Sandbox
from kiosk.sandbox.pki import issue_client_certificate


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr + result.stdout


def registered_by_cli(sandbox: Sandbox, scheme: str = "standard") -> Path:
    path = sandbox.config_path(scheme)
    result = kiosk("register", "--trade-point", "1", config=path)
    assert result.returncode == EXIT_OK, result.stderr
    return path


def registered(sandbox: Sandbox, scheme: str = "standard") -> Path:
    """The scheme's config registered at trade point 1 as `kiosk register` does it, in this
    process: the command itself is run by the tests of registering, not once per test."""
    path = sandbox.config_path(scheme)
    config = cfg.load(path)
    with KaspiClient(kaspi_settings(config)) as client:
        token = client.register_device(config.device.device_id, 1)
    save_registered(path, token, config.device.device_id, 1)
    return path


def pay_with(
    customer: Callable[[int], None], path: Path, *args: str
) -> subprocess.CompletedProcess:
    """Run `kiosk pay` and act as the customer once the payment id is printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(path), "pay", *args, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    err_lines: list[str] = []

    def read_progress() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            err_lines.append(line)
            if line.startswith("Payment ") and line.split()[1].rstrip(":").isdigit():
                customer(int(line.split()[1].rstrip(":")))

    reader = threading.Thread(target=read_progress)
    reader.start()
    assert proc.stdout is not None
    out = proc.stdout.read()  # not communicate(): it would race the reader for stderr
    proc.wait(60)
    reader.join(10)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, "".join(err_lines))


def test_register_keeps_the_operators_comments(sandbox: Sandbox) -> None:
    path = sandbox.config_path("standard")
    before = path.read_text(encoding="utf-8")
    path = registered_by_cli(sandbox)
    after = path.read_text(encoding="utf-8")
    token = cfg.load(path).kaspi.device_token
    assert token and token in after
    assert [line for line in before.splitlines() if line.startswith("#")] == [
        line for line in after.splitlines() if line.startswith("#")
    ]


@pytest.mark.parametrize("scheme", ["basic", "standard", "enhanced"])
def test_ping_tradepoints_in_every_scheme(sandbox: Sandbox, scheme: str) -> None:
    path = registered_by_cli(sandbox, scheme)
    ping = kiosk("ping", config=path)
    assert ping.returncode == EXIT_OK and "warning" not in ping.stderr
    result = kiosk("tradepoints", "--json", config=path)
    assert result.returncode == EXIT_OK
    assert {p["TradePointId"] for p in json.loads(result.stdout)} >= {1, 2}


def test_ping_warns_when_base_url_is_another_schemes(sandbox: Sandbox) -> None:
    """Scheme standard, an /r3/ base URL: said before the ping fails (docs/kaspi/api.md §1.2)."""
    path = registered(sandbox, "standard")
    url = cfg.load(path).kaspi.base_url
    cfg.write_value(path, "kaspi", "base_url", url.replace("/r2/", "/r3/"))
    result = kiosk("ping", config=path)
    no_traceback(result)
    assert "warning: kaspi.base_url has /r3/" in result.stderr
    assert "kaspi.scheme is standard" in result.stderr
    assert result.returncode != EXIT_OK  # the standard port does not serve /r3/


def test_pay_processed_exits_0(fast_sandbox: Sandbox) -> None:
    path = registered(fast_sandbox)

    def customer(payment_id: int) -> None:
        fast_sandbox.scan(payment_id)
        fast_sandbox.confirm(payment_id)

    result = pay_with(customer, path, "150", "--external-id", "order-9")
    assert result.returncode == EXIT_OK, result.stderr
    data = json.loads(result.stdout)
    assert data["State"] == "processed" and data["Status"] == "Processed"
    assert data["AmountChecked"] is True
    assert "█" in result.stderr or "▀" in result.stderr or "#" in result.stderr  # the QR
    no_traceback(result)


def test_pay_declined_exits_1(fast_sandbox: Sandbox) -> None:
    path = registered(fast_sandbox)
    result = pay_with(fast_sandbox.scan_error, path, "150")
    assert result.returncode == EXIT_NOT_PAID
    assert json.loads(result.stdout)["Reason"] == "declined"


@pytest.mark.slow
def test_pay_not_scanned_times_out_exit_1(fast_sandbox: Sandbox) -> None:
    fast_sandbox.set_behaviour(scan_timeout=2, poll_interval=0.5)  # nobody scans: no race
    path = registered(fast_sandbox)
    result = pay_with(lambda _pid: None, path, "150")
    assert result.returncode == EXIT_NOT_PAID
    assert json.loads(result.stdout)["Reason"] == "scan_timeout"


@pytest.mark.slow
def test_pay_with_the_bank_gone_mid_sale_is_unknown_exit_5(fast_sandbox: Sandbox) -> None:
    # Failed reads go on until a confirmation after a last-second scan could have ended
    # (the scan deadline, the confirmation timeout and its grace of 3 polls): short ones.
    fast_sandbox.set_behaviour(confirm_timeout=1, poll_interval=0.5)
    path = registered(fast_sandbox)

    def customer(payment_id: int) -> None:
        fast_sandbox.scan(payment_id)
        fast_sandbox.inject_fault("http500", count=0, path_contains="/payment/status")

    result = pay_with(customer, path, "150")
    assert result.returncode == EXIT_UNKNOWN, result.stderr
    assert json.loads(result.stdout)["State"] == "unknown"


@pytest.mark.parametrize("amount", ["abc", "0", "-5", "1.001", "NaN"])
def test_bad_amounts_are_usage_errors(sandbox: Sandbox, amount: str) -> None:
    path = registered(sandbox)
    before = len(sandbox.requests)
    result = kiosk("pay", amount, config=path)
    assert result.returncode == EXIT_USAGE
    no_traceback(result)
    assert len(sandbox.requests) == before  # nothing was sent


def test_amount_above_the_configured_maximum(sandbox: Sandbox) -> None:
    path = registered(sandbox)
    result = kiosk("pay", "999999999", config=path)
    assert result.returncode == EXIT_USAGE and "sale.max_amount" in result.stderr


@pytest.mark.slow
def test_status_details_and_enhanced_refund(fast_sandbox: Sandbox) -> None:
    path = registered(fast_sandbox, "enhanced")

    def customer(payment_id: int) -> None:
        fast_sandbox.scan(payment_id)
        fast_sandbox.confirm(payment_id)

    paid = json.loads(pay_with(customer, path, "500").stdout)
    pid = str(paid["QrPaymentId"])
    assert kiosk("status", pid, config=path).stdout.strip() == "Processed"
    details = json.loads(kiosk("details", pid, "--json", config=path).stdout)
    assert details["AvailableReturnAmount"] in ("500", "500.0", "500.00")
    result = kiosk("refund", pid, "200", "--json", config=path)
    assert result.returncode == EXIT_OK, result.stderr
    assert json.loads(result.stdout)["ReturnOperationId"] > 0
    too_much = kiosk("refund", pid, "301", config=path)
    assert too_much.returncode == EXIT_NOT_PAID and "300" in too_much.stderr


@pytest.mark.slow
def test_standard_refund_waits_for_the_customers_return_qr(fast_sandbox: Sandbox) -> None:
    fast_sandbox.set_behaviour(return_poll_interval=1)
    path = registered(fast_sandbox, "standard")

    def customer(payment_id: int) -> None:
        fast_sandbox.scan(payment_id)
        fast_sandbox.confirm(payment_id)

    pid = str(json.loads(pay_with(customer, path, "80").stdout)["QrPaymentId"])
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(path), "refund", pid, "80", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("Return "):
            fast_sandbox.scan_return(int(line.split()[1].rstrip(":")))
            break
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_OK, err
    assert json.loads(out)["Amount"] == "80"


def test_standard_refund_of_another_customers_payment_is_refused(fast_sandbox: Sandbox) -> None:
    """The customer scanning the return QR did not make this purchase (docs/kaspi/api.md §10.10)."""
    fast_sandbox.set_behaviour(return_poll_interval=1)
    path = registered(fast_sandbox, "standard")

    def someone_else(payment_id: int) -> None:
        fast_sandbox.scan(payment_id)
        fast_sandbox.confirm(payment_id, customer="someone-else")

    pid = str(json.loads(pay_with(someone_else, path, "80").stdout)["QrPaymentId"])
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(path), "refund", pid, "80", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("Return "):
            fast_sandbox.scan_return(int(line.split()[1].rstrip(":")))  # the test customer
            break
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_NOT_PAID, err
    assert "not among the customer's last purchases" in err and "Traceback" not in err
    assert fast_sandbox.payment(int(pid))["refunds"] == []


def test_basic_scheme_has_no_refunds(sandbox: Sandbox) -> None:
    result = kiosk("refund", "1", "10", config=registered(sandbox, "basic"))
    assert result.returncode == EXIT_USAGE and "Kaspi Pay app" in result.stderr


def test_remote_invoice_and_cancel(sandbox: Sandbox) -> None:
    path = registered(sandbox, "enhanced")
    result = kiosk("remote-invoice", "87071234567", "2500", "--comment", "Order 5", config=path)
    assert result.returncode == EXIT_OK, result.stderr
    invoice = result.stdout.split()[1]
    cancel = kiosk("remote-cancel", invoice, config=path)
    assert cancel.returncode == EXIT_OK and "RemotePaymentCanceled" in cancel.stdout
    bad = kiosk("remote-invoice", "555", "10", config=path)
    assert bad.returncode == EXIT_USAGE and "mobile number" in bad.stderr


def test_cert_info(sandbox: Sandbox) -> None:
    data = json.loads(kiosk("cert-info", "--json", config=registered(sandbox)).stdout)
    assert data["days_left"] > 1000 and "CN=" in data["subject"]
    assert data["state"] == "ok" and data["warning"] is None


def test_cert_info_warns_from_60_days_before_expiry(sandbox: Sandbox) -> None:
    from kiosk.sandbox.pki import issue_client_certificate

    path = registered(sandbox)
    pfx = issue_client_certificate(sandbox.pki.dir, "soon", "pw-soon", days=45)
    cfg.write_value(path, "kaspi", "cert_file", str(pfx))
    cfg.write_value(path, "kaspi", "key_password", "pw-soon")
    data = json.loads(kiosk("cert-info", "--json", config=path).stdout)
    assert data["subject"].startswith("CN=soon") and data["days_left"] in (44, 45)
    assert data["state"] == "warning" and "expires in" in data["warning"]
    text = kiosk("cert-info", config=path).stdout
    assert "Warning:" in text and "Days left: 4" in text


def test_api_error_exit_code(sandbox: Sandbox) -> None:
    result = kiosk("status", "999999", config=registered(sandbox))
    assert result.returncode == EXIT_API and "-1601" in result.stderr
    no_traceback(result)


def test_unregister_then_pay_is_an_api_error(sandbox: Sandbox) -> None:
    path = registered(sandbox)
    assert kiosk("unregister", config=path).returncode == EXIT_OK
    assert cfg.load(path).kaspi.device_token == ""
    result = kiosk("pay", "10", config=path)
    assert result.returncode == EXIT_USAGE and "kaspi.device_token" in result.stderr


def test_network_and_tls_failures_exit_4(sandbox: Sandbox) -> None:
    path = registered(sandbox)
    port = sandbox.ports["standard"]
    sandbox.stop()
    result = kiosk("ping", config=path)
    assert result.returncode == EXIT_NETWORK and f":{port}" in result.stderr
    no_traceback(result)


def test_untrusted_certificate_is_a_tls_failure(sandbox: Sandbox) -> None:
    path = registered(sandbox)
    pfx = issue_client_certificate(sandbox.pki.dir, "mallory", "pw-mallory", untrusted=True)
    cfg.write_value(path, "kaspi", "cert_file", str(pfx))
    cfg.write_value(path, "kaspi", "key_password", "pw-mallory")
    result = kiosk("ping", config=path)
    assert result.returncode == EXIT_NETWORK and "TLS" in result.stderr


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (("kaspi", "key_password", "N0t-The-Passw0rd"), "kaspi.key_password"),
        (("kaspi", "cert_file", "missing.pfx"), "kaspi.cert_file"),
        (("device", "trade_point_id", "one"), "device.trade_point_id"),
    ],
)
def test_config_errors_are_one_line_naming_the_key(
    sandbox: Sandbox, edit: tuple[str, str, str], key: str
) -> None:
    path = sandbox.config_path("standard")
    cfg.write_value(path, *edit)
    result = kiosk("ping", config=path)
    assert result.returncode == EXIT_USAGE
    assert result.stderr.count("\n") == 1 and key in result.stderr
    assert "N0t-The-Passw0rd" not in result.stderr
    no_traceback(result)


def test_missing_config_file(tmp_path: Path) -> None:
    result = kiosk("ping", config=tmp_path / "none.toml")
    assert result.returncode == EXIT_USAGE and "not found" in result.stderr
