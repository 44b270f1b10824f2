"""The layout checker (tests/helpers/layout.py) on layouts broken on purpose: it can fail."""

from __future__ import annotations

import pytest
from helpers.layout import check_layout, min_touch_px, show_at
from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot


def window(qtbot: QtBot, width: int = 400, height: int = 300) -> QWidget:
    w = QWidget()
    qtbot.addWidget(w)
    w.resize(width, height)
    w.show()
    return w


def button(parent: QWidget, name: str, rect: QRect, text: str = "") -> QPushButton:
    b = QPushButton(text, parent)
    b.setObjectName(name)
    b.setGeometry(rect)
    b.show()
    return b


def kinds(problems: list[str]) -> list[str]:
    return sorted(p.split(":", 1)[0] for p in problems)


def test_a_sound_layout_has_no_problems(qtbot: QtBot) -> None:
    w = window(qtbot)
    box = QVBoxLayout(w)
    label = QLabel("Введите сумму")
    label.setWordWrap(True)
    box.addWidget(label)
    for name in ("one", "two"):
        b = QPushButton(name)
        b.setObjectName(name)
        b.setMinimumHeight(60)
        box.addWidget(b)
    assert show_at(w, 400, 300) == []
    assert check_layout(w) == []


def test_overlapping_buttons_are_found_with_the_shared_area(qtbot: QtBot) -> None:
    w = window(qtbot)
    button(w, "pay", QRect(10, 10, 200, 100), "Pay")
    button(w, "clear", QRect(150, 60, 100, 100), "C")
    problems = check_layout(w)
    assert kinds(problems) == ["overlap"]
    assert "pay" in problems[0] and "clear" in problems[0] and "60x50" in problems[0]


def test_hidden_widgets_and_other_stack_pages_do_not_count(qtbot: QtBot) -> None:
    w = window(qtbot)
    stack = QStackedWidget(w)
    stack.setGeometry(0, 0, 400, 300)
    for name in ("page_a", "page_b"):
        page = QWidget()
        button(page, f"{name}_button", QRect(10, 10, 200, 100), name)
        stack.addWidget(page)
    hidden = button(w, "hidden", QRect(10, 10, 200, 100), "x")
    hidden.hide()
    stack.show()
    assert check_layout(w) == []


def test_a_widget_beyond_the_window_or_its_parent_is_outside(qtbot: QtBot) -> None:
    w = window(qtbot)
    button(w, "off_edge", QRect(350, 10, 100, 60), "OK")
    panel = QWidget(w)
    panel.setGeometry(0, 100, 200, 100)
    button(panel, "clipped", QRect(150, 10, 100, 60), "OK")
    panel.show()
    problems = check_layout(w)
    assert kinds(problems) == ["outside", "outside"]
    assert any("off_edge" in p and "leaves the window" in p for p in problems)
    assert any("clipped" in p and "clipped by" in p for p in problems)


def test_a_label_too_narrow_for_its_text_is_cut_and_word_wrap_is_honoured(qtbot: QtBot) -> None:
    w = window(qtbot, 800, 400)
    long_text = "Төлемді Kaspi.kz қосымшасында растаңыз"
    narrow = QLabel(long_text, w)
    narrow.setObjectName("narrow")
    narrow.setGeometry(0, 0, 80, 30)
    wrapped = QLabel(long_text, w)
    wrapped.setObjectName("wrapped")
    wrapped.setWordWrap(True)
    wrapped.setGeometry(0, 40, 300, 300)
    short = QLabel(long_text, w)
    short.setObjectName("wrapped_short")
    short.setWordWrap(True)
    short.setGeometry(400, 40, 300, 20)
    for label in (narrow, wrapped, short):
        label.show()
    problems = check_layout(w)
    assert kinds(problems) == ["cut", "cut"]
    assert any(p.startswith("cut: narrow ") for p in problems)
    assert any(p.startswith("cut: wrapped_short ") for p in problems)


def test_a_button_too_narrow_for_its_text_is_cut(qtbot: QtBot) -> None:
    w = window(qtbot, 800, 300)
    button(w, "ok", QRect(0, 0, 600, 60), "Оплатить 999 999 ₸")
    button(w, "squeezed", QRect(0, 100, 200, 60), "Оплатить 999 999 ₸")
    problems = check_layout(w)
    assert kinds(problems) == ["cut"]
    assert "squeezed" in problems[0]


def test_touch_targets_under_9_mm_are_found_at_the_panels_dpi(qtbot: QtBot) -> None:
    assert min_touch_px() == 34  # 9 mm at 96 dpi
    w = window(qtbot)
    button(w, "tiny", QRect(0, 0, 30, 30))
    button(w, "fine", QRect(100, 0, 40, 40))
    assert [p.split(" ")[1] for p in check_layout(w)] == ["tiny"]
    # The same 40 px button on a 300 dpi panel is 3.4 mm: too small.
    assert sorted(p.split(" ")[1] for p in check_layout(w, dpi=300)) == ["fine", "tiny"]


def test_a_table_that_scrolls_sideways_is_cut(qtbot: QtBot) -> None:
    w = window(qtbot)
    table = QTableWidget(1, 3, w)
    table.setObjectName("sales")
    table.setGeometry(0, 0, 150, 200)
    for col in range(3):
        table.setItem(0, col, QTableWidgetItem("502000000123456"))
    table.resizeColumnsToContents()
    table.show()
    problems = check_layout(w)
    assert kinds(problems) == ["cut"]
    assert "sales" in problems[0]


def test_show_at_reports_a_layout_that_cannot_fit_the_window(qtbot: QtBot) -> None:
    w = window(qtbot)
    box = QVBoxLayout(w)
    for i in range(6):
        b = QPushButton(str(i))
        b.setMinimumHeight(100)
        box.addWidget(b)
    problems = show_at(w, 400, 300)
    assert problems and problems[0].startswith("outside: the layout needs at least")


@pytest.mark.parametrize("dpi", [96, 160])
def test_touch_size_grows_with_dpi(dpi: int) -> None:
    assert min_touch_px(dpi) == round(9 / 25.4 * dpi)


def test_a_keypad_squeezed_inside_a_scroll_area_is_found(qtbot: QtBot) -> None:
    """A keypad in nested containers inside a scroll area's content: rows run into each other
    when its keys cannot have their height (the refund keypad of service mode)."""
    w = window(qtbot, 400, 300)
    area = QScrollArea(w)
    area.setGeometry(0, 0, 400, 300)
    area.setWidgetResizable(True)
    content = QWidget()
    keypad = QWidget(content)
    keypad.setGeometry(0, 0, 380, 120)
    for row in range(4):
        for col in range(3):
            # Each row 60 px high, but only 30 px apart: what a squeezed grid paints.
            button(keypad, f"key_{row}_{col}", QRect(col * 120, row * 30, 110, 60), str(row))
    area.setWidget(content)
    area.show()
    problems = check_layout(w)
    assert "overlap" in kinds(problems)
    assert any("key_0_0" in p and "key_1_0" in p for p in problems)


def test_a_scroll_area_that_hides_part_of_a_tab_bar_is_found(qtbot: QtBot) -> None:
    w = window(qtbot, 200, 300)
    area = QScrollArea(w)
    area.setObjectName("tab_bar")
    area.setGeometry(0, 0, 200, 300)
    area.setWidgetResizable(True)
    content = QWidget()
    box = QVBoxLayout(content)
    for i in range(8):
        b = QPushButton(f"tab {i}")
        b.setMinimumHeight(50)
        box.addWidget(b)
    area.setWidget(content)
    area.show()
    assert kinds(check_layout(w)) == ["scrolls"]
    area.setProperty("layout_scrolls", True)  # a list meant to scroll: rows below the fold
    assert check_layout(w) == []
    b = QPushButton("a choice far wider than the list " * 4)
    box.addWidget(b)
    QApplication.processEvents()
    assert "scrolls" in kinds(check_layout(w))  # sideways, a list still hides: cut words
