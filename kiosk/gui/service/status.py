"""The status tab: bank reachability (last ping, latency), scheme, device and trade point,
today's totals from the journal, the certificate, journal health; a connection check."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtWidgets import QScrollArea, QScroller, QVBoxLayout, QWidget

from kiosk.gui.kit import theme
from kiosk.gui.service.parts import (
    ButtonRow,
    DeskSource,
    Runner,
    ServicePage,
    clear_layout,
    drag_to_scroll,
    form_row,
)
from kiosk.i18n import format_amount, tr
from kiosk.operator.certificate import CertState
from kiosk.operator.desk import OperatorDesk
from kiosk.operator.status import BankReach, KioskStatus

_DRAG = QScroller.ScrollerGestureType.LeftMouseButtonGesture


def bank_line(bank: BankReach, lang: str) -> str:
    reach = {
        True: "svc.status.reachable",
        False: "svc.status.unreachable",
        None: "svc.status.not_checked",
    }[bank.reachable]
    parts = [tr(reach, lang)]
    if bank.last_check is not None:
        when = bank.last_check.astimezone().strftime("%H:%M:%S")
        parts.append(tr("svc.status.last_ping", lang, time=when))
    if bank.latency_ms is not None:
        parts.append(tr("svc.status.latency", lang, ms=f"{bank.latency_ms:.0f}"))
    return " · ".join(parts)


def status_rows(status: KioskStatus, lang: str) -> list[tuple[str, str, str]]:
    """(name, caption, value) for every line of the status tab, in the operator's language."""
    rows = [
        ("bank", tr("svc.status.bank", lang), bank_line(status.bank, lang)),
        ("scheme", tr("svc.status.scheme", lang), tr(f"svc.scheme.{status.scheme}", lang)),
        (
            "device",
            tr("svc.status.device", lang),
            tr(
                "svc.status.device_value",
                lang,
                device=status.device_id,
                point=status.trade_point_id,
            ),
        ),
        (
            "registered",
            tr("svc.status.registered", lang),
            tr("svc.yes" if status.registered else "svc.no", lang),
        ),
    ]
    if status.totals is not None:
        t = status.totals
        rows += [
            (
                "sales_today",
                tr("svc.status.today_sales", lang),
                tr(
                    "svc.status.count_sum",
                    lang,
                    count=t.sales_count,
                    sum=format_amount(t.sales_sum, lang),
                ),
            ),
            (
                "refunds_today",
                tr("svc.status.today_refunds", lang),
                tr(
                    "svc.status.count_sum",
                    lang,
                    count=t.refunds_count,
                    sum=format_amount(t.refunds_sum, lang),
                ),
            ),
        ]
    if status.attention is not None:
        rows.append(("attention", tr("svc.status.attention", lang), str(status.attention)))
    cert = status.certificate
    if cert.state is not CertState.NONE:
        line = cert.sentence(lang) or tr("svc.cert.fine", lang)
        if cert.state is CertState.OK and cert.days_left is not None:
            line += f" · {tr('svc.cert.days_left', lang)}: {cert.days_left}"
        rows.append(("certificate", tr("svc.status.certificate", lang), line))
    journal = status.journal_problem or tr("svc.status.journal_ok", lang)
    rows.append(("journal", tr("svc.status.journal", lang), journal))
    rows.append(("version", tr("svc.status.version", lang), status.version))
    return rows


class StatusPage(ServicePage):
    """Object names: status_<row> for each value, status_refresh, status_check."""

    def __init__(
        self,
        run: Runner,
        desk: DeskSource,
        bank: Callable[[], BankReach],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(run, desk, parent)
        self.setObjectName("status_page")
        self.message.setObjectName("status_message")
        self._bank = bank
        self._status: KioskStatus | None = None
        self._latency: float | None = None
        self.rows = QWidget()
        self._rows_box = QVBoxLayout(self.rows)
        self._rows_box.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.rows)
        drag_to_scroll(scroll.viewport())
        self.refresh_button = theme.BigButton("", "", "status_refresh")
        self.refresh_button.clicked.connect(self.load)
        self.check_button = theme.BigButton("", "primary", "status_check")
        self.check_button.clicked.connect(self.check_connection)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.message)
        box.addWidget(scroll, 1)
        box.addWidget(ButtonRow(self.refresh_button, self.check_button))

    def load(self) -> None:
        reach = self._bank()
        if self._latency is not None and reach.latency_ms is None:
            reach = BankReach(reach.reachable, reach.last_check, self._latency, reach.error)

        def job(desk: OperatorDesk) -> KioskStatus:
            return desk.status(reach, datetime.now(UTC))

        self.ask(job, self._show)

    def check_connection(self) -> None:
        self.check_button.setEnabled(False)

        def done(ms: object) -> None:
            self.check_button.setEnabled(True)
            assert isinstance(ms, float)
            self._latency = ms
            if self._status is not None:
                bank = BankReach(True, datetime.now(UTC), ms)
                self._status = dataclasses.replace(self._status, bank=bank)
                self._render()
            self.say(tr("svc.status.check_ok", self.lang, ms=f"{ms:.0f}"))

        self.ask(lambda desk: desk.ping(), done)

    def on_error(self, error: BaseException) -> None:
        self.check_button.setEnabled(True)

    def _show(self, status: object) -> None:
        assert isinstance(status, KioskStatus)
        self._status = status
        self._render()

    def _render(self) -> None:
        clear_layout(self._rows_box)
        if self._status is None:
            return
        for name, caption, value in status_rows(self._status, self.lang):
            self._rows_box.addWidget(form_row(caption, value, f"status_{name}"))
        self._rows_box.addStretch(1)

    def retranslate(self, lang: str) -> None:
        super().retranslate(lang)
        self.refresh_button.setText(tr("service.refresh", lang))
        self.check_button.setText(tr("svc.status.check", lang))
        self._render()
