"""Parts shared by several screens: the digit keypad, the countdown, the spinner, result icons.

Icons are painted with QPainter rather than taken from a font, so a kiosk whose
system font lacks "⌫" or "✓" still shows them, at any size.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHideEvent,
    QIcon,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QProgressBar,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.gui.kit import tap_guard, theme
from kiosk.i18n import format_countdown


def make_label(role: str, object_name: str = "", wrap: bool = True) -> QLabel:
    """A centred label with a theme role."""
    label = QLabel()
    label.setProperty("role", role)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(wrap)
    if object_name:
        label.setObjectName(object_name)
    return label


def centre_column(
    layout: QLayout, width: int, scale: float, max_width: int = 960, margin: int = 56
) -> None:
    """Margins that keep a screen's column at most `max_width` (at scale 1) wide and centred:
    long sentences stay readable on a wide screen, and fill a narrow one."""
    base = round(margin * scale)
    side = max(base, (width - round(max_width * scale)) // 2)
    layout.setContentsMargins(side, base, side, base)


def backspace_icon(size: int, color: str = theme.MUTED) -> QIcon:
    """The "⌫" key: a left-pointing tag with a cross in it."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor(color), max(2.0, size / 14))
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    s = float(size)
    top, bottom, left, right, tip = s * 0.22, s * 0.78, s * 0.34, s * 0.94, s * 0.06
    outline = QPainterPath()
    outline.moveTo(tip, s / 2)
    outline.lineTo(left, top)
    outline.lineTo(right, top)
    outline.lineTo(right, bottom)
    outline.lineTo(left, bottom)
    outline.closeSubpath()
    painter.drawPath(outline)
    cx, cy, arm = (left + right) / 2 + s * 0.02, s / 2, s * 0.13
    painter.drawLine(QPointF(cx - arm, cy - arm), QPointF(cx + arm, cy + arm))
    painter.drawLine(QPointF(cx - arm, cy + arm), QPointF(cx + arm, cy - arm))
    painter.end()
    return QIcon(pixmap)


class FitLabel(QLabel):
    """A one-line label whose font shrinks (never grows) until its text fits its width.

    The amount "999 999 999 ₸" must never be cut; it reads smaller instead. The
    stylesheet's size for the label's role is the largest (`set_base_px`); the
    label asks its layout for no width at all, so a long text never widens a
    window beyond the panel.
    """

    def __init__(self, role: str, object_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", role)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(False)
        if object_name:
            self.setObjectName(object_name)
        self._base_px = 0
        self._fitted_px = 0

    def set_base_px(self, px: int) -> None:
        """The role's font size at the current scale: the size used whenever the text fits."""
        self._base_px = px
        self._fit()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def minimumSizeHint(self) -> QSize:
        return QSize(1, self._line_height(self._base_px or self.font().pixelSize()))

    def sizeHint(self) -> QSize:
        return QSize(1, self.minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def fitted_px(self) -> int:
        return self._fitted_px or self._base_px

    def _line_height(self, px: int) -> int:
        font = QFont(self.font())
        font.setPixelSize(max(1, px))
        margins = self.contentsMargins()
        # The box the text is drawn in, which can be a pixel or two taller than height().
        box = QRect(0, 0, 1_000_000, 1_000_000)
        needed = QFontMetrics(font).boundingRect(box, int(self.alignment()), self.text() or "0")
        return max(needed.height(), QFontMetrics(font).height()) + margins.top() + margins.bottom()

    def _fit(self) -> None:
        if self._base_px <= 0:
            return
        room = self.contentsRect().width()
        font = QFont(self.font())
        px = self._base_px
        while px > 8:
            font.setPixelSize(px)
            if QFontMetrics(font).horizontalAdvance(self.text()) <= room:
                break
            px -= max(1, px // 20)
        if px != self._fitted_px:
            self._fitted_px = px
            # The widget's own stylesheet wins over the screen's rule for its role.
            self.setStyleSheet(f"font-size: {px}px;")


class FlowLayout(QLayout):
    """Items left to right, wrapping onto centred rows (chips that must never clip)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _arrange(self, rect: QRect, apply: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        gap = max(0, self.spacing())
        rows: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        used = 0
        for item in self._items:
            hint = item.sizeHint()
            if rows[-1] and used + gap + hint.width() > area.width():
                rows.append([])
                used = 0
            used += (gap if rows[-1] else 0) + hint.width()
            rows[-1].append((item, hint))
        y = area.y()
        for row in rows:
            if not row:
                continue
            width = sum(h.width() for _, h in row) + gap * (len(row) - 1)
            height = max(h.height() for _, h in row)
            x = area.x() + max(0, (area.width() - width) // 2)
            for item, hint in row:
                if apply:
                    item.setGeometry(QRect(QPoint(x, y + (height - hint.height()) // 2), hint))
                x += hint.width() + gap
            y += height + gap
        return max(0, y - gap - area.y()) + m.top() + m.bottom()


class Keypad(QWidget):
    """A 3x4 keypad: 1-9, then the caller's left button, 0 and the caller's right button.

    Digit buttons are named `{prefix}_0` .. `{prefix}_9` for tests.

    Signals:
        digit_pressed(str): one of "0".."9".
    """

    digit_pressed = Signal(str)

    def __init__(
        self, prefix: str, left: QWidget, right: QWidget, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.buttons: dict[str, theme.BigButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(14)
        for index, digit in enumerate("1234567890"):
            button = theme.BigButton(digit, "key", f"{prefix}_{digit}")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.clicked.connect(lambda _=False, d=digit: self.digit_pressed.emit(d))
            tap_guard.free(button)  # digits move no money: never held back after a page change
            self.buttons[digit] = button
            row, col = (index // 3, index % 3) if digit != "0" else (3, 1)
            grid.addWidget(button, row, col)
        for widget, col in ((left, 0), (right, 2)):
            widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            grid.addWidget(widget, 3, col)
        for row in range(4):
            grid.setRowStretch(row, 1)
        for col in range(3):
            grid.setColumnStretch(col, 1)

    def set_spacing(self, px: int) -> None:
        layout = self.layout()
        if isinstance(layout, QGridLayout):
            layout.setSpacing(px)


class Countdown(QWidget):
    """A caption, the time left as "2:45" and a bar that empties with it."""

    _STEPS = 1000

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel()
        self.caption.setProperty("role", "hint")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.time = QLabel("0:00")
        self.time.setObjectName("countdown")
        self.time.setProperty("role", "countdown")
        self.time.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bar = QProgressBar()
        self.bar.setObjectName("countdown_bar")
        self.bar.setRange(0, self._STEPS)
        self.bar.setTextVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.caption)
        layout.addWidget(self.time)
        layout.addWidget(self.bar)

    def set_seconds_left(self, seconds: float, total: float) -> None:
        self.time.setText(format_countdown(seconds))
        fraction = seconds / total if total > 0 and math.isfinite(seconds) else 0.0
        self.bar.setValue(round(max(0.0, min(1.0, fraction)) * self._STEPS))

    def text(self) -> str:
        return self.time.text()


class Spinner(QWidget):
    """A ring of dots turning while shown; purely cosmetic, it stops when hidden."""

    _DOTS = 10

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._step = 0
        self._timer = QTimer(self)
        self._timer.setInterval(90)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.set_diameter(160)

    def set_diameter(self, px: int) -> None:
        self.setFixedSize(QSize(px, px))

    def is_spinning(self) -> bool:
        return self._timer.isActive()

    def showEvent(self, event: QShowEvent) -> None:
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def _on_timer_timeout(self) -> None:
        self._step = (self._step + 1) % self._DOTS
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        side = min(self.width(), self.height())
        dot = side / 7
        radius = side / 2 - dot
        center = QPointF(self.width() / 2, self.height() / 2)
        for i in range(self._DOTS):
            age = (self._step - i) % self._DOTS  # 0: the head of the trail
            color = QColor(theme.KASPI_RED)
            color.setAlphaF(max(0.15, 1.0 - age / self._DOTS))
            painter.setBrush(color)
            angle = 2 * math.pi * i / self._DOTS - math.pi / 2
            pos = QPointF(
                center.x() + radius * math.cos(angle), center.y() + radius * math.sin(angle)
            )
            size = dot * (1.0 if age == 0 else 0.8)
            painter.drawEllipse(pos, size / 2 * 1.2, size / 2 * 1.2)
        painter.end()


class StatusIcon(QWidget):
    """A big filled circle with a check ("success"), a cross ("error") or "!" ("warning")."""

    KINDS = ("success", "error", "warning")

    def __init__(self, kind: str = "success", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = kind
        self.set_diameter(200)

    @property
    def kind(self) -> str:
        return self._kind

    def set_kind(self, kind: str) -> None:
        if kind not in self.KINDS:
            raise ValueError(f"unknown icon kind {kind!r}")
        self._kind = kind
        self.update()

    def set_diameter(self, px: int) -> None:
        self.setFixedSize(QSize(px, px))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = float(min(self.width(), self.height()))
        rect = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        fill = {"success": theme.SUCCESS, "error": theme.KASPI_RED}.get(self._kind, theme.WARNING)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(fill))
        painter.drawEllipse(rect)
        pen = QPen(QColor(theme.CARD), side * 0.09)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        x, y = rect.x(), rect.y()

        def at(fx: float, fy: float) -> QPointF:
            return QPointF(x + side * fx, y + side * fy)

        if self._kind == "success":
            check = QPainterPath(at(0.28, 0.52))
            check.lineTo(at(0.44, 0.67))
            check.lineTo(at(0.73, 0.36))
            painter.drawPath(check)
        elif self._kind == "error":
            painter.drawLine(at(0.33, 0.33), at(0.67, 0.67))
            painter.drawLine(at(0.33, 0.67), at(0.67, 0.33))
        else:
            painter.drawLine(at(0.5, 0.26), at(0.5, 0.56))
            painter.setBrush(QColor(theme.CARD))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(at(0.5, 0.72), side * 0.055, side * 0.055)
        painter.end()
