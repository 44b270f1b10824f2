"""The bundled font: it loads from the package, is the one the kiosk draws with, covers Kazakh."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontInfo, QFontMetrics
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.gui.kit import fonts, theme

KAZAKH = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"


def test_the_bundled_font_loads_and_is_the_kiosks_font(qtbot: QtBot) -> None:
    assert fonts.FAMILY in fonts.load()
    font = theme.kiosk_font()
    assert QFontInfo(font).family() == fonts.FAMILY
    assert QFontInfo(QApplication.font()).family() == fonts.FAMILY  # tests/gui/conftest.py


def test_the_bundled_font_draws_every_kazakh_letter_and_the_tenge_sign(qtbot: QtBot) -> None:
    fonts.load()
    for weight in (QFont.Weight.Normal, QFont.Weight.Bold):
        font = QFont(fonts.FAMILY)
        font.setWeight(weight)
        # No merging: a letter Inter lacks must not be borrowed from a system font here.
        font.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)
        metrics = QFontMetrics(font)
        missing = [c for c in KAZAKH + "₸№→…—" if not metrics.inFontUcs4(ord(c))]
        assert missing == [], f"{weight} lacks {missing}"
        assert not metrics.inFontUcs4(0x4E2D)  # 中: the check can fail


def test_bold_is_a_real_face_not_a_smeared_regular(qtbot: QtBot) -> None:
    regular = QFont(fonts.FAMILY)
    regular.setPixelSize(40)
    bold = QFont(regular)
    bold.setWeight(QFont.Weight.Bold)
    assert QFontInfo(bold).styleName() == "Bold"
    text = "Қазақша төлем"
    wide = QFontMetrics(bold).horizontalAdvance(text)
    assert wide > QFontMetrics(regular).horizontalAdvance(text)
