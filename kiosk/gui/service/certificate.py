"""The certificate tab: subject, issuer, expiry and days left, the warning from 60 days
before expiry, and "reload the config" for a swapped certificate or password (no restart).

The reload is read and checked on the service worker (kiosk.operator.reload); only a
config that passed every check is handed to `apply`, so a bad new file leaves the kiosk
running on the old one and the operator reads which key is wrong.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.gui.kit import theme
from kiosk.gui.kit.widgets import make_label
from kiosk.gui.service.parts import (
    DeskSource,
    Runner,
    ServicePage,
    clear_layout,
    form_row,
)
from kiosk.i18n import tr
from kiosk.operator.certificate import CertificateCheck, CertState
from kiosk.operator.reload import Reloaded


class CertificatePage(ServicePage):
    """Object names: cert_subject, cert_issuer, cert_expiry, cert_days_left, cert_state,
    cert_reload, cert_message."""

    def __init__(
        self,
        run: Runner,
        desk: DeskSource,
        apply: Callable[[Reloaded], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(run, desk, parent)
        self.setObjectName("certificate_page")
        self.message.setObjectName("cert_message")
        self._apply = apply
        self._check: CertificateCheck | None = None
        self.state = make_label("body", "cert_state")
        self.rows = QWidget()
        self._rows = QVBoxLayout(self.rows)
        self._rows.setContentsMargins(0, 0, 0, 0)
        self.reload_hint = make_label("small", "cert_reload_hint")
        self.reload_button = theme.BigButton("", "primary", "cert_reload")
        self.reload_button.clicked.connect(self.reload)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.state)
        box.addWidget(self.rows)
        box.addStretch(1)
        box.addWidget(self.message)
        box.addWidget(self.reload_hint)
        box.addWidget(self.reload_button)

    def load(self) -> None:
        self.ask(lambda desk: desk.certificate(), self._show)

    def _show(self, check: object) -> None:
        assert isinstance(check, CertificateCheck)
        self._check = check
        self._render()

    def _render(self) -> None:
        clear_layout(self._rows)
        check, lang = self._check, self.lang
        if check is None:
            return
        if check.state is CertState.NONE:
            self.state.setText(tr("svc.cert.none", lang))
            return
        self.state.setText(check.sentence(lang) or tr("svc.cert.fine", lang))
        theme.set_role(self.state, "hint_error" if check.sentence(lang) else "body")
        info = check.info
        if info is None:
            return
        for name, caption, value in (
            ("subject", "svc.cert.subject", info.subject),
            ("issuer", "svc.cert.issuer", info.issuer),
            ("expiry", "svc.cert.expiry", f"{info.not_after.astimezone():%Y-%m-%d %H:%M}"),
            ("days_left", "svc.cert.days_left", str(check.days_left)),
        ):
            self._rows.addWidget(form_row(tr(caption, lang), value, f"cert_{name}"))

    def reload(self) -> None:
        self.reload_button.setEnabled(False)

        def done(result: object) -> None:
            assert isinstance(result, Reloaded)
            self.reload_button.setEnabled(True)
            try:
                self._apply(result)
            except Exception as exc:  # noqa: BLE001 (shown to the operator, not raised)
                self.show_error(exc)
                return
            changed = f": {', '.join(result.changed)}" if result.changed else ""
            self._check = result.certificate
            self._render()
            self.say(tr("svc.reload.done", self.lang, changed=changed))

        self.ask(lambda desk: desk.reload(), done)

    def on_error(self, error: BaseException) -> None:
        self.reload_button.setEnabled(True)

    def retranslate(self, lang: str) -> None:
        super().retranslate(lang)
        self.reload_button.setText(tr("svc.reload", lang))
        self.reload_hint.setText(tr("svc.reload.hint", lang))
        self._render()
