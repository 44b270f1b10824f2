"""A real kiosk (KioskShell) on the Qt event loop against a real sandbox, for GUI tests."""

from __future__ import annotations

import gc
import secrets
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from helpers.controller import free_port

from kiosk import config as cfg
from kiosk.config import kaspi_settings
from kiosk.kaspi.client import KaspiClient
from kiosk.operator.access import hash_pin
from kiosk.sandbox import Sandbox

#: The service PIN the kiosks under test open with, and what their config stores.
PIN = "2468"
PIN_HASH = hash_pin(PIN)

#: Short, as the sandbox allows: every deadline of a sale fits in a few seconds.
FAST = {"poll_interval": 1, "scan_timeout": 4, "confirm_timeout": 4}


def kiosk_config(sandbox: Sandbox, scheme: str = "standard", **edits: Any) -> Path:
    """The sandbox's config, registered, windowed, with a host API, quick result screens
    and a short tap guard."""
    path = sandbox.config_path(scheme)
    config = cfg.load(path)
    if not config.kaspi.device_token:
        with KaspiClient(kaspi_settings(config)) as client:
            token = client.register_device(config.device.device_id, config.device.trade_point_id)
        cfg.write_value(path, "kaspi", "device_token", token)
    values: dict[str, Any] = {
        "kiosk__fullscreen": False,
        "kiosk__service_pin": PIN_HASH,
        "kiosk__health_interval": 1.0,
        "sale__result_seconds": 1.0,
        # Each test waits out the guard after every page change before it taps (as a
        # person would): the shortest the config allows, not 0.7 s a page.
        "kiosk__tap_guard_seconds": 0.1,
        "host_api__enabled": True,
        "host_api__port": free_port(),
        "host_api__token": secrets.token_urlsafe(24),
        **edits,
    }
    sections: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        section, key = name.split("__")
        sections.setdefault(section, {})[key] = value
    cfg.write_values(path, sections)
    return path


@pytest.fixture
def fast_sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    return sandbox_factory(**FAST)


@pytest.fixture
def start_kiosk(qtbot: Any) -> Iterator[Callable[..., Any]]:
    """start_kiosk(config_path) -> a started KioskShell; every one is quit at teardown."""
    from kiosk.gui.shell.kiosk import KioskShell

    shells: list[KioskShell] = []

    def start(path: Path, *, wait_for: str | None = "amount", **kwargs: Any) -> KioskShell:
        shell = KioskShell(path, **kwargs)
        shell.retry_seconds = 1.0
        shells.append(shell)
        shell.start(windowed=True)
        if wait_for == "amount":
            # The amount screen is up at once while the kiosk starts; wait until it sells.
            qtbot.waitUntil(
                lambda: shell.window.screen_name == "amount" and shell.mode.can_sell,
                timeout=15000,
            )
        elif wait_for:
            qtbot.waitUntil(lambda: shell.window.screen_name == wait_for, timeout=15000)
            if shell.config is not None and shell.config.host_api.enabled:
                # Its server starts on the start-up worker as the window shows (a host
                # polls until it answers); a test's first request should not race it.
                qtbot.waitUntil(lambda: shell.host_api is not None, timeout=15000)
        return shell

    yield start
    close_kiosks(shells)


def close_kiosks(shells: list[Any]) -> None:
    """Quit each kiosk and free it here, on the GUI thread; `shells` is emptied.

    Finished kiosks sit in reference cycles. Left to a later collection, they are freed
    on whichever thread runs it, a worker or sandbox thread of the next test, and Qt
    objects deleted there warn or crash. So nothing may hold one past the collection:
    not a loop variable (one did), and not the parts quit() handed to deleteLater(),
    which hold the kiosk until they are deleted (a kiosk quit with a ping in flight
    outlived the collection until they were).
    """
    from PySide6.QtCore import QCoreApplication, QEvent

    while shells:
        shell = shells.pop()
        shell.quit(exit_app=False)
        # The window's C++ side goes now, while its Python side is whole. Freed by the
        # collection instead, its screens' Python state is cleared first, and the page
        # stack showing the next page as it deletes the current one calls a screen's
        # setVisible() override on an emptied object (AttributeError at teardown).
        shell.window.deleteLater()
        del shell
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def wait_for_taps(qtbot: Any, shell: Any) -> None:
    """As a person would: a page that just appeared ignores taps for a moment (TapGuard)."""
    qtbot.waitUntil(lambda: not shell.window.tap_guard.is_armed(), timeout=3000)


def type_amount(qtbot: Any, shell: Any, amount: int) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    wait_for_taps(qtbot, shell)
    screen = shell.window.amount_screen
    for digit in str(amount):
        qtbot.mouseClick(screen.findChild(QPushButton, f"key_{digit}"), Qt.MouseButton.LeftButton)
    assert screen.amount() == Decimal(amount)


def press_pay(qtbot: Any, shell: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    wait_for_taps(qtbot, shell)
    button = shell.window.amount_screen.findChild(QPushButton, "pay_button")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def current_payment(qtbot: Any, shell: Any) -> int:
    """Wait for the QR of the running sale and return its payment id."""
    qtbot.waitUntil(lambda: shell.window.qr_screen.has_qr(), timeout=10000)
    sale = shell.controller.current
    assert sale is not None and sale.payment is not None
    return int(sale.payment.payment_id)
