"""Demo mode's stand-in for the customer's phone: scan and confirm through the sandbox's test API.

The buttons call the real test endpoints over HTTPS (the same calls an
integrator makes against the bank's test host), on a worker thread.

The panel floats over the kiosk instead of taking a strip of the window: it
took 150 px at every size and made an 800x480 panel overlap everywhere. It
unfolds along the bottom while a payment is on the screen (that is when a phone
is needed) and folds into a small "Demo" tab at the left edge otherwise; Hide
folds it by hand. F5-F8 work either way.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.config import Config, kaspi_settings
from kiosk.gui.texts import DEFAULT_LANG, tr
from kiosk.gui.worker import Worker

if TYPE_CHECKING:
    from kiosk.gui.kiosk import KioskShell
    from kiosk.kaspi.client import KaspiClient

log = logging.getLogger("kiosk.demo")

ACTIONS = (("scan", "F5"), ("confirm", "F6"), ("scanerror", "F7"), ("confirmerror", "F8"))
#: The pages on which a phone is useful: the panel unfolds there by itself.
PAYMENT_PAGES = frozenset({"qr", "awaiting"})
_STYLE = (
    "#demo_panel { background: rgba(38, 50, 56, 235); border-top-left-radius: 10px;"
    " border-top-right-radius: 10px; }"
    " #demo_panel QLabel { color: #eceff1; font-size: 13px; background: transparent; }"
    " #demo_panel QPushButton, QPushButton#demo_show { background: #455a64; color: white;"
    " border-radius: 8px; padding: 4px 10px; font-size: 14px; min-height: 40px; }"
    " #demo_panel QPushButton:pressed, QPushButton#demo_show:pressed { background: #607d8b; }"
)


class BottomStrip(QWidget):
    """A strip floating across the bottom of the kiosk's window, never in its layout.

    `attach(window)` makes it a child of the window (not of its layout) and keeps it
    placed on every resize; the window calls it. It carries the `layout_overlay`
    property: it floats above the kiosk on purpose. Both demo strips are one, so
    they sit, and move with the window, alike.
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setProperty("layout_overlay", True)
        # A plain QWidget paints no stylesheet background unless asked to.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)

    def lay_out(self, row: QHBoxLayout, notes: QHBoxLayout) -> None:
        """The buttons in a row, and a line of notes under them."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addLayout(notes)

    def attach(self, window: QWidget) -> None:
        self.setParent(window)
        window.installEventFilter(self)
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.parentWidget():
            self._place()
        return False

    def _place(self) -> None:
        """Across the bottom of the window, as tall as the strip asks to be."""
        window = self.parentWidget()
        if window is None:
            return
        height = self.sizeHint().height()
        self.setGeometry(0, window.height() - height, window.width(), height)


class DemoPanel(BottomStrip):
    """The customer's phone, emulated, floating over the bottom of the kiosk's window.

    Its folded tab carries the `layout_overlay` property too.
    """

    def __init__(self, shell: KioskShell) -> None:
        super().__init__("demo_panel")
        self._shell = shell
        self._lang = DEFAULT_LANG
        self._folded_by_hand = False
        self._worker = Worker("kiosk-demo", self)
        self._kaspi: KaspiClient | None = None
        self.setStyleSheet(_STYLE)
        self.title = QLabel()
        self.status = QLabel("")
        self.status.setObjectName("demo_status")
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for action, key in ACTIONS:
            button = QPushButton()
            button.setObjectName(f"demo_{action}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, a=action: self.emulate(a))
            self.buttons[action] = button
            row.addWidget(button)
            # The panel is built before the window it sits in: an application-wide key.
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(lambda a=action: self.emulate(a))
        self.hide_button = QPushButton()
        self.hide_button.setObjectName("demo_hide")
        self.hide_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide_button.clicked.connect(self.fold)
        row.addWidget(self.hide_button)
        # One line under the buttons: what the strip is, then what the last action did.
        self.title.setWordWrap(True)
        self.status.setWordWrap(True)
        notes = QHBoxLayout()
        notes.addWidget(self.title)
        notes.addWidget(self.status, 1)
        self.lay_out(row, notes)
        self.show_button = QPushButton()
        self.show_button.setObjectName("demo_show")
        self.show_button.setProperty("layout_overlay", True)
        self.show_button.setStyleSheet(_STYLE)
        self.show_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.show_button.clicked.connect(self.unfold)
        self.retranslate(DEFAULT_LANG)

    # --- placing -----------------------------------------------------------------------------

    def attach(self, window: QWidget) -> None:
        """Float over `window`: placed on every resize, unfolded on payment pages."""
        super().attach(window)
        self.show_button.setParent(window)
        self.fold(by_hand=False)

    def on_page_changed(self, _old: str, new: str) -> None:
        """Unfold while a payment is on the screen (unless folded by hand); fold otherwise."""
        if new in PAYMENT_PAGES and not self._folded_by_hand:
            self.unfold()
        elif new not in PAYMENT_PAGES:
            self._folded_by_hand = False
            self.fold(by_hand=False)

    def fold(self, by_hand: bool = True) -> None:
        self._folded_by_hand = by_hand
        self.hide()
        self.show_button.show()
        self.show_button.raise_()
        self._place()

    def unfold(self) -> None:
        self.show_button.hide()
        self.show()
        self.raise_()
        self._place()

    def _place(self) -> None:
        super()._place()
        window = self.parentWidget()
        if window is None:
            return
        tab = self.show_button.sizeHint()
        self.show_button.setGeometry(
            0, (window.height() - tab.height()) // 2, tab.width(), tab.height()
        )

    # --- language ------------------------------------------------------------------------------

    def retranslate(self, lang: str) -> None:
        self._lang = lang
        self.title.setText(tr("demo.title", lang))
        for action, key in ACTIONS:
            self.buttons[action].setText(f"{tr(f'demo.{action}', lang)} {key}")
        self.hide_button.setText(tr("demo.hide", lang))
        self.show_button.setText(tr("demo.show", lang))
        self._place()

    # --- the phone -----------------------------------------------------------------------------

    def emulate(self, action: str) -> None:
        c = self._shell.controller
        sale = c.current if c is not None else None
        config = self._shell.config
        lang = self._lang
        if sale is None or sale.payment is None or config is None:
            self.status.setText(tr("demo.no_payment", lang))
            return
        payment_id = sale.payment.payment_id
        name = tr(f"demo.{action}", lang)
        self.status.setText(tr("demo.sent", lang, action=name, payment=payment_id))

        def done(_result: object, error: BaseException | None) -> None:
            result = "OK" if error is None else str(error)
            self.status.setText(
                tr("demo.done", lang, action=name, payment=payment_id, result=result)
            )

        self._worker.submit(lambda: self._client(config).test_action(action, payment_id), done)

    def _client(self, config: Config) -> KaspiClient:
        from kiosk.kaspi.client import KaspiClient  # not needed before the first demo action

        # Its own client (and connection): a requests.Session is not shared between threads.
        settings = kaspi_settings(config)
        if self._kaspi is None or self._kaspi.settings != settings:
            self._kaspi = KaspiClient(settings)
        return self._kaspi
