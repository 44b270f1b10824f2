"""A layout checker for any widget tree: what a customer would see as broken, in words.

`check_layout(window)` walks the visible widgets of a shown window and returns one
line per problem (an empty list: the layout is sound):

- overlap: two visible leaf widgets (buttons, labels, painted widgets, tables)
  share pixels — a tap lands on the wrong one, or one hides the other;
- outside: a widget reaches beyond the window, or beyond a parent that clips it;
- cut: a label's text needs more room than its contents rect (word wrap honoured),
  a button's text and icon more than its contents, a table scrolls sideways;
- touch: a button is smaller than `touch_mm` (9 mm) at the panel's `dpi` (96 when
  the panel does not say: 34 px).

Scroll areas (tables, lists) are checked as one leaf: their content moves by design.
A widget with the property `layout_overlay` set (the demo strip's floating button)
floats above the kiosk on purpose and is left out of the overlap check, with its children.

`show_at(window, width, height)` gives a top-level window exactly that size and
reports if its layout's minimum made it bigger (the window would not fit the panel).
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QStyle,
    QStyleOptionButton,
    QTableView,
    QWidget,
)

DEFAULT_DPI = 96.0
TOUCH_MM = 9.0
_TOLERANCE = 1  # px: rounding in font metrics


def min_touch_px(dpi: float = DEFAULT_DPI, touch_mm: float = TOUCH_MM) -> int:
    """The smallest side of a touch target, in device pixels: 34 at 96 dpi."""
    return round(touch_mm / 25.4 * dpi)


def name_of(widget: QWidget) -> str:
    """How a problem line names a widget: its object name, else its class and text."""
    if widget.objectName():
        return widget.objectName()
    text = ""
    if isinstance(widget, (QLabel, QAbstractButton)):
        text = widget.text().replace("\n", " ")[:30]
    kind = type(widget).__name__
    return f"{kind}({text!r})" if text else kind


def _is_overlay(widget: QWidget) -> bool:
    return bool(widget.property("layout_overlay"))


def visible_widgets(root: QWidget) -> Iterator[QWidget]:
    """Every widget under `root` that is shown, not descending into scroll areas."""
    for child in root.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if not child.isVisibleTo(root) or child.isWindow():
            continue
        yield child
        if not isinstance(child, QAbstractScrollArea):
            yield from visible_widgets(child)


def _shown_children(widget: QWidget) -> list[QWidget]:
    return [
        c
        for c in widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if c.isVisibleTo(widget) and not c.isWindow()
    ]


def is_leaf(widget: QWidget) -> bool:
    """A widget a customer sees as one thing: no shown children, a button, or a scroll area."""
    return isinstance(widget, (QAbstractButton, QAbstractScrollArea)) or not _shown_children(widget)


def rect_in(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def tap(window: QWidget, point: QPoint) -> None:
    """A finger on the window at `point`: whatever widget is there gets it."""
    target = window.childAt(point) or window
    QTest.mouseClick(target, Qt.MouseButton.LeftButton, pos=target.mapFrom(window, point))


def _overlay_subtree(widget: QWidget, window: QWidget) -> bool:
    current: QWidget | None = widget
    while current is not None and current is not window:
        if _is_overlay(current):
            return True
        current = current.parentWidget()
    return False


def check_layout(
    window: QWidget, *, dpi: float = DEFAULT_DPI, touch_mm: float = TOUCH_MM
) -> list[str]:
    """Every problem in the shown `window`, one line each (see the module's docstring)."""
    QApplication.processEvents()
    problems: list[str] = []
    widgets = list(visible_widgets(window))
    bounds = window.rect()
    leaves: list[tuple[QWidget, QRect]] = []
    for widget in widgets:
        rect = rect_in(widget, window)
        if rect.isEmpty():
            continue
        problems.extend(_outside(widget, rect, window, bounds))
        if is_leaf(widget):
            if not _overlay_subtree(widget, window):
                leaves.append((widget, rect))
            problems.extend(_cut(widget))
            if isinstance(widget, QAbstractButton):
                problems.extend(_touch(widget, dpi, touch_mm))
    problems.extend(_overlaps(leaves))
    return problems


def _outside(widget: QWidget, rect: QRect, window: QWidget, bounds: QRect) -> list[str]:
    if not bounds.contains(rect):
        return [f"outside: {name_of(widget)} at {_fmt(rect)} leaves the window {_fmt(bounds)}"]
    parent = widget.parentWidget()
    if parent is None or parent is window:
        return []
    parent_rect = rect_in(parent, window)
    if parent_rect.contains(rect):
        return []
    return [
        f"outside: {name_of(widget)} at {_fmt(rect)} is clipped by "
        f"{name_of(parent)} at {_fmt(parent_rect)}"
    ]


def _overlaps(leaves: list[tuple[QWidget, QRect]]) -> list[str]:
    problems = []
    for i, (first, a) in enumerate(leaves):
        for second, b in leaves[i + 1 :]:
            common = a.intersected(b)
            if common.width() > 0 and common.height() > 0:
                problems.append(
                    f"overlap: {name_of(first)} {_fmt(a)} and {name_of(second)} {_fmt(b)} "
                    f"share {common.width()}x{common.height()} px"
                )
    return problems


def _cut(widget: QWidget) -> list[str]:
    if isinstance(widget, QLabel):
        return _label_cut(widget)
    if isinstance(widget, QAbstractButton):
        return _button_cut(widget)
    if isinstance(widget, QTableView):
        bar = widget.horizontalScrollBar()
        if bar.maximum() > 0:
            return [f"cut: {name_of(widget)} is {bar.maximum()} px wider than its view"]
        return _table_cut(widget)
    return []


_CELL_MARGIN = 3  # px a cell's text keeps from each side (QStyledItemDelegate's text margin)
_ROWS_CHECKED = 12  # the rows in view are alike: the first dozen show a cut column


def _table_cut(table: QTableView) -> list[str]:
    """Header texts wider than their section; cell texts that do not fit their cell."""
    model = table.model()
    if model is None:
        return []
    problems = []
    header = table.horizontalHeader()
    columns = [c for c in range(model.columnCount()) if not header.isSectionHidden(c)]
    if header.isVisible():
        metrics = header.fontMetrics()
        for column in columns:
            text = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            need = metrics.horizontalAdvance(text) + 2 * _CELL_MARGIN
            if need > header.sectionSize(column) + _TOLERANCE:
                problems.append(
                    f"cut: {name_of(table)} header {text!r} needs {need} px, "
                    f"has {header.sectionSize(column)}"
                )
    metrics = table.fontMetrics()
    first = max(0, table.rowAt(0))
    for row in range(first, min(model.rowCount(), first + _ROWS_CHECKED)):
        for column in columns:
            index = model.index(row, column)
            text = str(index.data() or "")
            cell = table.visualRect(index)
            if not text or cell.isEmpty():
                continue
            room = cell.width() - 2 * _CELL_MARGIN
            flags = int(Qt.TextFlag.TextWordWrap) if table.wordWrap() else 0
            box = metrics.boundingRect(QRect(0, 0, max(1, room), 1_000_000), flags, text)
            # The widest line (a word that cannot wrap shows here), and all the lines' height.
            width = max(metrics.horizontalAdvance(line) for line in _lines(text, room, metrics))
            if width > room + _TOLERANCE or box.height() > cell.height() + _TOLERANCE:
                problems.append(
                    f"cut: {name_of(table)} cell {row},{column} {text[:30]!r} needs "
                    f"{width}x{box.height()} px, has {room}x{cell.height()}"
                )
    return problems


def _lines(text: str, width: int, metrics: QFontMetrics) -> list[str]:
    """`text` broken at spaces as word wrap breaks it (a word never breaks)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and metrics.horizontalAdvance(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def text_size(label: QLabel, width: int) -> QSize:
    """The room `label`'s text needs when it may use `width` px (wrapping if the label wraps)."""
    metrics = label.fontMetrics()
    flags = int(label.alignment())
    if label.wordWrap():
        flags |= int(Qt.TextFlag.TextWordWrap)
        box = QRect(0, 0, max(1, width), 1_000_000)
    else:
        box = QRect(0, 0, 1_000_000, 1_000_000)
    return metrics.boundingRect(box, flags, label.text()).size()


def _label_cut(label: QLabel) -> list[str]:
    text = label.text()
    if not text or label.textFormat() == Qt.TextFormat.RichText:
        return []
    room = label.contentsRect()
    margin = label.margin()
    indent = max(0, label.indent())
    room = room.adjusted(margin + indent, margin, -margin, -margin)
    need = text_size(label, room.width())
    if need.width() > room.width() + _TOLERANCE or need.height() > room.height() + _TOLERANCE:
        return [
            f"cut: {name_of(label)} needs {need.width()}x{need.height()} px for "
            f"{text[:40]!r} but has {room.width()}x{room.height()}"
        ]
    return []


def _button_cut(button: QAbstractButton) -> list[str]:
    text = button.text()
    has_icon = not button.icon().isNull()
    if not text and not has_icon:
        return []
    option = QStyleOptionButton()
    option.initFrom(button)
    option.text = text
    option.icon = button.icon()
    option.iconSize = button.iconSize()
    room = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
    metrics = button.fontMetrics()
    lines = text.split("\n") if text else []
    width = max((metrics.horizontalAdvance(line) for line in lines), default=0)
    height = metrics.height() * len(lines)
    if has_icon:
        icon = button.iconSize()
        width += icon.width() + (4 if text else 0)
        height = max(height, icon.height())
    if width > room.width() + _TOLERANCE or height > room.height() + _TOLERANCE:
        return [
            f"cut: {name_of(button)} needs {width}x{height} px for {text[:30]!r} "
            f"but has {room.width()}x{room.height()}"
        ]
    return []


def _touch(button: QAbstractButton, dpi: float, touch_mm: float) -> list[str]:
    ratio = button.devicePixelRatioF()
    side = min(button.width(), button.height()) * ratio
    need = min_touch_px(dpi, touch_mm)
    if side < need:
        return [
            f"touch: {name_of(button)} is {button.width()}x{button.height()} px "
            f"({side:.0f} device px), under {touch_mm:g} mm = {need} px at {dpi:g} dpi"
        ]
    return []


def _fmt(rect: QRect) -> str:
    return f"{rect.width()}x{rect.height()}+{rect.x()}+{rect.y()}"


def show_at(window: QWidget, width: int, height: int) -> list[str]:
    """Show `window` at exactly width x height; a problem line if its layout would not fit."""
    window.resize(width, height)
    if not window.isVisible():
        window.show()
    QApplication.processEvents()
    window.resize(width, height)
    QApplication.processEvents()
    problems = []
    minimum = window.minimumSizeHint()
    layout = window.layout()
    if layout is not None:
        minimum = minimum.expandedTo(layout.totalMinimumSize())
    if minimum.width() > width or minimum.height() > height:
        problems.append(
            f"outside: the layout needs at least {minimum.width()}x{minimum.height()} px, "
            f"the window has {width}x{height}"
        )
    if window.size() != QSize(width, height):
        problems.append(
            f"outside: the window is {window.width()}x{window.height()}, not {width}x{height}"
        )
    return problems
