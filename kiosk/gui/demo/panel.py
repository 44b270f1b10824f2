"""Demo mode's stand-in for the customer's phone: scan and confirm through the sandbox's test API.

The buttons call the real test endpoints over HTTPS (the same calls an
integrator makes against the bank's test host), on a worker thread.

The panel is a child of the kiosk's window, not of its layout, but it never
covers the kiosk: while it shows, the window's pages give up its room (a
column at the right of a landscape window, a band at the bottom of a portrait
one: landscape pages have width to spare, portrait ones height; a band took
too much of an 800x480 panel's height and hid the QR and its countdown). It
unfolds while a payment is on the screen (that is when a phone is needed);
Hide folds it into a small "Demo" tab, which takes its own small room. F5-F8
work either way: their shortcuts belong to the window, which is always shown.
Its sizes follow the kiosk's scale (kiosk.gui.kit.theme.scale_for).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QLabel, QPushButton, QWidget

from kiosk.config import Config, kaspi_settings
from kiosk.gui.kit.theme import scale_for
from kiosk.gui.kit.worker import Worker
from kiosk.gui.screens.navigator import Page
from kiosk.i18n import DEFAULT_LANG, tr

if TYPE_CHECKING:
    from kiosk.gui.shell.kiosk import KioskShell
    from kiosk.kaspi.client import KaspiClient

log = logging.getLogger("kiosk.app.demo")

ACTIONS = (("scan", "F5"), ("confirm", "F6"), ("scanerror", "F7"), ("confirmerror", "F8"))
#: The pages on which a phone is useful: the panel unfolds there by itself.
PAYMENT_PAGES = frozenset({Page.QR, Page.AWAITING})
#: The property that makes a child of the window take room from the pages while shown.
RESERVES = "demo_reserves_room"


def strip_style(name: str, background: str, button: str, scale: float) -> str:
    """The strips' look at the kiosk's `scale`; at 0.45 (800x480) about their old fixed sizes."""

    def px(value: float, least: int) -> int:
        return max(least, round(value * scale))

    return (
        f"#{name} {{ background: {background}; border-radius: {px(22, 10)}px; }}"
        f" #{name} QLabel, #{name} QCheckBox {{ color: #eceff1; font-size: {px(24, 12)}px;"
        " background: transparent; }"
        f" #{name} QPushButton, QPushButton#demo_show {{ background: {button}; color: white;"
        f" border-radius: {px(18, 8)}px; padding: {px(8, 4)}px {px(20, 8)}px;"
        f" font-size: {px(26, 14)}px; font-weight: 600; min-height: {px(60, 40)}px; }}"
        f" #{name} QCheckBox {{ min-height: {px(60, 40)}px; spacing: {px(16, 6)}px; }}"
        # A sized indicator is no longer drawn by the style: a light box, filled when ticked.
        f" #{name} QCheckBox::indicator {{ width: {px(36, 16)}px; height: {px(36, 16)}px;"
        f" border: {px(4, 2)}px solid #eceff1; border-radius: {px(8, 3)}px; }}"
        f" #{name} QCheckBox::indicator:checked {{ background: #ff8a65; }}"
        f" #{name} QPushButton:pressed, QPushButton#demo_show:pressed {{ background: #607d8b; }}"
    )


def is_landscape(window: QWidget) -> bool:
    return window.width() > window.height()


def reserve_room(window: QWidget) -> None:
    """Give the window's pages all but the room its shown demo strips and tab take."""
    layout = window.layout()
    if layout is None:
        return
    right = bottom = 0
    for child in window.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if not child.property(RESERVES) or not child.isVisibleTo(window):
            continue
        room = child.geometry()
        if is_landscape(window):
            right = max(right, window.width() - room.left())
        else:
            bottom = max(bottom, window.height() - room.top())
    if layout.contentsMargins().right() != right or layout.contentsMargins().bottom() != bottom:
        layout.setContentsMargins(0, 0, right, bottom)


class DemoStrip(QWidget):
    """A strip along the kiosk's window, in room the window's pages give up, never in its layout.

    `attach(window)` makes it a child of the window (not of its layout) and keeps it
    placed on every resize; the window calls it. It carries the `layout_overlay`
    property (the layout checker leaves it out: it is not in the pages' layout) and
    RESERVES (the pages give up its room while it shows). Both demo strips are one,
    so they sit, and move with the window, alike: a column at the right of a
    landscape window, a band at the bottom of a portrait one.
    """

    def __init__(self, name: str, background: str, button: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setProperty("layout_overlay", True)
        self.setProperty(RESERVES, True)
        # A plain QWidget paints no stylesheet background unless asked to.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._colors = (background, button)
        self._scale = 0.0
        self._arranged: tuple[bool, list[tuple[int, int, int]]] | None = None
        self._buttons: list[QWidget] = []
        self._grid = QGridLayout()
        self._notes = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._outer = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)

    def lay_out(self, buttons: Sequence[QWidget], notes: Sequence[QLabel]) -> None:
        """The buttons in a grid, and the notes beside (band) or under (column) each other."""
        self._buttons = list(buttons)
        for i, note in enumerate(notes):
            note.setWordWrap(True)
            self._notes.addWidget(note, i)
        self._outer.addLayout(self._grid)
        self._outer.addLayout(self._notes)
        self._outer.addStretch(1)

    def attach(self, window: QWidget) -> None:
        self.setParent(window)
        window.installEventFilter(self)
        self._place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.parentWidget():
            self._place()
        return False

    def restyle(self, scale: float) -> None:
        """Sizes and margins at the kiosk's scale."""
        self.setStyleSheet(strip_style(self.objectName(), *self._colors, scale))
        margin = max(8, round(20 * scale))
        self._outer.setContentsMargins(margin, margin, margin, margin)
        self._outer.setSpacing(max(4, round(10 * scale)))
        self._grid.setSpacing(max(4, round(10 * scale)))

    def _cells(self, window: QWidget) -> list[tuple[int, int, int]]:
        """Each button's (row, column, columns spanned): one column in a landscape column;
        in a portrait band as many columns as a middling button needs, a wide one (Russian
        "Ошибка подтверждения F8") spanning two, so a long name does not make every row one
        button (at 720x1080 that took nearly half the window)."""
        if is_landscape(window):
            return [(i, 0, 1) for i in range(len(self._buttons))]
        margins = self._outer.contentsMargins()
        room = window.width() - margins.left() - margins.right()
        spacing = self._grid.horizontalSpacing()
        widths = sorted(b.sizeHint().width() for b in self._buttons)
        middling = widths[len(widths) // 2] if widths else 1
        columns = max(1, min(len(widths), (room + spacing) // (middling + spacing)))
        cell = (room - spacing * (columns - 1)) / columns
        cells: list[tuple[int, int, int]] = []
        row = column = 0
        for button in self._buttons:
            span = 1
            while span < columns and span * cell + (span - 1) * spacing < button.sizeHint().width():
                span += 1
            if column + span > columns:  # the row's last button takes the rest of it
                last_row, last_column, last_span = cells[-1]
                cells[-1] = (last_row, last_column, last_span + columns - column)
                row, column = row + 1, 0
            cells.append((row, column, span))
            column += span
        return cells

    def _arrange(self, landscape: bool, cells: list[tuple[int, int, int]]) -> None:
        for button in self._buttons:
            self._grid.removeWidget(button)
        for button, (row, column, span) in zip(self._buttons, cells, strict=True):
            self._grid.addWidget(button, row, column, 1, span)
        self._notes.setDirection(
            QBoxLayout.Direction.TopToBottom if landscape else QBoxLayout.Direction.LeftToRight
        )

    def _place(self) -> None:
        window = self.parentWidget()
        if window is None:
            return
        scale = scale_for(window.width(), window.height())
        landscape = is_landscape(window)
        if scale != self._scale:
            self._scale = scale
            self.restyle(scale)
        cells = self._cells(window)
        if (landscape, cells) != self._arranged:
            self._arranged = (landscape, cells)
            self._arrange(landscape, cells)
        self.setGeometry(self.room(window))
        reserve_room(window)

    def room(self, window: QWidget) -> QRect:
        """A column as wide as its widest button; a band as tall as it needs at full width."""
        layout = self.layout()
        assert layout is not None
        layout.activate()
        if is_landscape(window):
            margins = self._outer.contentsMargins()
            widest = max((b.sizeHint().width() for b in self._buttons), default=0)
            width = widest + margins.left() + margins.right()
            return QRect(window.width() - width, 0, width, window.height())
        height = layout.totalHeightForWidth(window.width())
        if height < 0:
            height = layout.totalSizeHint().height()
        return QRect(0, window.height() - height, window.width(), height)


class DemoPanel(DemoStrip):
    """The customer's phone, emulated, in a strip along the kiosk's window (see DemoStrip).

    Its folded tab, `show_button`, shows only on a payment page folded by hand (nowhere
    else is a phone of use) and takes its own small room from the pages too.
    """

    def __init__(self, shell: KioskShell) -> None:
        super().__init__("demo_panel", "rgba(38, 50, 56, 235)", "#455a64")
        self._shell = shell
        self._lang = DEFAULT_LANG
        self._folded_by_hand = False
        self._worker = Worker("kiosk-demo", self)
        self._kaspi: KaspiClient | None = None
        self.title = QLabel()
        self.status = QLabel("")
        self.status.setObjectName("demo_status")
        self.buttons: dict[str, QPushButton] = {}
        for action, _key in ACTIONS:
            button = QPushButton()
            button.setObjectName(f"demo_{action}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, a=action: self.emulate(a))
            self.buttons[action] = button
        self.hide_button = QPushButton()
        self.hide_button.setObjectName("demo_hide")
        self.hide_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide_button.clicked.connect(self.fold)
        # What the strip is, then what the last action did.
        self.lay_out([*self.buttons.values(), self.hide_button], [self.title, self.status])
        self.show_button = QPushButton()
        self.show_button.setObjectName("demo_show")
        self.show_button.setProperty("layout_overlay", True)
        self.show_button.setProperty(RESERVES, True)
        self.show_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.show_button.clicked.connect(self.unfold)
        self.show_button.hide()
        self.retranslate(DEFAULT_LANG)

    # --- placing -----------------------------------------------------------------------------

    def attach(self, window: QWidget) -> None:
        """Sit in `window`: placed on every resize, unfolded on payment pages."""
        self.show_button.setParent(window)
        super().attach(window)
        # The keys belong to the window, always shown: a hidden (folded) strip's own
        # shortcuts never fire. Application-wide, so no focus inside the window matters.
        for action, key in ACTIONS:
            shortcut = QShortcut(QKeySequence(key), window)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(lambda a=action: self.emulate(a))
        self._fold(by_hand=False, tab=False)

    def on_page_changed(self, _old: Page, new: Page) -> None:
        """Unfold while a payment is on the screen (unless folded by hand); fold otherwise."""
        if new in PAYMENT_PAGES and not self._folded_by_hand:
            self.unfold()
        elif new not in PAYMENT_PAGES:
            self._fold(by_hand=False, tab=False)

    def fold(self) -> None:
        """Hide, by hand: down to the tab for the rest of this payment."""
        self._fold(by_hand=True, tab=True)

    def _fold(self, by_hand: bool, tab: bool) -> None:
        self._folded_by_hand = by_hand
        self.hide()
        self.show_button.setVisible(tab)
        self.show_button.raise_()
        self._place()

    def unfold(self) -> None:
        self.show_button.hide()
        self.show()
        self.raise_()
        self._place()

    def restyle(self, scale: float) -> None:
        super().restyle(scale)
        self.show_button.setStyleSheet(self.styleSheet())

    def _place(self) -> None:
        super()._place()
        window = self.parentWidget()
        if window is None:
            return
        tab = self.show_button.sizeHint()
        if is_landscape(window):
            x, y = window.width() - tab.width(), (window.height() - tab.height()) // 2
        else:
            x, y = 0, window.height() - tab.height()
        self.show_button.setGeometry(x, y, tab.width(), tab.height())
        reserve_room(window)

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

        def done(_result: None, error: BaseException | None) -> None:
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
