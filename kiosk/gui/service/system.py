"""The system tab: closing the register's shift (with fiscal receipts on) and closing the
kiosk program, each behind a confirmation.

It lives on a tab of its own, far from "leave service mode" (on the screen's top
bar): an operator who means to go back to selling never closes the kiosk by a
slip of the finger.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.gui.kit import theme
from kiosk.gui.service.parts import ConfirmPanel, DeskSource, Runner, ServicePage
from kiosk.i18n import tr
from kiosk.operator.desk import OperatorDesk


class SystemPage(ServicePage):
    """Object names: system_zreport, system_quit, system_confirm (system_yes / system_no),
    system_page_message.

    Signals:
        quit_requested(): the operator confirmed closing the kiosk.
    """

    quit_requested = Signal()

    def __init__(self, run: Runner, desk: DeskSource, parent: QWidget | None = None) -> None:
        super().__init__(run, desk, parent)
        self.setObjectName("system_page")
        self.message.setObjectName("system_page_message")
        self.confirm = ConfirmPanel("system")
        self.zreport_button = theme.BigButton("", "", "system_zreport")
        self.zreport_button.clicked.connect(self._on_zreport_clicked)
        self.zreport_button.hide()  # shown when receipts go to an online register
        self.quit_button = theme.BigButton("", "danger", "system_quit")
        self.quit_button.clicked.connect(self._on_quit_clicked)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.message)
        box.addStretch(1)
        box.addWidget(self.confirm)
        box.addWidget(self.zreport_button)
        box.addWidget(self.quit_button)

    def _on_zreport_clicked(self) -> None:
        self.confirm.ask(
            tr("service.system.confirm_zreport", self.lang), self.close_shift, self.lang
        )

    def close_shift(self) -> None:
        self.ask(lambda desk: desk.close_shift(), self._on_shift_closed)

    def _on_shift_closed(self, report: object) -> None:
        if isinstance(report, dict) and report:
            shift, count = report.get("ShiftNumber"), report.get("DocumentCount")
            self.say(tr("service.system.zreport_done", self.lang, shift=shift, count=count))
        else:
            self.say(tr("service.system.zreport_nothing", self.lang))

    def _on_quit_clicked(self) -> None:
        self.confirm.ask(
            tr("service.system.confirm_quit", self.lang), self.quit_requested.emit, self.lang
        )

    def reset(self) -> None:
        super().reset()
        self.confirm.hide()
        desk: OperatorDesk | None = self._desk()
        self.zreport_button.setVisible(desk is not None and desk.config.fiscal.enabled)

    def retranslate(self, lang: str) -> None:
        super().retranslate(lang)
        self.zreport_button.setText(tr("service.system.zreport", lang))
        self.quit_button.setText(tr("service.system.quit", lang))
