"""Every catalogue id is used in kiosk/, and every id kiosk/ names is in the catalogue.

Read with ast from the source, so a dead id is found without running a screen, and
a missing one without a test having to walk the path that shows it (tr's strict
mode finds that only at run time). An id counts as used when it stands as a string
literal outside the catalogue's tables, or when code builds it from a prefix and a
value (f"operator.state.{state}"). Every such builder is listed in BUILT with the values it
can put after its prefix, so a dead id under a prefix is found too, and a new
builder fails the test until it is listed. That every id has ru, kk and en with
the same fields is tests/unit/test_i18n.py's job.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from kiosk.i18n import TEXTS
from kiosk.journal.refunds import RefundState
from kiosk.kaspi.errors import MESSAGES
from kiosk.kaspi.settings import SCHEMES
from kiosk.payment.sale import Reason, SaleState
from kiosk.refund.steps import ReturnVerdict
from kiosk.sandbox.state import Behaviour

ROOT = Path(__file__).resolve().parents[2]
#: The catalogue's own tables: their keys are the ids, not uses of them.
TABLES = {
    f"kiosk/i18n/{name}.py" for name in ("customer", "service", "operator", "problem", "demo")
}
ID_SHAPE = re.compile(r"[a-z_]+(\.[A-Za-z0-9_-]+)+")


def constant(path: str, name: str) -> object:
    """A module-level constant, read without importing its module (GUI modules import Qt)."""
    for node in ast.parse((ROOT / path).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise LookupError(f"{path} has no constant {name}")


def words(path: str, name: str) -> frozenset[str]:
    """The strings of a tuple constant; of a tuple of pairs, the first of each."""
    items = constant(path, name)
    assert isinstance(items, tuple), f"{path}:{name} is not a tuple"
    return frozenset(item[0] if isinstance(item, tuple) else item for item in items)


def emulator_answers() -> frozenset[str]:
    """What kiosk/mdb/emulator.py records as an Outcome's answer (its third argument)."""
    tree = ast.parse((ROOT / "kiosk/mdb/emulator.py").read_text(encoding="utf-8"))
    return frozenset(
        str(call.args[2].value)
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "Outcome"
        and len(call.args) > 2
        and isinstance(call.args[2], ast.Constant)
    )


@dataclass(frozen=True)
class Built:
    """Ids a module builds as a prefix and a value."""

    module: str  # where the f-string stands
    values: frozenset[str]  # every value the code can put after the prefix
    all_needed: bool  # the code shows each one: each prefix + value must be in the catalogue


REASONS = frozenset(reason.value for reason in Reason)

BUILT: dict[str, Built] = {
    # tr(f"demo.{action}"): the demo strip's button for each of its ACTIONS.
    "demo.": Built("kiosk/gui/demo/panel.py", words("kiosk/gui/demo/panel.py", "ACTIONS"), True),
    # f"demo.mdb.answer.{answer}": how the emulated VMC's vend ended; one with no text shows as is.
    "demo.mdb.answer.": Built("kiosk/gui/demo/mdb.py", emulator_answers(), False),
    # tr(f"service.tab.{name}"): each service tab's button.
    "service.tab.": Built(
        "kiosk/gui/service/screen.py", words("kiosk/gui/service/screen.py", "TABS"), True
    ),
    # tr(f"service.col.{c}"): the sales table's column headers.
    "service.col.": Built(
        "kiosk/gui/service/sales.py",
        words("kiosk/gui/service/sales.py", "COLUMNS"),
        True,
    ),
    # tr(f"service.refund_state.{state}"): a refund's state under its sale on the Sales tab.
    "service.refund_state.": Built(
        "kiosk/gui/service/sales.py", frozenset(s.value for s in RefundState), True
    ),
    # tr(f"service.scheme.{status.scheme}"): the Status tab's scheme, one the config accepts.
    "service.scheme.": Built("kiosk/gui/service/status.py", frozenset(SCHEMES), True),
    # tr(f"problem.return.{verdict.value}"): why a return QR died. WAITING never ends one and
    # IDENTIFIED goes on to the customer's purchases, so neither is said.
    "problem.return.": Built(
        "kiosk/gui/service/return_qr.py",
        frozenset(v.value for v in ReturnVerdict) - {"waiting", "identified"},
        True,
    ),
    # reason_text: a Reason's own sentence where the catalogue has one, else one of its
    # three fallbacks.
    "customer.reason.": Built(
        "kiosk/i18n/__init__.py", REASONS | {"needs_operator", "bank_unreachable", "generic"}, False
    ),
    # method_label: the names the bank lists in PaymentMethods (the sandbox offers the same);
    # a name it does not know shows as is.
    "customer.method.": Built(
        "kiosk/i18n/__init__.py", frozenset(Behaviour().payment_methods), False
    ),
    # state_label / reason_label: the journal's values. Their fallback is for a newer
    # journal's values; this kiosk's own are all shown.
    "operator.state.": Built("kiosk/i18n/__init__.py", frozenset(s.value for s in SaleState), True),
    "operator.reason.": Built("kiosk/i18n/__init__.py", REASONS, True),
    # code_id, for kiosk.operator.errors.code_sentence: a known code (docs/kaspi/api.md §9.1)
    # (0 is success, never an error's); an unknown code reads op.code.unknown.
    "problem.code.": Built(
        "kiosk/i18n/problem.py", frozenset(str(c) for c in MESSAGES if c != 0), False
    ),
}

#: Strings shaped like an id that are something else: (module, how they start, what they are).
NOT_IDS = (("kiosk/sandbox/bank.py", "state.json", "the sandbox's state file"),)


@dataclass(frozen=True)
class Uses:
    literals: set[str]  # every string literal outside the tables
    builders: set[tuple[str, str]]  # (module, prefix) of each f-string or `+` starting an id


def scan(sources: dict[str, str], texts: dict[str, dict[str, str]]) -> Uses:
    """What `sources` (module path -> text) do with the catalogue's ids."""
    literals: set[str] = set()
    builders: set[tuple[str, str]] = set()
    for module, source in sources.items():
        tree = ast.parse(source)
        # The text pieces of an f-string are no literal of their own.
        parts = {
            id(part)
            for node in ast.walk(tree)
            if isinstance(node, ast.JoinedStr)
            for part in node.values
        }
        found: set[str] = set()
        for node in ast.walk(tree):
            head = None
            if isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
                head = node.left
            if (
                isinstance(head, ast.Constant)
                and isinstance(head.value, str)
                and any(message_id.startswith(head.value) for message_id in texts)
            ):
                builders.add((module, head.value))
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in parts
                and module not in TABLES
            ):
                found.add(node.value)
        literals |= {text for text in found if not _not_an_id(module, text)}
    builders = {(module, text) for module, text in builders if not _not_an_id(module, text)}
    return Uses(literals, builders)


def _not_an_id(module: str, text: str) -> bool:
    return any(module == where and text.startswith(start) for where, start, _ in NOT_IDS)


def unused(texts: dict[str, dict[str, str]], uses: Uses, built: dict[str, Built]) -> list[str]:
    """Ids no literal names and no builder can make."""
    made = {prefix + value for prefix, b in built.items() for value in b.values}
    return sorted(m for m in texts if m not in uses.literals and m not in made)


def unknown(texts: dict[str, dict[str, str]], uses: Uses, built: dict[str, Built]) -> list[str]:
    """Ids the code names or always builds that the catalogue lacks.

    A literal counts as an id when it has an id's shape and starts with one of the
    catalogue's first words (amount., svc., op., ...).
    """
    first_words = {m.split(".")[0] for m in texts if "." in m}
    named = {
        text
        for text in uses.literals
        if ID_SHAPE.fullmatch(text) and text.split(".")[0] in first_words
    }
    made = {prefix + value for prefix, b in built.items() if b.all_needed for value in b.values}
    return sorted((named | made) - set(texts))


def kiosk_sources() -> dict[str, str]:
    return {
        path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "kiosk").rglob("*.py"))
    }


def test_every_prefix_the_code_builds_ids_from_is_listed_and_nothing_else() -> None:
    found = scan(kiosk_sources(), TEXTS).builders
    listed = {(b.module, prefix) for prefix, b in BUILT.items()}
    assert found - listed == set(), "list the new builder in BUILT, with the values it uses"
    assert listed - found == set(), "BUILT names a builder the code no longer has"


def test_every_catalogue_id_is_used_in_kiosk() -> None:
    assert unused(TEXTS, scan(kiosk_sources(), TEXTS), BUILT) == []


def test_every_id_the_code_uses_is_in_the_catalogue() -> None:
    assert unknown(TEXTS, scan(kiosk_sources(), TEXTS), BUILT) == []


def test_the_builders_values_are_read_from_the_code() -> None:
    # An empty or wrong set here would hide dead ids under the prefix.
    assert BUILT["demo."].values == {"scan", "confirm", "scanerror", "confirmerror"}
    assert {"approved", "denied", "reset"} <= BUILT["demo.mdb.answer."].values
    assert {"status", "sales", "system"} <= BUILT["service.tab."].values
    assert "payment" in BUILT["service.col."].values


def test_the_checks_find_a_dead_id_a_missing_one_and_a_new_builder() -> None:
    made = ("customer.amount.title", "customer.amount.gone", "operator.state.qr")
    texts = {m: {"ru": m} for m in (*made, "operator.state.old")}
    sources = {
        "kiosk/gui/x.py": (
            'tr("customer.amount.title")\ntr("customer.amount.typo")\ntr(f"operator.state.{s}")\n'
        ),
        "kiosk/config.py": 'raise ConfigError("mdb.port", f"mdb.{key}")\n',
        "kiosk/i18n/customer.py": 'T = {"customer.amount.gone": {}}\n',
    }
    uses = scan(sources, texts)
    assert uses.builders == {("kiosk/gui/x.py", "operator.state.")}
    built = {"operator.state.": Built("kiosk/gui/x.py", frozenset({"qr", "new"}), True)}
    assert unused(texts, uses, built) == ["customer.amount.gone", "operator.state.old"]
    assert unknown(texts, uses, built) == ["customer.amount.typo", "operator.state.new"]


def test_each_table_holds_the_ids_its_name_starts() -> None:
    """An id says where it is: `service.tab.sales` is in service.py, and only there."""
    for table in TABLES:
        name = Path(table).stem
        tree = ast.parse((ROOT / table).read_text(encoding="utf-8"))
        keys = [
            key.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Dict)
            for key in node.keys
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and "." in key.value
        ]
        assert keys, table
        assert [k for k in keys if not k.startswith(f"{name}.")] == [], table
    assert {m.split(".")[0] for m in TEXTS} == {Path(t).stem for t in TABLES}


def test_code_reads_texts_through_kiosk_i18n_only() -> None:
    tables = {f"kiosk.i18n.{Path(t).stem}" for t in TABLES}
    sources = {
        **kiosk_sources(),
        **{str(p): p.read_text("utf-8") for p in ROOT.glob("tests/**/*.py")},
    }
    wrong = []
    for module, source in sources.items():
        if module.startswith("kiosk/i18n/"):
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module:
                named = {node.module} | {f"{node.module}.{a.name}" for a in node.names}
                if named & tables:
                    wrong.append(f"{module}: from {node.module} import ...")
    assert wrong == []
