"""`kiosk demo --mdb`: the vending machine's buttons under the kiosk, on an emulated MDB adapter.

The products are chosen on the emulated machine (kiosk.mdb.emulator), which
asks the kiosk over a real pseudo-terminal exactly as a machine asks through a
Qibixx adapter; the line under the buttons tells what the machine did. Like the
phone strip it sits along the kiosk's window in room its pages give up while it shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QWidget

from kiosk.gui.demo.panel import PAYMENT_PAGES, DemoPanel, DemoStrip
from kiosk.gui.screens.navigator import Page
from kiosk.i18n import DEFAULT_LANG, Message, has_text, render, tr
from kiosk.mdb.emulator import AdapterEmulator

if TYPE_CHECKING:
    from kiosk.gui.shell.kiosk import KioskShell

#: (product id, name's message id, price as the machine writes it)
PRODUCTS = (
    ("11", "mdb.water", "150"),
    ("12", "mdb.coffee", "350"),
    ("13", "mdb.chocolate", "500"),
)


class MdbDemoStrip(DemoStrip):
    """The vending machine's buttons along the kiosk's window (see DemoStrip), and the phone.

    An Overlay (kiosk.gui.screens.window): the machine shows while no payment is on the screen
    (that is when a product is chosen), service mode aside; the phone (`phone`, a
    DemoPanel) unfolds in its place while one is.
    """

    def __init__(self, shell: KioskShell, emulator: AdapterEmulator, phone: DemoPanel) -> None:
        super().__init__("mdb_demo", "rgba(28, 38, 43, 235)", "#37474f")
        self._shell = shell
        self._emulator = emulator
        self._phone = phone
        self._lang = DEFAULT_LANG
        self._status: tuple[str, dict[str, object]] | None = None
        self.title = QLabel()
        self.products: dict[str, QPushButton] = {}
        for product, _name, price in PRODUCTS:
            button = QPushButton()
            button.setObjectName(f"mdb_product_{product}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, p=product, c=price: self.choose(p, c))
            self.products[product] = button
        self.fail_next = QCheckBox()
        self.fail_next.setObjectName("mdb_dispense_fails")
        self.fail_next.toggled.connect(self._on_fail_next_toggled)
        self.status = QLabel("")
        self.status.setObjectName("mdb_status")
        self.lay_out([*self.products.values(), self.fail_next], [self.title, self.status])
        self._seen = 0
        self._poll = QTimer(self)
        self._poll.setInterval(300)
        self._poll.timeout.connect(self._on_poll_timeout)
        self._poll.start()
        self.retranslate(DEFAULT_LANG)

    # --- the Overlay ---------------------------------------------------------------------------

    def attach(self, window: QWidget) -> None:
        self._phone.attach(window)
        super().attach(window)

    def on_page_changed(self, old: Page, new: Page) -> None:
        self._phone.on_page_changed(old, new)
        # Not over service mode either: its pages need all their room, and no one vends there.
        self.setVisible(new not in PAYMENT_PAGES and new is not Page.SERVICE)
        self._place()

    def retranslate(self, lang: str) -> None:
        self._lang = lang
        self._phone.retranslate(lang)
        self.title.setText(tr("mdb.title", lang))
        for product, name, price in PRODUCTS:
            self.products[product].setText(f"{tr(name, lang)} {price} ₸")
        self.fail_next.setText(tr("mdb.dispense_fails", lang))
        self._show_status()
        self._place()

    def _place(self) -> None:
        super()._place()
        if self.parentWidget() is not None:
            self.raise_()

    # --- the machine -----------------------------------------------------------------------------

    def choose(self, product: str, price: str) -> None:
        if self._emulator.select(product, price):
            self._show_status("mdb.chosen", product=product, price=price)
        else:
            self._show_status("mdb.busy")

    def _show_status(self, message_id: str = "", **values: object) -> None:
        if message_id:
            self._status = (message_id, values)
        if self._status is not None:
            message_id, values = self._status
            self.status.setText(render(Message(message_id, values), self._lang))

    def _on_fail_next_toggled(self, checked: bool) -> None:
        self._emulator.dispense = "fail" if checked else "success"

    def _on_poll_timeout(self) -> None:
        outcomes = list(self._emulator.outcomes)
        if len(outcomes) == self._seen:
            return
        self._seen = len(outcomes)
        last = outcomes[-1]
        answer_id = f"mdb.answer.{last.answer}"
        answer = Message(answer_id) if has_text(answer_id) else last.answer
        kind = {"success": "mdb.outcome_dispensed", None: "mdb.outcome"}.get(
            last.dispensed, "mdb.outcome_not_dispensed"
        )
        self._show_status(kind, product=last.product, answer=answer)
