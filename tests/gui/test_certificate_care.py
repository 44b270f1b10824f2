"""Certificate care in the running kiosk: /v1/health and the log warn from 60 days before
expiry; a certificate that lapses while the kiosk runs puts it out of service, saying so."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from helpers.controller import HostApi
from helpers.kiosk import kiosk_config
from pytestqt.qtbot import QtBot

from kiosk import config as cfg
from kiosk.operator.certificate import CertState
from kiosk.sandbox import Sandbox
from kiosk.sandbox.pki import issue_client_certificate


def test_health_names_the_days_left_and_no_warning_for_a_fresh_certificate(
    qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Callable[..., Any]
) -> None:
    path = kiosk_config(fast_sandbox)
    start_kiosk(path)
    health = HostApi(path, qtbot).get("/health").json()
    assert health["certificate_days_left"] > 1000
    assert health["certificate_warning"] is None


def test_a_certificate_near_expiry_is_warned_in_health_and_the_log(
    qtbot: QtBot,
    fast_sandbox: Sandbox,
    start_kiosk: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = kiosk_config(fast_sandbox)
    pfx = issue_client_certificate(fast_sandbox.pki.dir, "ageing", "pw-ageing", days=59)
    cfg.write_value(path, "kaspi", "cert_file", str(pfx))
    cfg.write_value(path, "kaspi", "key_password", "pw-ageing")
    with caplog.at_level(logging.WARNING, logger="kiosk.operator"):
        start_kiosk(path)
    health = HostApi(path, qtbot).get("/health").json()
    assert health["certificate_days_left"] in (58, 59)
    assert "expires in" in health["certificate_warning"]
    assert health["ok"] is True  # a warning, not a stop
    assert any("certificate: The certificate expires in" in r.getMessage() for r in caplog.records)


def test_a_certificate_that_lapses_while_running_stops_sales_with_that_reason(
    qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Callable[..., Any]
) -> None:
    path = kiosk_config(fast_sandbox)
    shell = start_kiosk(path)
    check = shell.health.certificate
    assert check is not None and check.info is not None and check.state is CertState.OK
    # A certificate cannot expire during a test: the running kiosk's record of it is moved
    # past its expiry, and the file now holds an expired one (as it would by then).
    lapsed = dataclasses.replace(check.info, not_after=datetime.now(UTC) - timedelta(minutes=1))
    shell.health.certificate = dataclasses.replace(check, info=lapsed)
    pfx = issue_client_certificate(fast_sandbox.pki.dir, "lapsed", "pw-lapsed", expired=True)
    cfg.write_value(path, "kaspi", "cert_file", str(pfx))
    cfg.write_value(path, "kaspi", "key_password", "pw-lapsed")
    shell.health.check_now()
    # The start-up chain runs again; its bank clients are made on the worker, so the reason
    # arrives when that fails (the screen may say out of service before it, while starting).
    qtbot.waitUntil(lambda: "expired" in (shell.problem or ""), timeout=10000)
    assert shell.window.screen_name == "out_of_service"
    assert "kaspi.cert_file" in (shell.problem or "")
