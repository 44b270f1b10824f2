"""Demo mode's stand-in for the customer's phone: scan and confirm through the sandbox's test API.

The buttons call the real test endpoints over HTTPS (the same calls an
integrator makes against the bank's test host), on a worker thread.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.config import Config, kaspi_settings
from kiosk.gui.worker import Worker
from kiosk.kaspi.client import KaspiClient

if TYPE_CHECKING:
    from kiosk.gui.kiosk import KioskShell

log = logging.getLogger("kiosk.demo")

ACTIONS = (
    ("scan", "Scan", "F5"),
    ("confirm", "Confirm", "F6"),
    ("scanerror", "Scan error", "F7"),
    ("confirmerror", "Confirm error", "F8"),
)


class DemoPanel(QWidget):
    """A strip under the kiosk screen: the customer's phone, emulated."""

    def __init__(self, shell: KioskShell) -> None:
        super().__init__()
        self.setObjectName("demo_panel")
        # A plain QWidget paints no stylesheet background unless asked to.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._shell = shell
        self._worker = Worker("kiosk-demo", self)
        self._kaspi: KaspiClient | None = None
        self.setStyleSheet(
            "#demo_panel { background: #263238; }"
            " #demo_panel QLabel { color: #eceff1; font-size: 18px; background: transparent; }"
            " #demo_panel QPushButton { background: #455a64; color: white; border-radius: 8px;"
            " padding: 10px 14px; font-size: 18px; min-height: 56px; }"
            " #demo_panel QPushButton:pressed { background: #607d8b; }"
        )
        title = QLabel("DEMO — the customer's phone (sandbox test API):")
        self.status = QLabel("")
        self.status.setObjectName("demo_status")
        row = QHBoxLayout()
        for action, label, key in ACTIONS:
            button = QPushButton(f"{label}  [{key}]")
            button.setObjectName(f"demo_{action}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, a=action: self.emulate(a))
            row.addWidget(button)
            # The panel is built before the window it sits in: an application-wide key.
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(lambda a=action: self.emulate(a))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(title)
        layout.addLayout(row)
        layout.addWidget(self.status)

    def emulate(self, action: str) -> None:
        c = self._shell.controller
        sale = c.current if c is not None else None
        config = self._shell.config
        if sale is None or sale.payment is None or config is None:
            self.status.setText("No payment on screen: enter an amount and press Pay first.")
            return
        payment_id = sale.payment.payment_id
        self.status.setText(f"{action} → payment {payment_id} …")

        def done(_result: object, error: BaseException | None) -> None:
            self.status.setText(
                f"{action} → payment {payment_id}: " + ("OK" if error is None else str(error))
            )

        self._worker.submit(lambda: self._client(config).test_action(action, payment_id), done)

    def _client(self, config: Config) -> KaspiClient:
        # Its own client (and connection): a requests.Session is not shared between threads.
        settings = kaspi_settings(config)
        if self._kaspi is None or self._kaspi.settings != settings:
            self._kaspi = KaspiClient(settings)
        return self._kaspi
