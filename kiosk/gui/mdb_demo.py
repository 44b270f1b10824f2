"""`kiosk demo --mdb`: the vending machine's buttons under the kiosk, on an emulated MDB adapter.

The products are chosen on the emulated machine (kiosk.mdb.emulator), which
asks the kiosk over a real pseudo-terminal exactly as a machine asks through a
Qibixx adapter; the line under the buttons tells what the machine did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.mdb.emulator import AdapterEmulator

if TYPE_CHECKING:
    from kiosk.gui.kiosk import KioskShell

#: (product id, name, price as the machine writes it)
PRODUCTS = (
    ("11", "Water", "150"),
    ("12", "Coffee", "350"),
    ("13", "Chocolate", "500"),
)

ANSWERS = {
    "approved": "approved",
    "denied": "denied by the kiosk",
    "vmc_gave_up": "the machine stopped waiting",
    "unplugged": "adapter unplugged",
    "reset": "the reader was reset",
}


class MdbDemoStrip(QWidget):
    """The phone strip (`phone`) plus the vending machine: product buttons and what happened."""

    def __init__(self, shell: KioskShell, emulator: AdapterEmulator, phone: QWidget) -> None:
        super().__init__()
        self.setObjectName("mdb_demo")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._shell = shell
        self._emulator = emulator
        self.setStyleSheet(
            "#mdb_demo { background: #1c262b; }"
            " #mdb_demo QLabel, #mdb_demo QCheckBox { color: #eceff1; font-size: 18px; }"
            " #mdb_demo QPushButton { background: #37474f; color: white; border-radius: 8px;"
            " padding: 10px 14px; font-size: 18px; min-height: 56px; }"
        )
        row = QHBoxLayout()
        row.addWidget(QLabel("DEMO — the vending machine (MDB):"))
        for product, name, price in PRODUCTS:
            button = QPushButton(f"{name} {price} ₸")
            button.setObjectName(f"mdb_product_{product}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, p=product, c=price: self.choose(p, c))
            row.addWidget(button)
        self.fail_next = QCheckBox("dispense fails")
        self.fail_next.setObjectName("mdb_dispense_fails")
        self.fail_next.toggled.connect(self._on_fail_next_toggled)
        row.addWidget(self.fail_next)
        self.status = QLabel("")
        self.status.setObjectName("mdb_status")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        machine = QVBoxLayout()
        machine.setContentsMargins(12, 8, 12, 8)
        machine.addLayout(row)
        machine.addWidget(self.status)
        layout.addLayout(machine)
        layout.addWidget(phone)
        self._seen = 0
        self._poll = QTimer(self)
        self._poll.setInterval(300)
        self._poll.timeout.connect(self._on_poll_timeout)
        self._poll.start()

    def choose(self, product: str, price: str) -> None:
        if self._emulator.select(product, price):
            self.status.setText(f"product {product} chosen: the machine asks the kiosk for {price}")
        else:
            self.status.setText("the machine is busy (or the kiosk's reader is not enabled)")

    def _on_fail_next_toggled(self, checked: bool) -> None:
        self._emulator.dispense = "fail" if checked else "success"

    def _on_poll_timeout(self) -> None:
        outcomes = list(self._emulator.outcomes)
        if len(outcomes) == self._seen:
            return
        self._seen = len(outcomes)
        last = outcomes[-1]
        text = f"product {last.product}: {ANSWERS.get(last.answer, last.answer)}"
        if last.dispensed is not None:
            text += " — dispensed" if last.dispensed == "success" else " — FAILED to dispense"
        self.status.setText(text)
