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
from kiosk.kaspi.bankclock import SKEW_WARNING_SECONDS
from kiosk.operator.certificate import CertState
from kiosk.operator.desk import OperatorDesk
from kiosk.operator.status import BankReach, KioskStatus

_DRAG = QScroller.ScrollerGestureType.LeftMouseButtonGesture


def bank_line(bank: BankReach, lang: str) -> str:
    reach = {
        True: "service.status.reachable",
        False: "service.status.unreachable",
        None: "service.status.not_checked",
    }[bank.reachable]
    parts = [tr(reach, lang)]
    if bank.last_check is not None:
        when = bank.last_check.astimezone().strftime("%H:%M:%S")
        parts.append(tr("service.status.last_ping", lang, time=when))
    if bank.latency_ms is not None:
        parts.append(tr("service.status.latency", lang, ms=f"{bank.latency_ms:.0f}"))
    return " · ".join(parts)


def clock_line(status: KioskStatus, lang: str) -> str:
    """The kiosk's clock against the bank's: in step, or how far ahead or behind."""
    skew = status.clock_skew_seconds or 0.0
    if abs(skew) < SKEW_WARNING_SECONDS:
        return tr("service.status.clock_ok", lang)
    key = "service.status.clock_ahead" if skew > 0 else "service.status.clock_behind"
    return tr(key, lang, s=f"{abs(skew):.0f}")


def status_rows(status: KioskStatus, lang: str) -> list[tuple[str, str, str]]:
    """(name, caption, value) for every line of the status tab, in the operator's language."""
    rows = [
        ("bank", tr("service.status.bank", lang), bank_line(status.bank, lang)),
        ("scheme", tr("service.status.scheme", lang), tr(f"service.scheme.{status.scheme}", lang)),
        (
            "device",
            tr("service.status.device", lang),
            tr(
                "service.status.device_value",
                lang,
                device=status.device_id,
                point=status.trade_point_id,
            ),
        ),
        (
            "registered",
            tr("service.status.registered", lang),
            tr("service.yes" if status.registered else "service.no", lang),
        ),
    ]
    if status.totals is not None:
        t = status.totals
        rows += [
            (
                "sales_today",
                tr("service.status.today_sales", lang),
                tr(
                    "service.status.count_sum",
                    lang,
                    count=t.sales_count,
                    sum=format_amount(t.sales_sum, lang),
                ),
            ),
            (
                "refunds_today",
                tr("service.status.today_refunds", lang),
                tr(
                    "service.status.count_sum",
                    lang,
                    count=t.refunds_count,
                    sum=format_amount(t.refunds_sum, lang),
                ),
            ),
        ]
    if status.attention is not None:
        rows.append(("attention", tr("service.status.attention", lang), str(status.attention)))
    cert = status.certificate
    if cert.state is not CertState.NONE:
        line = cert.sentence(lang) or tr("service.cert.fine", lang)
        if cert.state is CertState.OK and cert.days_left is not None:
            line += f" · {tr('service.cert.days_left', lang)}: {cert.days_left}"
        rows.append(("certificate", tr("service.status.certificate", lang), line))
    if status.clock_skew_seconds is not None:
        rows.append(("clock", tr("service.status.clock", lang), clock_line(status, lang)))
    journal = status.journal_problem or tr("service.status.journal_ok", lang)
    rows.append(("journal", tr("service.status.journal", lang), journal))
    rows.append(("version", tr("service.status.version", lang), status.version))
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
        scroll.setProperty("layout_scrolls", True)  # rows below the fold: drag to see them
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
            self.say(tr("service.status.check_ok", self.lang, ms=f"{ms:.0f}"))

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
        self.check_button.setText(tr("service.status.check", lang))
        self._render()
