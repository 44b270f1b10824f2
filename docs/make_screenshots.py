"""Screenshots of the real kiosk against the embedded sandbox, for the README.

    .venv/bin/python docs/make_screenshots.py [--out docs/screenshots] [--size 1080x1920]

Runs offscreen: the real window, real sandbox, real sales driven by the
sandbox's customer emulation; each screen is grabbed as the customer sees it.
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QScrollArea

from kiosk import config as cfg
from kiosk.demo import prepare
from kiosk.gui.demo_panel import DemoPanel
from kiosk.gui.kiosk import KioskShell
from kiosk.gui.theme import apply_theme


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the kiosk did not get there in time")
        QCoreApplication.processEvents()
        time.sleep(0.01)


def settle(seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.01)


#: Service mode's tabs, each shot as service-<tab>.png while the bank answers.
SERVICE_TABS = ("status", "attention", "refunds", "sales", "device", "certificate", "system")


def press(widget: object, name: str) -> None:
    """Touch a button, scrolling it into view first as a finger would."""
    button = widget.findChild(QPushButton, name)  # type: ignore[attr-defined]
    area = button.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    if area is not None:
        area.ensureWidgetVisible(button)
        settle(0.1)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def service_tabs(shell: KioskShell, sandbox: object, shot: Callable[[str], None]) -> None:
    """Open service mode (PIN 1234), with one paid sale waiting for the operator, and shoot
    every tab; the refunds tab with the customer's return QR up."""
    journal, window = shell.journal, shell.window
    assert journal is not None and shell.controller is not None
    for digit in "990":
        press(window.amount_screen, f"key_{digit}")
    press(window.amount_screen, "pay_button")
    wait(lambda: window.qr_screen.has_qr())
    payment_id = shell.controller.current.payment.payment_id  # type: ignore[union-attr]
    press(window.qr_screen, "cancel_button")  # the customer walked away ... and paid anyway
    wait(lambda: window.screen_name == "amount")
    sandbox.scan(payment_id)  # type: ignore[attr-defined]
    sandbox.confirm(payment_id)  # type: ignore[attr-defined]
    wait(lambda: bool(journal.unsettled()), timeout=30)
    window.service_requested.emit()
    wait(lambda: window.screen_name == "service")
    screen = window.service_screen
    for digit in "1234":
        press(screen, f"pin_{digit}")
    press(screen, "pin_ok")
    for tab in SERVICE_TABS:
        press(screen, f"tab_{tab}")
        if tab == "refunds":
            press(screen, "refund_show_qr")
            wait(lambda: screen.refunds_page.return_panel.qr.has_qr())  # type: ignore[attr-defined]
        settle(1.0)
        shot(f"service-{tab}")
    press(screen, "service_exit")
    wait(lambda: window.screen_name == "amount")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "screenshots")
    parser.add_argument("--size", default="1080x1920")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    apply_theme(app)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        sandbox, path = prepare(Path(tmp), "standard", fast=False, host_api_port=free_port())
        cfg.write_value(path, "kiosk", "health_interval", 300.0)
        shell = KioskShell(path, demo_bar=DemoPanel)
        shell.start(windowed=True)
        window = shell.window
        window.resize(width, height)
        wait(lambda: window.screen_name == "amount")

        def shot(name: str) -> None:
            settle()
            window.grab().save(str(args.out / f"{name}.png"))
            print("wrote", args.out / f"{name}.png")

        amount = window.amount_screen
        for digit in "1250":
            QTest.mouseClick(
                amount.findChild(QPushButton, f"key_{digit}"), Qt.MouseButton.LeftButton
            )
        shot("1-amount")
        QTest.mouseClick(amount.findChild(QPushButton, "pay_button"), Qt.MouseButton.LeftButton)
        wait(lambda: window.qr_screen.has_qr())
        settle(1.2)
        shot("2-qr")
        sale = shell.controller.current  # type: ignore[union-attr]
        payment_id = sale.payment.payment_id  # type: ignore[union-attr]
        sandbox.scan(payment_id)
        wait(lambda: window.screen_name == "awaiting")
        settle(1.2)
        shot("3-awaiting")
        sandbox.confirm(payment_id)
        wait(lambda: window.screen_name == "success")
        shot("4-success")
        wait(lambda: window.screen_name == "amount")
        for digit in "500":
            QTest.mouseClick(
                amount.findChild(QPushButton, f"key_{digit}"), Qt.MouseButton.LeftButton
            )
        QTest.mouseClick(amount.findChild(QPushButton, "pay_button"), Qt.MouseButton.LeftButton)
        wait(lambda: window.qr_screen.has_qr())
        sandbox.scan_error(shell.controller.current.payment.payment_id)  # type: ignore
        wait(lambda: window.screen_name == "error")
        shot("5-error")
        wait(lambda: window.screen_name == "amount")
        service_tabs(shell, sandbox, shot)
        sandbox.stop()
        shell.health.check_now()  # type: ignore[union-attr]
        wait(lambda: window.screen_name == "out_of_service")
        shot("6-out-of-service")
        window.service_requested.emit()
        wait(lambda: window.screen_name == "service")
        for digit in "1234":
            QTest.mouseClick(
                window.service_screen.findChild(QPushButton, f"pin_{digit}"),
                Qt.MouseButton.LeftButton,
            )
        QTest.mouseClick(
            window.service_screen.findChild(QPushButton, "pin_ok"), Qt.MouseButton.LeftButton
        )
        settle(1.0)
        shot("7-service")
        shell.quit(exit_app=False)


if __name__ == "__main__":
    main()
