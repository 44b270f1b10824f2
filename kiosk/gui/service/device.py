"""The device tab: the registration as it is, the trade points to pick from, register and
unregister (each after a confirmation). The config file is written by the operator core;
`config_changed` asks the kiosk to reload it so the new token is used at once."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.gui.kit import theme
from kiosk.gui.kit.widgets import make_label
from kiosk.gui.service.parts import (
    ButtonRow,
    ChoiceList,
    ConfirmPanel,
    DeskSource,
    Runner,
    ServicePage,
)
from kiosk.i18n import tr
from kiosk.kaspi.models import TradePoint
from kiosk.operator import registration


class DevicePage(ServicePage):
    """Object names: device_state, device_points, device_unregister, point_<id>,
    device_confirm (device_yes / device_no), device_message.

    Signals:
        config_changed(): the config file was written; reload it.
    """

    config_changed = Signal()

    def __init__(self, run: Runner, desk: DeskSource, parent: QWidget | None = None) -> None:
        super().__init__(run, desk, parent)
        self.setObjectName("device_page")
        self.message.setObjectName("device_message")
        self.state = make_label("body", "device_state")
        self.points_button = theme.BigButton("", "primary", "device_points")
        self.points_button.clicked.connect(self.load_points)
        self.unregister_button = theme.BigButton("", "danger", "device_unregister")
        self.unregister_button.clicked.connect(self._on_unregister_clicked)
        self.caption = make_label("hint", "device_caption")
        self.points = ChoiceList("point")
        self.points.chosen.connect(self._on_points_chosen)
        self.points.hide()
        self.confirm = ConfirmPanel("device")
        self._points: dict[object, TradePoint] = {}
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.state)
        box.addWidget(self.message)
        box.addWidget(self.confirm)
        box.addWidget(self.caption)
        box.addWidget(self.points, 1)
        box.addWidget(ButtonRow(self.unregister_button, self.points_button))

    # --- steps --------------------------------------------------------------------------------

    def show_state(self) -> None:
        desk = self._desk()
        if desk is None:
            return
        config = desk.config
        values = {"device": config.device.device_id, "point": config.device.trade_point_id}
        key = "svc.device.registered" if config.kaspi.device_token else "svc.device.not_registered"
        self.state.setText(tr(key, self.lang, **values))
        self.unregister_button.setEnabled(bool(config.kaspi.device_token))

    def reset(self) -> None:
        super().reset()
        self.confirm.hide()
        self.points.hide()
        self.caption.setText("")
        self.points_button.setEnabled(True)
        self.show_state()

    def load_points(self) -> None:
        self.confirm.hide()
        self.points_button.setEnabled(False)
        self.ask(lambda desk: desk.trade_points(), self._show_points)

    def _show_points(self, points: object) -> None:
        assert isinstance(points, list)
        self.points_button.setEnabled(True)
        self._points = {p.id: p for p in points}
        self.points.set_items([(p.id, f"{p.id} · {p.name}") for p in points])
        self.points.show()
        key = "svc.device.pick_point" if points else "svc.device.no_points"
        self.caption.setText(tr(key, self.lang))

    def _on_points_chosen(self, key: object) -> None:
        point = self._points.get(key)
        desk = self._desk()
        if point is None or desk is None:
            return
        device = desk.config.device.device_id
        question = tr("svc.device.confirm_register", self.lang, device=device, point=point.name)
        self.confirm.ask(question, lambda: self.register(point.id), self.lang)

    def register(self, trade_point_id: int) -> None:
        self.points.setEnabled(False)

        def done(result: object) -> None:
            assert isinstance(result, registration.Registered)
            self.points.setEnabled(True)
            self.points.hide()
            self.caption.setText("")
            self.say(
                tr(
                    "svc.device.done_register",
                    self.lang,
                    device=result.device_id,
                    point=result.trade_point_id,
                )
            )
            self.config_changed.emit()

        self.ask(lambda desk: desk.register(trade_point_id), done)

    def _on_unregister_clicked(self) -> None:
        desk = self._desk()
        if desk is None:
            return
        device = desk.config.device.device_id
        question = tr("svc.device.confirm_unregister", self.lang, device=device)
        self.confirm.ask(question, self.unregister, self.lang)

    def unregister(self) -> None:
        self.unregister_button.setEnabled(False)

        def done(result: object) -> None:
            assert isinstance(result, registration.Unregistered)
            key = "svc.device.already_gone" if result.already_gone else "svc.device.done_unregister"
            self.say(tr(key, self.lang))
            self.config_changed.emit()

        self.ask(lambda desk: desk.unregister(), done)

    def on_error(self, error: BaseException) -> None:
        self.points.setEnabled(True)
        self.points_button.setEnabled(True)
        self.show_state()

    def retranslate(self, lang: str) -> None:
        super().retranslate(lang)
        self.points_button.setText(tr("svc.device.load_points", lang))
        self.unregister_button.setText(tr("svc.device.unregister", lang))
        self.show_state()
