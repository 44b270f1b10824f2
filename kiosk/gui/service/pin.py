"""Service mode's PIN pad: dots, a keypad, the tries left and the lock-out countdown.

The rules (tries, lock-out) live in kiosk.operator.access.PinLock, owned by the kiosk for
its whole life; this page only renders what the lock answers, so leaving and
re-opening service mode does not end a lock-out.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt, QTimer, QVariantAnimation, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QSizePolicy, QSpacerItem, QVBoxLayout, QWidget

from kiosk.gui.kit import theme
from kiosk.gui.kit.widgets import Keypad, backspace_icon, make_label
from kiosk.i18n import tr
from kiosk.operator.access import MAX_PIN_DIGITS, MIN_PIN_DIGITS, PinLock, PinVerdict


class PinDots(QWidget):
    """One dot per digit typed (at least four places), shaken sideways after a wrong PIN."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.count = 0
        self._offset = 0.0
        self._shake = QVariantAnimation(self)
        self._shake.setStartValue(0.0)
        self._shake.setEndValue(1.0)
        self._shake.setDuration(420)
        self._shake.valueChanged.connect(self._on_shake_value_changed)
        self.setMinimumHeight(60)

    def set_count(self, count: int) -> None:
        self.count = count
        self.update()

    def shake(self) -> None:
        self._shake.stop()
        self._shake.start()

    def _on_shake_value_changed(self, value: object) -> None:
        t = float(value) if isinstance(value, (int, float)) else 1.0
        self._offset = math.sin(t * math.pi * 6) * (1.0 - t) * self.height() * 0.5
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        places = max(4, self.count)
        size = self.height() * 0.42
        gap = size * 0.9
        width = places * size + (places - 1) * gap
        x = (self.width() - width) / 2 + self._offset
        y = (self.height() - size) / 2
        # An empty place is a ring in the muted text colour (4.6:1 on the page; the border
        # colour was 1.2:1, under WCAG's 3:1 for what must be seen), thick enough to stay so.
        ring = QPen(QColor(theme.MUTED), max(2.0, size * 0.08))
        for i in range(places):
            filled = i < self.count
            painter.setPen(QColor(theme.TEXT) if filled else ring)
            painter.setBrush(QColor(theme.TEXT) if filled else Qt.BrushStyle.NoBrush)
            painter.drawEllipse(round(x), round(y), round(size), round(size))
            x += size + gap
        painter.end()


class PinPage(QWidget):
    """Object names for tests: pin_0..pin_9, pin_back, pin_ok, pin_exit, pin_message.

    Signals:
        unlocked(): the right PIN was entered.
        exit_requested(): the operator pressed Exit.
    """

    unlocked = Signal()
    exit_requested = Signal()

    def __init__(self, lock: PinLock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lock = lock
        self._entry = ""
        self._message: tuple[str, dict[str, object]] | None = None
        self.lang = "ru"
        self.title = make_label("title")
        self.prompt = make_label("hint")
        self.dots = PinDots()
        self.dots.setObjectName("pin_dots")
        self.message = make_label("hint_error", "pin_message")
        self.back = theme.BigButton("", "key_fn", "pin_back")
        self.back.clicked.connect(self.backspace)
        self.ok = theme.BigButton("OK", "primary", "pin_ok")
        self.ok.clicked.connect(self.submit)
        self.pad = Keypad("pin", self.back, self.ok)
        self.pad.digit_pressed.connect(self.press_digit)
        self.exit = theme.BigButton("", "", "pin_exit")
        self.exit.clicked.connect(self.exit_requested)
        # Portrait: the texts, the pad, Exit, top to bottom. Landscape: the texts and Exit on
        # the left, the pad on the right, so its keys get the height a wide panel lacks.
        self._info = QVBoxLayout()
        self._info.setContentsMargins(0, 0, 0, 0)
        for widget in (self.title, self.prompt, self.dots, self.message):
            self._info.addWidget(widget)
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.box.addLayout(self._info)
        self.box.addWidget(self.pad, 1)
        self.box.addWidget(self.exit)
        self._landscape = False
        self._gap: QSpacerItem | None = None
        self._lock_timer = QTimer(self)
        self._lock_timer.setInterval(500)
        self._lock_timer.timeout.connect(self._on_lock_timer_timeout)

    def clear(self) -> None:
        self._entry = ""
        self.dots.set_count(0)
        self.refresh()

    def press_digit(self, digit: str) -> None:
        if self._lock.is_locked() or len(self._entry) >= MAX_PIN_DIGITS:
            self.refresh()
            return
        if len(digit) == 1 and digit.isdigit():
            self._entry += digit
            self.dots.set_count(len(self._entry))

    def backspace(self) -> None:
        self._entry = self._entry[:-1]
        self.dots.set_count(len(self._entry))

    def submit(self) -> None:
        if self._lock.is_locked():
            self.refresh()
            return
        if not self._entry:
            return  # nothing typed: not a wrong try
        entry, self._entry = self._entry, ""
        self.dots.set_count(0)
        answer = self._lock.check(entry)
        if answer.verdict is PinVerdict.OPEN:
            self._message = None
            self.refresh()
            self.unlocked.emit()
            return
        if answer.verdict is PinVerdict.WRONG:
            self._message = ("service.wrong_pin", {"n": answer.tries_left})
        if answer.verdict is PinVerdict.SHORT:
            self._message = ("service.short_pin", {"n": MIN_PIN_DIGITS})
        self.dots.shake()
        self.refresh()

    def refresh(self) -> None:
        """Show the lock's state: the countdown while locked out, else the last message."""
        locked = self._lock.is_locked()
        if locked:
            self._message = None
            self.message.setText(
                tr("service.locked", self.lang, n=self._lock.locked_seconds_shown())
            )
            self._lock_timer.start()
        elif self._message is not None:
            message_id, values = self._message
            self.message.setText(tr(message_id, self.lang, **values))
        else:
            self.message.setText("")
        for button in [*self.pad.buttons.values(), self.ok, self.back]:
            button.setEnabled(not locked)

    def _on_lock_timer_timeout(self) -> None:
        if not self._lock.is_locked():
            self._lock_timer.stop()
        self.refresh()

    def handle_key(self, event: QKeyEvent) -> bool:
        """A hardware key while the pad shows; False when it is not the pad's."""
        text = event.text()
        if text and text.isdigit() and text.isascii():
            self.press_digit(text)
        elif event.key() == Qt.Key.Key_Backspace:
            self.backspace()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
        else:
            return False
        return True

    def retranslate(self, lang: str) -> None:
        self.lang = lang
        self.title.setText(tr("service.title", lang))
        self.prompt.setText(tr("service.enter_pin", lang))
        self.ok.setText(tr("service.ok", lang))
        self.exit.setText(tr("service.exit", lang))
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.arrange(event.size().width() > event.size().height() * 1.2)
        super().resizeEvent(event)

    def arrange(self, landscape: bool) -> None:
        """Side by side on a wide page, stacked on a tall one."""
        if landscape == self._landscape:
            return
        self._landscape = landscape
        self.box.removeWidget(self.exit)
        self._info.removeWidget(self.exit)
        if self._gap is not None:
            self._info.removeItem(self._gap)
            self._gap = None
        if landscape:
            self._gap = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)
            self._info.addItem(self._gap)
            self._info.addWidget(self.exit)
            self.box.setDirection(QBoxLayout.Direction.LeftToRight)
        else:
            self.box.addWidget(self.exit)
            self.box.setDirection(QBoxLayout.Direction.TopToBottom)

    def on_scale_changed(self, scale: float) -> None:
        self._info.setSpacing(round(20 * scale))
        self.box.setSpacing(round(20 * scale))
        self.pad.set_spacing(round(14 * scale))
        self.dots.setMinimumHeight(round(70 * scale))
        # Room for the message from the start, so the pad does not jump when it appears.
        self.message.setMinimumHeight(round(theme.font_px("hint", scale) * 1.5))
        icon = round(56 * scale)
        self.back.setIcon(backspace_icon(icon * 2))
        self.back.setIconSize(QSize(icon, icon))
