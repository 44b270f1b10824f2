"""The start screen: the customer types an amount in whole tenge and presses Pay.

Digits come from the on-screen keypad or a hardware keyboard (digits,
Backspace, Delete/Escape to clear, Enter to pay). Pay is enabled only inside
the configured range, and the hint turns red to say why when it is not. While
the kiosk starts, digits can be typed but Pay waits, saying it connects to the bank.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.gui.kit import theme
from kiosk.gui.kit.widgets import FitLabel, Keypad, backspace_icon
from kiosk.i18n import DEFAULT_LANG, LANG_NAMES, LANGS, format_amount, tr

#: Whole tenge only; never more digits than the configured maximum has.
MAX_DIGITS = 9


def digits_allowed(max_amount: Decimal) -> int:
    """How many digits the keypad takes: as many as the maximum has (500 000 -> 6), at most 9."""
    return max(1, min(MAX_DIGITS, len(str(int(max_amount)))))


_CLEAR_KEYS = frozenset({Qt.Key.Key_Delete, Qt.Key.Key_Escape, Qt.Key.Key_C})
_PAY_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})


class AmountScreen(theme.Screen):
    """Amount entry with a keypad, the allowed range, a notice line and the Pay button.

    Signals:
        pay_requested(object): the amount as a Decimal, when Pay (or Enter) is pressed in range.
        activity(): any touch or key, for the idle timer.
        language_changed(str): the customer chose "ru", "kk" or "en" (the screen has
            already switched itself; the controller switches the others).
    """

    pay_requested = Signal(object)
    language_changed = Signal(str)

    def __init__(
        self, min_amount: Decimal, max_amount: Decimal, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("amount_screen")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._min = Decimal(min_amount)
        self._max = Decimal(max_amount)
        self._digits = ""
        self._message: str | None = None
        self._waiting = False

        self.brand = QLabel()
        self.brand.setProperty("role", "brand")
        self._lang_group = QButtonGroup(self)
        self._lang_group.setExclusive(True)
        self.lang_buttons: dict[str, theme.BigButton] = {}
        lang_row = QHBoxLayout()
        lang_row.setSpacing(8)
        for lang in LANGS:
            button = theme.BigButton(LANG_NAMES[lang], "lang", f"lang_{lang}")
            button.setCheckable(True)
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, code=lang: self._on_lang_clicked(code))
            self._lang_group.addButton(button)
            self.lang_buttons[lang] = button
            lang_row.addWidget(button)
        header = QHBoxLayout()
        header.addWidget(self.brand, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addStretch(1)
        header.addLayout(lang_row)

        self.title = QLabel()
        self.title.setObjectName("amount_title")
        self.title.setProperty("role", "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)

        self.display = FitLabel("display_empty", "amount_display")
        self.hint = QLabel()
        self.hint.setObjectName("amount_hint")
        self.hint.setProperty("role", "hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.card = QFrame()
        self.card.setProperty("role", "card")
        card_layout = QVBoxLayout(self.card)
        card_layout.addWidget(self.display)
        card_layout.addWidget(self.hint)

        self.notice = QLabel()
        self.notice.setObjectName("amount_message")
        self.notice.setProperty("role", "notice")
        self.notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notice.setWordWrap(True)
        self.notice.hide()

        self.clear_button = theme.BigButton("C", "key_fn", "key_clear")
        self.clear_button.clicked.connect(self.clear)
        self.back_button = theme.BigButton("", "key_fn", "key_back")
        self.back_button.clicked.connect(self.backspace)
        self.keypad = Keypad("key", self.clear_button, self.back_button)
        self.keypad.digit_pressed.connect(self.press_digit)

        self.pay_button = theme.BigButton("", "primary", "pay_button")
        self.pay_button.clicked.connect(self._on_pay_clicked)

        self._info = QVBoxLayout()
        self._info.addLayout(header)
        self._info.addStretch(1)
        self._info.addWidget(self.title)
        self._info.addWidget(self.card)
        self._info.addWidget(self.notice)
        self._info.addStretch(1)
        self._pad = QVBoxLayout()
        self._pad.addWidget(self.keypad, 1)
        self._pad.addWidget(self.pay_button)
        self._root = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._root.addLayout(self._info, 1)
        self._root.addLayout(self._pad, 1)

        self.on_scale_changed(self.scale)
        self.retranslate(DEFAULT_LANG)
        self.watch_activity()

    # --- what the controller calls --------------------------------------------------------------

    def amount(self) -> Decimal:
        """The amount typed so far, in tenge (0 when nothing is typed)."""
        return Decimal(int(self._digits or "0"))

    def reset(self) -> None:
        """Ready for the next customer: no amount, no notice, the default language.

        Emits language_changed when the language was not the default, so the other
        screens follow.
        """
        self._digits = ""
        self._message = None
        changed = self.lang != DEFAULT_LANG
        self.retranslate(DEFAULT_LANG)
        if changed:
            self.language_changed.emit(DEFAULT_LANG)

    def on_enter(self) -> None:
        self.reset()

    def set_message(self, text: str | None) -> None:
        """A red notice above the keypad (e.g. "Service temporarily unavailable"); None hides it."""
        self._message = text or None
        self._refresh()

    def set_waiting(self, waiting: bool) -> None:
        """The kiosk is not ready to sell yet: Pay is off and the screen says why."""
        self._waiting = waiting
        self._refresh()

    def set_range(self, min_amount: Decimal, max_amount: Decimal) -> None:
        self._min, self._max = Decimal(min_amount), Decimal(max_amount)
        self._refresh()

    def can_pay(self) -> bool:
        return not self._waiting and bool(self._digits) and self._min <= self.amount() <= self._max

    # --- input ---------------------------------------------------------------------------------

    def press_digit(self, digit: str) -> None:
        if len(digit) != 1 or not digit.isdigit():
            return
        if not self._digits and digit == "0":
            return  # leading zeros say nothing
        if len(self._digits) >= digits_allowed(self._max):
            return
        self._digits += digit
        self._refresh()

    def backspace(self) -> None:
        self._digits = self._digits[:-1]
        self._refresh()

    def clear(self) -> None:
        self._digits = ""
        self._refresh()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        text = event.text()
        if text and text.isdigit() and text.isascii():
            self.press_digit(text)
        elif key == Qt.Key.Key_Backspace:
            self.backspace()
        elif key in _CLEAR_KEYS:
            self.clear()
        elif key in _PAY_KEYS:
            self._on_pay_clicked()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _on_pay_clicked(self) -> None:
        if self.can_pay():
            self.pay_requested.emit(self.amount())

    def _on_lang_clicked(self, lang: str) -> None:
        if lang == self.lang:
            return
        self.retranslate(lang)
        self.language_changed.emit(lang)

    # --- look ------------------------------------------------------------------------------------

    def retranslate(self, lang: str) -> None:
        super().retranslate(lang)
        button = self.lang_buttons.get(lang)
        if button is not None:
            button.setChecked(True)
        self.brand.setText(tr("brand", lang))
        self.title.setText(tr("amount.title", lang))
        self._refresh()

    def _refresh(self) -> None:
        lang = self.lang
        amount = self.amount()
        self.display.setText(format_amount(amount, lang))
        theme.set_role(self.display, "display" if self._digits else "display_empty")
        low = format_amount(self._min, lang, sign=False)
        high = format_amount(self._max, lang)
        # The range always; red when the amount is outside it (Pay then says which way).
        outside = bool(self._digits) and not self._min <= amount <= self._max
        self.hint.setText(tr("amount.range", lang, min=low, max=high))
        theme.set_role(self.hint, "hint_error" if outside else "hint")
        notice = tr("amount.connecting", lang) if self._waiting else self._message
        self.notice.setText(notice or "")
        self.notice.setVisible(bool(notice))
        theme.set_role(self.notice, "hint" if self._waiting else "notice")
        ok = self.can_pay()
        self.pay_button.setEnabled(ok)
        # A disabled Pay says why, on itself: that is where the customer looks.
        if ok:
            pay = tr("amount.pay_sum", lang, amount=format_amount(amount, lang))
        elif not self._digits:
            pay = tr("amount.pay_needs_amount", lang)
        elif amount < self._min:
            pay = tr("amount.pay_too_small", lang, min=format_amount(self._min, lang))
        else:
            pay = tr("amount.pay_too_large", lang, max=high)
        self.pay_button.setText(pay)

    def on_scale_changed(self, scale: float) -> None:
        self.display.set_base_px(theme.font_px("display", scale))
        margin = round(40 * scale)
        spacing = round(24 * scale)
        self._root.setContentsMargins(margin, margin, margin, margin)
        self._root.setSpacing(round(48 * scale))
        self._info.setSpacing(spacing)
        self._pad.setSpacing(spacing)
        self.keypad.set_spacing(round(16 * scale))
        icon = round(64 * scale)
        self.back_button.setIcon(backspace_icon(icon * 2))
        self.back_button.setIconSize(QSize(icon, icon))
        height = theme.touch_px(scale, 96)
        for button in self.lang_buttons.values():
            button.setFixedSize(QSize(round(150 * scale), height))
        self.pay_button.setMinimumHeight(theme.touch_px(scale, 140))

    def on_orientation_changed(self, portrait: bool) -> None:
        self._root.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        self._root.setStretch(0, 2 if portrait else 1)
        self._root.setStretch(1, 3 if portrait else 1)
