"""The house rules on shape, checked on the source itself: no import cycles, small modules.

The import graph is read with ast from every module under kiosk/, counting
imports inside functions and under TYPE_CHECKING too: a cycle hidden behind a
local import is still a cycle in the design. `from package import name` points
at the submodule when `name` is one, else at the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "kiosk"
MAX_MODULE_LINES = 650
MAX_CLASS_LINES = 350
SIZED = ("kiosk", "bench", "tests", "installer", "docs")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every kiosk module that `name` imports, wherever in the file the import is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    return {target for target in found if target in known and target != name}


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component that has more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_imports_inside_functions_are_counted() -> None:
    graph = import_graph()
    # kiosk.cli imports the commands' modules only when a command runs.
    assert "kiosk.cli.bank" in graph["kiosk.cli"]
    assert "kiosk.kaspi.client" in graph["kiosk.cli.bank"]


def test_the_bank_client_knows_nothing_of_the_app() -> None:
    graph = import_graph()
    outside = {
        f"{name} -> {target}"
        for name, targets in graph.items()
        if name.startswith("kiosk.kaspi")
        for target in targets
        if not target.startswith("kiosk.kaspi") and target != "kiosk"  # kiosk: __version__
    }
    assert outside == set()


def test_no_import_cycles_in_kiosk() -> None:
    assert find_cycles(import_graph()) == []


def _python_files() -> list[Path]:
    return [
        p for top in SIZED for p in sorted((ROOT / top).rglob("*.py")) if ".venv" not in p.parts
    ]


def long_modules(paths: list[Path]) -> dict[str, int]:
    """Module -> its line count, for every module over the limit."""
    found = {}
    for path in paths:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            found[path.name if not path.is_relative_to(ROOT) else str(path.relative_to(ROOT))] = (
                lines
            )
    return found


def long_classes(paths: list[Path]) -> dict[str, int]:
    """module:Class -> its line count, for every class over the limit (nested ones too)."""
    found = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                assert node.end_lineno is not None
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_CLASS_LINES:
                    name = path.name if not path.is_relative_to(ROOT) else path.relative_to(ROOT)
                    found[f"{name}:{node.name}"] = lines
    return found


def test_the_size_checks_see_a_long_module_and_a_long_class(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_CLASS_LINES))
    source = tmp_path / "big.py"
    source.write_text("class Big:\n" + body + "\n" + "y = 1\n" * (MAX_MODULE_LINES - 350))
    assert long_modules([source]) == {"big.py": MAX_MODULE_LINES + 1}
    assert long_classes([source]) == {"big.py:Big": MAX_CLASS_LINES + 1}


def test_no_module_is_longer_than_the_limit() -> None:
    assert long_modules(_python_files()) == {}, f"modules over {MAX_MODULE_LINES} lines"


def test_no_class_is_longer_than_the_limit() -> None:
    assert long_classes(_python_files()) == {}, f"classes over {MAX_CLASS_LINES} lines"


#: The architecture as import directions: each package (a folder under kiosk/, or one of the
#: gui's folders) may import only the packages listed here, besides itself and `kiosk`
#: (__version__). A new edge is a design decision: add it here, in the same commit, with why.
ALLOWED: dict[str, set[str]] = {
    # The bottom: the machine, the bank's API, what a sale can be.
    "kiosk.platform": set(),
    "kiosk.kaspi": set(),
    # The journal stores sales in the payment core's vocabulary (payment.sale only: below).
    "kiosk.journal": {"kiosk.platform"},
    "kiosk.payment": {"kiosk.kaspi", "kiosk.journal"},
    "kiosk.i18n": {"kiosk.payment"},
    # How a section declares its options; ConfigError is the bank client's.
    "kiosk.options": {"kiosk.kaspi"},
    # config checks the stored PIN's shape with operator.access (below).
    "kiosk.config": {"kiosk.kaspi", "kiosk.options"},
    "kiosk.refund": {"kiosk.kaspi", "kiosk.journal", "kiosk.i18n"},
    # Fiscal receipts: the register's client and the sender over the journal.
    "kiosk.fiscal": {"kiosk.kaspi", "kiosk.journal"},
    "kiosk.operator": {
        "kiosk.config",
        "kiosk.fiscal",
        "kiosk.kaspi",
        "kiosk.journal",
        "kiosk.payment",
        "kiosk.refund",
        "kiosk.i18n",
    },
    "kiosk.mdb": {"kiosk.payment"},
    "kiosk.hostapi": {"kiosk.journal", "kiosk.payment"},
    "kiosk.metrics": {"kiosk.config", "kiosk.journal", "kiosk.kaspi", "kiosk.payment"},
    "kiosk.sandbox": {"kiosk.config", "kiosk.kaspi", "kiosk.platform"},
    # The Qt layer, bottom to top: kit -> screens -> sale / service -> shell -> demo.
    "kiosk.gui": set(),
    "kiosk.gui.kit": {"kiosk.gui", "kiosk.i18n"},
    "kiosk.gui.screens": {"kiosk.gui", "kiosk.gui.kit", "kiosk.i18n"},
    "kiosk.gui.sale": {
        "kiosk.gui.kit",
        "kiosk.gui.screens",
        "kiosk.config",
        "kiosk.i18n",
        "kiosk.journal",
        "kiosk.kaspi",
        "kiosk.payment",
    },
    "kiosk.gui.service": {
        "kiosk.gui",
        "kiosk.gui.kit",
        "kiosk.config",
        "kiosk.i18n",
        "kiosk.journal",
        "kiosk.kaspi",
        "kiosk.operator",
        "kiosk.payment",
        "kiosk.refund",
    },
    "kiosk.gui.shell": {
        "kiosk.gui",
        "kiosk.fiscal",
        "kiosk.gui.kit",
        "kiosk.gui.screens",
        "kiosk.gui.sale",
        "kiosk.gui.service",
        "kiosk.config",
        "kiosk.hostapi",
        "kiosk.i18n",
        "kiosk.journal",
        "kiosk.kaspi",
        "kiosk.mdb",
        "kiosk.metrics",
        "kiosk.operator",
        "kiosk.payment",
        "kiosk.platform",
        "kiosk.refund",
    },
    # The demo strips unfold and fold as the pages change: they read the navigator's Page.
    "kiosk.gui.demo": {
        "kiosk.gui.kit",
        "kiosk.gui.screens",
        "kiosk.gui.shell",
        "kiosk.config",
        "kiosk.i18n",
        "kiosk.kaspi",
        "kiosk.mdb",
    },
    # Entry points: the terminal's commands, and the two that open the window.
    "kiosk.cli": {
        "kiosk.config",
        "kiosk.fiscal",
        "kiosk.journal",
        "kiosk.kaspi",
        "kiosk.operator",
        "kiosk.payment",
        "kiosk.platform",
        "kiosk.refund",
        "kiosk.sandbox",
    },
    "kiosk.app": {
        "kiosk.cli",
        "kiosk.config",
        "kiosk.fiscal",
        "kiosk.gui.demo",
        "kiosk.gui.kit",
        "kiosk.gui.screens",
        "kiosk.gui.shell",
        "kiosk.kaspi",
        "kiosk.mdb",
        "kiosk.operator",
        "kiosk.platform",
        "kiosk.sandbox",
    },
    "kiosk.__main__": {"kiosk.cli"},
}

#: Single modules a package may use although their package is above it, each for one reason.
ALLOWED_MODULES: dict[str, set[str]] = {
    # The journal keeps sales in the states and reasons the payment core defines.
    "kiosk.journal": {"kiosk.payment.sale"},
    # The stored PIN hash is a config value; its shape is the access module's to check.
    "kiosk.config": {"kiosk.operator.access", "kiosk.fiscal.settings"},
    # The embedded register injects faults as the bank's sandbox does (one queue, no bank).
    "kiosk.fiscal": {"kiosk.sandbox.faults"},
}


def package_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 2 and parts[1] == "gui" and (PACKAGE / "gui" / parts[2]).is_dir():
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def wrong_directions(graph: dict[str, set[str]]) -> set[str]:
    wrong = set()
    for name, targets in graph.items():
        own = package_of(name)
        for target in targets:
            other = package_of(target)
            if other in (own, "kiosk") or other in ALLOWED.get(own, set()):
                continue
            if target in ALLOWED_MODULES.get(own, set()):
                continue
            wrong.add(f"{name} -> {target}")
    return wrong


def test_every_package_has_its_directions_declared() -> None:
    packages = {package_of(name) for name in modules()} - {"kiosk"}
    assert packages - set(ALLOWED) == set()


def test_the_direction_check_sees_an_import_upwards() -> None:
    upward = {"kiosk.kaspi.client": {"kiosk.gui.shell.kiosk"}, "kiosk.gui.kit.theme": set()}
    assert wrong_directions(upward) == {"kiosk.kaspi.client -> kiosk.gui.shell.kiosk"}


def test_imports_go_only_in_the_declared_directions() -> None:
    assert wrong_directions(import_graph()) == set()
