"""Pages are a type, and never policy: no page-name string is compared outside the navigator.

What a page name used to stand for (the customer on the start page, or reading a result)
is the mode's (kiosk.payment.mode.Idle); the screens compare `Page` members. The
source of kiosk/gui is read with ast, as tests/unit/test_structure.py does.
"""

from __future__ import annotations

import ast
from pathlib import Path

from kiosk.gui.screens.navigator import Page

ROOT = Path(__file__).resolve().parents[2]
GUI = ROOT / "kiosk" / "gui"
NAVIGATOR = GUI / "screens" / "navigator.py"
#: Operands that share a word with a page but are not pages: the result screen's and its
#: status icon's look ("success", "error", "warning").
NOT_PAGES = frozenset({"self._kind"})


def _page_literals(node: ast.expr) -> list[str]:
    """The page names written in `node`: a string, or a tuple, list or set of them."""
    names = {page.value for page in Page}
    items = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
    return [
        item.value
        for item in items
        if isinstance(item, ast.Constant) and isinstance(item.value, str) and item.value in names
    ]


def pages_compared(path: Path) -> list[str]:
    """Every comparison (==, !=, in, is, a match case) of a page-name string in `path`."""
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            literal = [o for o in operands if _page_literals(o)]
            others = {ast.unparse(o) for o in operands if o not in literal}
            if literal and not others <= NOT_PAGES:
                found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.MatchValue) and _page_literals(node.value):
            found.append(f"{name}:{node.lineno}: case {ast.unparse(node.value)}")
    return found


def test_the_check_sees_a_page_name_compared(tmp_path: Path) -> None:
    source = tmp_path / "shell.py"
    source.write_text(
        "on_amount = window.screen_name == 'amount'\n"
        "paying = new in ('qr', 'awaiting')\n"
        "match page:\n"
        "    case 'service':\n"
        "        pass\n"
        "fine = window.screen_name is Page.AMOUNT\n"
        "look = self._kind == 'success'\n"
        "step = step not in ('start', 'result')\n"
    )
    assert pages_compared(source) == [
        "shell.py:1: window.screen_name == 'amount'",
        "shell.py:2: new in ('qr', 'awaiting')",
        "shell.py:4: case 'service'",
    ]


def test_no_page_name_is_compared_outside_the_navigator() -> None:
    found = [
        hit
        for path in sorted(GUI.rglob("*.py"))
        if path != NAVIGATOR
        for hit in pages_compared(path)
    ]
    assert found == [], "compare Page members, and ask the mode (kiosk.payment.mode) for policy"
