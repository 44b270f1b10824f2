"""The payment QR as crisp pixels, and the label that shows it at the largest size that fits.

A phone camera reads a QR best when every module is a sharp square of equal
size, so the image is painted at a whole number of device pixels per module
(the largest that fits) with the 4-module white quiet zone the standard asks
for, and never scaled afterwards: scaling to a fractional factor blurs edges or
makes modules of unequal width.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

#: qrcode.constants.ERROR_CORRECT_M, without importing qrcode (and PIL) before the first QR.
ERROR_CORRECT_M = 0
#: White modules around the code (ISO/IEC 18004 asks for at least 4).
QUIET_ZONE = 4
DARK = QColor(0, 0, 0)
LIGHT = QColor(255, 255, 255)


def qr_matrix(content: str, error_correction: int = ERROR_CORRECT_M) -> list[list[bool]]:
    """The code's modules without any quiet zone; True is dark.

    Level M keeps the code small (bigger modules on the same screen) while a
    smudge or a glare spot on the kiosk's glass still leaves it readable.
    """
    import qrcode  # deferred: not needed until the first QR, and slow to import

    code = qrcode.QRCode(error_correction=error_correction, border=0, box_size=1)
    code.add_data(content)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def qr_module_count(content: str) -> int:
    """Modules per side of the QR for `content`, without the quiet zone."""
    return len(qr_matrix(content))


def pixels_per_module(modules: int, target_px: int) -> int:
    """The largest whole number of pixels per module so the code and its quiet zone fit."""
    return max(1, target_px // (modules + 2 * QUIET_ZONE))


def paint_matrix(matrix: Sequence[Sequence[bool]], target_px: int) -> QImage:
    """The matrix with its quiet zone as an image at most `target_px` square (bigger only
    when even one pixel per module does not fit)."""
    modules = len(matrix)
    per_module = pixels_per_module(modules, target_px)
    side = (modules + 2 * QUIET_ZONE) * per_module
    image = QImage(side, side, QImage.Format.Format_RGB32)
    image.fill(LIGHT)
    painter = QPainter(image)
    # Whole-pixel rectangles with no antialiasing: every module edge is a hard edge.
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    offset = QUIET_ZONE * per_module
    for row_index, row in enumerate(matrix):
        y = offset + row_index * per_module
        col = 0
        while col < modules:
            if not row[col]:
                col += 1
                continue
            start = col
            while col < modules and row[col]:
                col += 1
            # One rectangle per horizontal run of dark modules: fewer paint calls.
            painter.fillRect(
                QRect(offset + start * per_module, y, (col - start) * per_module, per_module), DARK
            )
    painter.end()
    return image


def qr_pixmap(content: str, target_px: int, device_pixel_ratio: float = 1.0) -> QPixmap:
    """`content` as a QR at most `target_px` (logical) pixels square (see matrix_pixmap)."""
    return matrix_pixmap(qr_matrix(content), target_px, device_pixel_ratio)


def matrix_pixmap(
    matrix: Sequence[Sequence[bool]], target_px: int, device_pixel_ratio: float = 1.0
) -> QPixmap:
    """A `qr_matrix` at most `target_px` (logical) pixels square, modules whole device pixels.

    With a device pixel ratio above 1 the image is painted at device resolution
    and tagged with the ratio, so modules stay whole on the panel's real pixels.
    """
    ratio = device_pixel_ratio if device_pixel_ratio > 0 else 1.0
    image = paint_matrix(matrix, int(target_px * ratio))
    image.setDevicePixelRatio(ratio)
    return QPixmap.fromImage(image)


#: The share of the screen's shorter side a payment QR gets at least, so that a phone held
#: at arm's length reads it: a code squeezed to 100 px by a demo strip at 1024x768 was not.
QR_SHARE = 0.33
#: Never below this side, whatever the panel (an 800x480 vending panel would get 158).
MIN_QR_PX = 160


def min_qr_px(width: int, height: int) -> int:
    """The smallest side a payment QR may have on a screen of `width` x `height` px."""
    return max(MIN_QR_PX, round(QR_SHARE * min(width, height)))


class QrView(QLabel):
    """Shows a QR at the largest crisp size its own area allows, or a text in its place.

    The label ignores its pixmap's size in layouts (the layout decides the area, the
    QR adapts) and re-paints the QR when that area changes. `max_px` caps the side:
    a code much larger than a phone's view only makes customers step back. A white
    rounded card of the QR's size (plus `padding_px`) is drawn behind the code or
    the text, so the screen keeps its shape when the QR is removed.
    """

    def __init__(self, object_name: str = "qr_image", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setProperty("role", "qr")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(QSize(160, 160))
        self._content: str | None = None
        # Encoded once per content: choosing the mask is pure Python (20-30 ms), and the
        # area changes several times while a screen settles or the panel turns.
        self._matrix: list[list[bool]] | None = None
        self._rendered_for: tuple[int, float] | None = None
        self.max_px = 0
        self.padding_px = 0

    @property
    def content(self) -> str | None:
        return self._content

    def has_qr(self) -> bool:
        return self._content is not None and not self.pixmap().isNull()

    def set_content(self, content: str) -> None:
        if content != self._content:
            self._matrix = None
        self._content = content
        self._rendered_for = None
        self._render()

    def show_text(self, text: str) -> None:
        """Drop the QR at once and show `text` in its place."""
        self._content = None
        self._matrix = None
        self._rendered_for = None
        self.clear()
        self.setText(text)
        self._fit_text()

    def set_limits(self, max_px: int, padding_px: int, min_px: int = MIN_QR_PX) -> None:
        """Cap the QR's side at `max_px` (0: no cap), ask the layout for at least `min_px`,
        and keep `padding_px` free around it."""
        self.max_px, self.padding_px = max_px, padding_px
        side = min_px + 2 * padding_px
        self.setMinimumSize(QSize(side, side))
        self._fit_text()
        self._render()

    def target_px(self) -> int:
        rect = self.rect()  # not contentsRect(): the text margins must not shrink the QR
        side = min(rect.width(), rect.height()) - 2 * self.padding_px
        if self.max_px > 0:
            side = min(side, self.max_px)
        return max(1, side)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._content is not None or self.text():
            pixmap = self.pixmap()
            side = (
                pixmap.deviceIndependentSize().width() if not pixmap.isNull() else self.target_px()
            ) + 2 * self.padding_px
            side = min(side, min(self.width(), self.height()))
            card = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
            painter = QPainter(self)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(LIGHT)
            radius = max(8.0, side * 0.04)
            painter.drawRoundedRect(card, radius, radius)
            painter.end()
        super().paintEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_text()
        self._render()

    def _fit_text(self) -> None:
        # A text in the QR's place wraps inside the card, not across the whole label.
        side = min(self.target_px() + 2 * self.padding_px, self.width(), self.height())
        inset_x = max(0, (self.width() - side) // 2) + self.padding_px
        inset_y = max(0, (self.height() - side) // 2) + self.padding_px
        self.setContentsMargins(inset_x, inset_y, inset_x, inset_y)

    def _render(self) -> None:
        if self._content is None:
            return
        key = (self.target_px(), self.devicePixelRatioF())
        if key == self._rendered_for:
            return
        self._rendered_for = key
        if self._matrix is None:
            self._matrix = qr_matrix(self._content)
        self.setPixmap(matrix_pixmap(self._matrix, key[0], key[1]))
