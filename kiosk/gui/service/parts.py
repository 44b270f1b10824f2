"""Touch parts the operator's pages share: a list of big choices, an inline confirmation,
an amount or number typed on the on-screen keypad, and the page base with its worker.

No keyboard anywhere: digits come from the keypad, choices from buttons. No
modal dialog either (a kiosk has nobody to find a window behind another): a
confirmation is a panel in the page with the question and two big buttons.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QBoxLayout,
    QFrame,
    QLabel,
    QScrollArea,
    QScroller,
    QScrollerProperties,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.gui.kit import theme
from kiosk.gui.kit.widgets import Keypad, backspace_icon, make_label
from kiosk.i18n import DEFAULT_LANG, tr
from kiosk.operator.desk import OperatorDesk
from kiosk.operator.errors import explain

T = TypeVar("T")
_DRAG = QScroller.ScrollerGestureType.LeftMouseButtonGesture
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class Runner(Protocol):
    """Runs a job off the GUI thread; `on_done(result, error)` comes back on it."""

    def __call__(
        self, job: Callable[[], T], on_done: Callable[[T | None, BaseException | None], None]
    ) -> None: ...


class DeskSource(Protocol):
    """The operator's desk of the running kiosk (a new one after a config reload)."""

    def __call__(self) -> OperatorDesk | None: ...


class ServicePage(QWidget):
    """Base of a service tab: a language, a runner whose late answers are dropped, a message.

    `ask(job, on_done)` runs `job(desk)` on the service worker; an answer that
    comes back after `reset()` (the page was left, service mode locked) or after
    a newer ask is dropped, so a slow bank never paints over what the operator
    is looking at now.
    """

    def __init__(self, run: Runner, desk: DeskSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._run = run
        self._desk = desk
        self._ticket = 0
        self.lang = DEFAULT_LANG
        self.message = make_label("hint", f"{self.objectName() or 'page'}_message")
        self.message.setAlignment(_LEFT)

    def ask(self, job: Callable[[OperatorDesk], T], on_done: Callable[[T], None]) -> None:
        self._ticket += 1
        ticket = self._ticket
        desk = self._desk()
        if desk is None:
            self.say(tr("svc.not_ready", self.lang), error=True)
            return
        self.say(tr("svc.working", self.lang))

        # The answer comes boxed: the runner's None means "no answer", the job's own None
        # (a desk call that returns nothing) stays in the box.
        def done(boxed: tuple[T] | None, error: BaseException | None) -> None:
            if ticket != self._ticket:
                return
            if error is not None:
                self.show_error(error)
                return
            assert boxed is not None  # the job returned
            self.say("")
            on_done(boxed[0])

        self._run(lambda: (job(desk),), done)

    def reset(self) -> None:
        """Forget answers on their way and go back to the page's first step."""
        self._ticket += 1
        self.say("")

    def say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        theme.set_role(self.message, "hint_error" if error else "hint")

    def show_error(self, error: BaseException) -> None:
        self.say(explain(error, self.lang), error=True)
        self.on_error(error)

    def on_error(self, error: BaseException) -> None:
        """A page may re-enable its buttons here."""

    def retranslate(self, lang: str) -> None:
        self.lang = lang


def drag_to_scroll(viewport: QWidget) -> None:
    """Touch scrolling by dragging, with the touch reaching a button at once (Qt's default
    holds every press back a quarter of a second to see whether a drag follows)."""
    QScroller.grabGesture(viewport, _DRAG)
    scroller = QScroller.scroller(viewport)
    props = scroller.scrollerProperties()
    props.setScrollMetric(QScrollerProperties.ScrollMetric.MousePressEventDelay, 0.0)
    scroller.setScrollerProperties(props)
    scroller.stateChanged.connect(lambda state: _let_go_once_dragging(viewport, state))


def _let_go_once_dragging(viewport: QWidget, state: QScroller.State) -> None:
    """The press that began a drag reached a button at once and never gets its release: the
    button would stay drawn pressed (grey, like a disabled one) after the finger lifts."""
    if state is QScroller.State.Dragging:
        for button in viewport.findChildren(QAbstractButton):
            if button.isDown():
                button.setDown(False)


class ChoiceList(QScrollArea):
    """Big buttons in a column that scrolls by dragging; `chosen(key)` when one is touched.

    Buttons are named `{prefix}_{key}` for tests.

    Signals:
        chosen(object): the key of the touched choice.
    """

    chosen = Signal(object)

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._prefix = prefix
        self.setObjectName(f"{prefix}_list")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._inner = QWidget()
        self._box = QVBoxLayout(self._inner)
        self._box.setContentsMargins(0, 0, 0, 0)
        self.setWidget(self._inner)
        drag_to_scroll(self.viewport())
        self.buttons: dict[object, theme.BigButton] = {}

    def set_items(self, items: Sequence[tuple[object, str]]) -> None:
        while self._box.count():
            item = self._box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                _discard(widget)
        self.buttons = {}
        for key, text in items:
            button = theme.BigButton(text, "", f"{self._prefix}_{key}")
            button.clicked.connect(lambda _=False, k=key: self.chosen.emit(k))
            self.buttons[key] = button
            self._box.addWidget(button)
        self._box.addStretch(1)


class ButtonRow(QWidget):
    """Buttons side by side where their words fit, one above the other where they do not
    (a narrow portrait panel): a label is never cut."""

    def __init__(self, *buttons: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._buttons = buttons
        self._box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._box.setContentsMargins(0, 0, 0, 0)
        for button in buttons:
            self._box.addWidget(button)

    def add(self, button: QWidget) -> None:
        self._buttons = (*self._buttons, button)
        self._box.addWidget(button)

    def resizeEvent(self, event: QResizeEvent) -> None:
        need = sum(b.sizeHint().width() for b in self._buttons if not b.isHidden())
        need += self._box.spacing() * max(0, len(self._buttons) - 1)
        wide = need <= event.size().width()
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self._box.direction() != direction:
            self._box.setDirection(direction)
        super().resizeEvent(event)


class ConfirmPanel(QFrame):
    """A question with Yes / No, shown in place of a dialog; hidden until `ask()`.

    Buttons are named `{prefix}_yes` and `{prefix}_no` for tests.
    """

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "card")
        self.setObjectName(f"{prefix}_confirm")
        self.question = make_label("body", f"{prefix}_question")
        self.yes = theme.BigButton("", "primary", f"{prefix}_yes")
        self.no = theme.BigButton("", "", f"{prefix}_no")
        self._on_yes: Callable[[], None] | None = None
        self.yes.clicked.connect(self._on_yes_clicked)
        self.no.clicked.connect(self.hide)
        box = QVBoxLayout(self)
        box.addWidget(self.question)
        box.addWidget(ButtonRow(self.no, self.yes))
        self.hide()

    def ask(self, question: str, on_yes: Callable[[], None], lang: str) -> None:
        self.question.setText(question)
        self.yes.setText(tr("svc.yes", lang))
        self.no.setText(tr("svc.no", lang))
        self._on_yes = on_yes
        self.show()

    def _on_yes_clicked(self) -> None:
        self.hide()
        if self._on_yes is not None:
            self._on_yes()


class NumberEntry(QWidget):
    """A number typed on the keypad: digits, and a decimal comma when `decimals` is set.

    Keys are named `{prefix}_0`..`{prefix}_9`, `{prefix}_comma` (or the clear key
    `{prefix}_clear` for whole numbers) and `{prefix}_back`.

    Signals:
        changed(str): the text typed so far.
    """

    changed = Signal(str)

    def __init__(
        self, prefix: str, *, decimals: bool, max_digits: int = 12, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._decimals = decimals
        self._max_digits = max_digits
        self._text = ""
        self.display = make_label("amount", f"{prefix}_display")
        left_name, left_text = (f"{prefix}_comma", ",") if decimals else (f"{prefix}_clear", "C")
        self.left = theme.BigButton(left_text, "key_fn", left_name)
        self.left.clicked.connect(self._on_left_clicked)
        self.back = theme.BigButton("", "key_fn", f"{prefix}_back")
        self.back.setIcon(backspace_icon(48))
        self.back.clicked.connect(self._on_back_clicked)
        self.keypad = Keypad(prefix, self.left, self.back)
        self.keypad.digit_pressed.connect(self.press)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.display)
        box.addWidget(self.keypad, 1)
        self.keypad.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self._text = text
        self.display.setText(text.replace(".", ",") or "0")
        self.changed.emit(self._text)

    def press(self, digit: str) -> None:
        whole, _, tiyn = self._text.partition(".")
        if "." in self._text:
            if len(tiyn) >= 2:
                return
        elif len(whole) >= self._max_digits or (whole == "0" and digit == "0"):
            return
        text = self._text + digit
        if text.startswith("0") and not text.startswith("0."):
            text = text.lstrip("0") or "0"
        self.set_text(text)

    def _on_left_clicked(self) -> None:
        if not self._decimals:
            self.set_text("")
        elif "." not in self._text:
            self.set_text((self._text or "0") + ".")

    def _on_back_clicked(self) -> None:
        self.set_text(self._text[:-1])


def form_row(label: str, value: str, name: str) -> QWidget:
    """A caption over its value (wraps rather than clips on a narrow panel)."""
    row = QWidget()
    box = QVBoxLayout(row)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(2)
    caption = QLabel(label)
    caption.setProperty("role", "small")
    caption.setWordWrap(True)
    shown = QLabel(value)
    shown.setObjectName(name)
    shown.setProperty("role", "body")
    shown.setWordWrap(True)
    box.addWidget(caption)
    box.addWidget(shown)
    return row


def clear_layout(box: QVBoxLayout) -> None:
    while box.count():
        item = box.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            _discard(widget)


def _discard(widget: QWidget) -> None:
    """Out of sight and out of the widget tree at once (deleteLater waits for the loop, and a
    look-up by name must not find yesterday's row)."""
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()
