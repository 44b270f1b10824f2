"""The kiosk's look: Kaspi red on white and light grey, sizes that follow the window.

One stylesheet, generated for a scale factor: fonts and paddings grow with the
window so text reads from a metre away on a 1080x1920 or 1920x1080 panel, while
touch targets never drop below MIN_TOUCH_PX. Widgets choose their look through a
`role` property (`QLabel[role="title"]`), never through inline styles, so the
whole look changes here. Every screen derives from `Screen`, which re-applies
the stylesheet when its size changes and tells it when the orientation flips.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette, QResizeEvent
from PySide6.QtWidgets import QApplication, QPushButton, QSizePolicy, QStyleFactory, QWidget

from kiosk.gui.kit import fonts
from kiosk.i18n import DEFAULT_LANG

KASPI_RED = "#F14635"
RED_PRESSED = "#C9321F"
RED_SOFT = "#FDECEA"
BACKGROUND = "#F3F4F6"
CARD = "#FFFFFF"
TEXT = "#1B1D21"
MUTED = "#6B6F76"
BORDER = "#DADDE2"
KEY_PRESSED = "#E6E8EC"
DISABLED_BG = "#E3E5E8"
DISABLED_TEXT = "#A3A6AB"
SUCCESS = "#1E9E4A"
WARNING = "#9AA0A6"

#: No button a customer touches is smaller than this, whatever the window size: 12.7 mm
#: at 96 dpi, above the 9 mm a finger needs (tests/helpers/layout.py checks 9 mm). It
#: was 96 px, which alone made five rows of keys taller than an 800x480 panel.
MIN_TOUCH_PX = 48
#: The bundled Inter first (kiosk/gui/kit/fonts.py); the rest only if its files are missing.
FONT_FAMILIES = [fonts.FAMILY, "Segoe UI", "Noto Sans", "DejaVu Sans", "Arial"]

# Sizes at scale 1.0 (a window 1080 px high), in pixels.
_FONT_PX = {
    "small": 24,
    "body": 32,
    "hint": 30,
    "chip": 28,
    "button": 40,
    "key": 58,
    "title": 54,
    "headline": 66,
    "display": 112,
    "amount": 72,
    "countdown": 64,
}


def scale_for(width: int, height: int) -> float:
    """1.0 for a window 1080 px high; grows with the height but is held back by a narrow width.

    Rounded to 0.05 so small resizes do not re-style every widget.
    """
    raw = min(height / 1080, width / 864)
    return round(max(0.45, min(raw, 2.5)) * 20) / 20


def font_px(kind: str, scale: float) -> int:
    return max(12, round(_FONT_PX[kind] * scale))


def touch_px(scale: float, base: int = 112) -> int:
    """A touch target's height: `base` px at scale 1.0, never below MIN_TOUCH_PX."""
    return max(MIN_TOUCH_PX, round(base * scale))


def stylesheet(scale: float) -> str:
    """The whole look for one scale factor."""

    def px(value: float) -> str:
        return f"{max(1, round(value * scale))}px"

    def font(kind: str) -> str:
        return f"{font_px(kind, scale)}px"

    button_h = touch_px(scale)
    key_h = touch_px(scale, 120)
    radius = px(18)
    return f"""
*[role="screen"] {{ background: {BACKGROUND}; }}
QLabel {{ color: {TEXT}; font-size: {font("body")}; background: transparent; }}
QLabel[role="brand"] {{ color: {KASPI_RED}; font-size: {font("hint")}; font-weight: 700; }}
QLabel[role="title"] {{ font-size: {font("title")}; font-weight: 700; }}
QLabel[role="headline"] {{ font-size: {font("headline")}; font-weight: 700; }}
QLabel[role="headline_error"] {{ font-size: {font("headline")}; font-weight: 700;
    color: {KASPI_RED}; }}
QLabel[role="display"] {{ font-size: {font("display")}; font-weight: 700; }}
QLabel[role="display_empty"] {{ font-size: {font("display")}; font-weight: 700;
    color: {DISABLED_TEXT}; }}
QLabel[role="amount"] {{ font-size: {font("amount")}; font-weight: 700; }}
QLabel[role="body"] {{ font-size: {font("body")}; }}
QLabel[role="hint"] {{ font-size: {font("hint")}; color: {MUTED}; }}
QLabel[role="hint_error"] {{ font-size: {font("hint")}; color: {KASPI_RED}; font-weight: 600; }}
QLabel[role="small"] {{ font-size: {font("small")}; color: {MUTED}; }}
QLabel[role="notice"] {{ font-size: {font("body")}; color: {CARD}; background: {KASPI_RED};
    border-radius: {px(12)}; padding: {px(14)} {px(22)}; font-weight: 600; }}
QLabel[role="countdown"] {{ font-size: {font("countdown")}; font-weight: 700; }}
QLabel[role="chip"] {{ font-size: {font("chip")}; color: {KASPI_RED}; background: {RED_SOFT};
    border-radius: {px(22)}; padding: {px(8)} {px(22)}; font-weight: 600; }}
QLabel[role="qr"] {{ color: {MUTED}; font-size: {font("title")}; font-weight: 600; }}
QFrame[role="card"] {{ background: {CARD}; border-radius: {radius}; }}
QPushButton {{ font-size: {font("button")}; min-height: {button_h}px; border-radius: {radius};
    padding: 0 {px(28)}; font-weight: 600; color: {TEXT}; background: {CARD};
    border: 2px solid {BORDER}; }}
QPushButton:pressed {{ background: {KEY_PRESSED}; }}
QPushButton:disabled {{ color: {DISABLED_TEXT}; background: {DISABLED_BG};
    border-color: {DISABLED_BG}; }}
QPushButton[role="primary"] {{ color: {CARD}; background: {KASPI_RED}; border-color: {KASPI_RED}; }}
QPushButton[role="primary"]:pressed {{ background: {RED_PRESSED}; border-color: {RED_PRESSED}; }}
QPushButton[role="primary"]:disabled {{ color: {DISABLED_TEXT}; background: {DISABLED_BG};
    border-color: {DISABLED_BG}; }}
QPushButton[role="danger"] {{ color: {KASPI_RED}; border-color: {KASPI_RED}; }}
QPushButton[role="key"] {{ font-size: {font("key")}; min-height: {key_h}px; font-weight: 500;
    border: none; }}
QPushButton[role="key"]:pressed {{ background: {KEY_PRESSED}; }}
QPushButton[role="key_fn"] {{ font-size: {font("key")}; min-height: {key_h}px;
    border: 2px solid {BORDER}; color: {MUTED}; background: {BACKGROUND}; }}
QPushButton[role="key_fn"]:pressed {{ background: {KEY_PRESSED}; }}
QPushButton[role="lang"], QPushButton[role="tab"] {{ font-size: {font("hint")};
    padding: 0 {px(26)}; color: {MUTED}; }}
QPushButton[role="lang"]:checked, QPushButton[role="tab"]:checked {{ color: {CARD};
    background: {KASPI_RED}; border-color: {KASPI_RED}; }}
QPushButton[role="small"] {{ font-size: {font("hint")}; }}
QProgressBar {{ background: {DISABLED_BG}; border: none; border-radius: {px(6)};
    max-height: {px(12)}; min-height: {px(12)}; }}
QProgressBar::chunk {{ background: {KASPI_RED}; border-radius: {px(6)}; }}
QTableWidget {{ background: {CARD}; border: none; font-size: {font("small")};
    gridline-color: {BORDER}; selection-background-color: {RED_SOFT}; selection-color: {TEXT}; }}
QHeaderView::section {{ background: {BACKGROUND}; color: {MUTED}; border: none;
    font-size: {font("small")}; padding: {px(8)}; font-weight: 600; }}
QScrollArea {{ background: transparent; border: none; }}
QScrollArea > QWidget > QWidget {{ background: transparent; }}
QScrollBar:vertical {{ width: {px(16)}; background: transparent; }}
QScrollBar::handle:vertical {{ background: {BORDER}; border-radius: {px(8)}; min-height: 40px; }}
QScrollBar::add-line, QScrollBar::sub-line {{ height: 0; }}
"""


def palette() -> QPalette:
    pal = QPalette()
    pal.setColor(QPalette.ColorRole.Window, QColor(BACKGROUND))
    pal.setColor(QPalette.ColorRole.WindowText, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.Base, QColor(CARD))
    pal.setColor(QPalette.ColorRole.AlternateBase, QColor(BACKGROUND))
    pal.setColor(QPalette.ColorRole.Text, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.Button, QColor(CARD))
    pal.setColor(QPalette.ColorRole.ButtonText, QColor(TEXT))
    pal.setColor(QPalette.ColorRole.Highlight, QColor(KASPI_RED))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor(CARD))
    return pal


def kiosk_font() -> QFont:
    """The bundled font (loaded here if it is not yet) at the body size."""
    fonts.load()
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPixelSize(font_px("body", 1.0))
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


def apply_theme(app: QApplication) -> None:
    """Fusion style, the palette, the font family and the stylesheet for the primary screen.

    Screens restyle themselves for their own size; this covers everything else.
    """
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    app.setPalette(palette())
    app.setFont(kiosk_font())
    screen = app.primaryScreen()
    size = screen.size() if screen is not None else QSize(1920, 1080)
    app.setStyleSheet(stylesheet(scale_for(size.width(), size.height())))


def set_role(widget: QWidget, role: str) -> None:
    """Change a widget's look at run time (a property change needs a re-polish to show)."""
    if widget.property("role") == role:
        return
    widget.setProperty("role", role)
    if not widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):
        # Not shown yet: the first polish reads the property. Polishing now would fix
        # the fonts of the current stylesheet, and a later re-scale would not reach them.
        return
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


class BigButton(QPushButton):
    """A touch button: never takes keyboard focus (no focus frames, Enter stays with the screen)."""

    def __init__(
        self, text: str = "", role: str = "", object_name: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(text, parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMinimumHeight(MIN_TOUCH_PX)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        if role:
            self.setProperty("role", role)
        if object_name:
            self.setObjectName(object_name)


class _ActivityFilter(QObject):
    """Sees every touch, click and key on a screen and its children (for the idle timer)."""

    def __init__(self, screen: Screen) -> None:
        super().__init__(screen)
        self._screen = screen

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY_EVENTS:
            self._screen.activity.emit()
        return False


_ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.KeyPress,
    }
)


class Screen(QWidget):
    """Base of the kiosk's screens: themed background, scale-aware stylesheet, language.

    Subclasses override `retranslate`, `on_enter` / `on_leave` (the navigator calls them
    when it switches pages), and `on_orientation_changed` / `on_scale_changed` where their
    arrangement or painted parts depend on the window.

    Signals:
        activity(): any touch or key on the screen (only after `watch_activity()`).
    """

    activity = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setProperty("role", "screen")
        self._lang = DEFAULT_LANG
        self._scale = 1.0
        self._portrait: bool | None = None
        # The window decides a screen's size, never the other way round: a hidden
        # page in a QStackedWidget keeps the arrangement of the last orientation it
        # was shown in, and its layout minimum would otherwise widen the kiosk's
        # full-screen window beyond the panel.
        self.setMinimumSize(1, 1)
        self.setStyleSheet(stylesheet(self._scale))

    @property
    def lang(self) -> str:
        return self._lang

    @property
    def scale(self) -> float:
        return self._scale

    @property
    def portrait(self) -> bool:
        return bool(self._portrait)

    def retranslate(self, lang: str) -> None:
        """Show every text in `lang` ("ru", "kk" or "en")."""
        self._lang = lang

    def watch_activity(self) -> None:
        """Emit `activity` for presses anywhere on the screen; call once the children exist."""
        watcher = _ActivityFilter(self)
        self.installEventFilter(watcher)
        for child in self.findChildren(QWidget):
            child.installEventFilter(watcher)

    def on_enter(self) -> None:
        """The navigator is about to show this screen."""

    def on_leave(self) -> None:
        """The navigator is about to show another screen: stop or hide what must not linger."""

    def on_orientation_changed(self, portrait: bool) -> None:
        """Re-arrange for a portrait (taller than wide) or landscape window."""

    def on_scale_changed(self, scale: float) -> None:
        """Resize what the stylesheet cannot reach (painted icons, fixed sizes)."""

    def on_resized(self, width: int, height: int) -> None:
        """The screen's new size (after on_scale_changed / on_orientation_changed)."""

    def setVisible(self, visible: bool) -> None:
        # A hidden widget gets its resize event only after the layout has been
        # activated on show; adapt first, or a top-level window is widened to the
        # minimum size of the other orientation's arrangement.
        if visible:
            self._adapt(self.width(), self.height())
        super().setVisible(visible)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._adapt(event.size().width(), event.size().height())
        super().resizeEvent(event)

    def _adapt(self, width: int, height: int) -> None:
        scale = scale_for(width, height)
        if scale != self._scale:
            self._scale = scale
            self.setStyleSheet(stylesheet(scale))
            self.on_scale_changed(scale)
        portrait = height > width
        if portrait != self._portrait:
            self._portrait = portrait
            self.on_orientation_changed(portrait)
        self.on_resized(width, height)
