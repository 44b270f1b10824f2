"""The system tab: closing the kiosk program, behind a confirmation.

It lives on a tab of its own, far from "leave service mode" (on the screen's top
bar): an operator who means to go back to selling never closes the kiosk by a
slip of the finger.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.gui.kit import theme
from kiosk.gui.service.parts import ConfirmPanel
from kiosk.i18n import tr


class SystemPage(QWidget):
    """Object names: system_quit, system_confirm (system_yes / system_no).

    Signals:
        quit_requested(): the operator confirmed closing the kiosk.
    """

    quit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("system_page")
        self.lang = "ru"
        self.confirm = ConfirmPanel("system")
        self.quit_button = theme.BigButton("", "danger", "system_quit")
        self.quit_button.clicked.connect(self._on_quit_clicked)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addStretch(1)
        box.addWidget(self.confirm)
        box.addWidget(self.quit_button)

    def _on_quit_clicked(self) -> None:
        self.confirm.ask(
            tr("svc.system.confirm_quit", self.lang), self.quit_requested.emit, self.lang
        )

    def reset(self) -> None:
        self.confirm.hide()

    def retranslate(self, lang: str) -> None:
        self.lang = lang
        self.quit_button.setText(tr("svc.system.quit", lang))
