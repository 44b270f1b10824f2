"""The language catalogue: every id in ru, kk and en with the same fields; tr is loud in tests."""

from __future__ import annotations

import ast
import logging
import re
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.i18n import LANGS, TEXTS, Message, UnknownText, fields_of, reason_label, render, tr
from kiosk.payment.sale import Reason, SaleState

GUI = Path(__file__).resolve().parents[2] / "kiosk" / "gui"
# һ is rare in Kazakh (loanwords); the font test checks it is drawable.
KAZAKH_LETTERS = set("әғқңөұүі")
CYRILLIC = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")


@pytest.mark.parametrize("message_id", sorted(TEXTS))
def test_every_message_has_all_three_languages_with_the_same_fields(message_id: str) -> None:
    entry = TEXTS[message_id]
    assert set(entry) == set(LANGS), f"{message_id}: languages {sorted(entry)}"
    for lang in LANGS:
        assert entry[lang].strip(), f"{message_id}: empty in {lang}"
    fields = {lang: fields_of(entry[lang]) for lang in LANGS}
    assert fields["ru"] == fields["kk"] == fields["en"], f"{message_id}: {fields}"


def test_russian_and_kazakh_are_written_in_cyrillic_not_left_in_english() -> None:
    # Brand names and codes ("Kaspi QR", "OK") may be the same everywhere; sentences may not.
    same = [
        mid
        for mid, entry in TEXTS.items()
        if entry["en"] in (entry["ru"], entry["kk"]) and len(entry["en"].split()) > 2
    ]
    assert same == []
    english_only = [
        mid
        for mid, entry in TEXTS.items()
        for lang in ("ru", "kk")
        if len(entry[lang].split()) > 2 and not CYRILLIC.search(entry[lang])
    ]
    assert english_only == []


def test_kazakh_uses_its_own_letters() -> None:
    kazakh = "".join(entry["kk"] for entry in TEXTS.values()).lower()
    assert set(kazakh) >= KAZAKH_LETTERS, KAZAKH_LETTERS - set(kazakh)


def test_an_unknown_id_raises_in_tests() -> None:
    with pytest.raises(UnknownText, match=r"no\.such\.text"):
        tr("no.such.text", "kk")


def test_an_unknown_language_raises_in_tests() -> None:
    with pytest.raises(UnknownText, match="'de'"):
        tr("amount.title", "de")


def test_production_falls_back_and_logs_once(caplog: pytest.LogCaptureFixture) -> None:
    i18n.set_strict(False)
    try:
        with caplog.at_level(logging.WARNING, logger="kiosk.i18n"):
            assert tr("no.such.text.prod", "kk") == "no.such.text.prod"
            assert tr("no.such.text.prod", "kk") == "no.such.text.prod"
            assert tr("amount.title", "de") == TEXTS["amount.title"]["ru"]
    finally:
        i18n.set_strict(True)
    lines = [r.getMessage() for r in caplog.records if "no.such.text.prod" in r.getMessage()]
    assert len(lines) == 1


def test_messages_render_late_in_the_current_language_with_nested_values() -> None:
    message = Message("op.cert.warning", {"days": 9, "date": "2030-01-31"})
    assert render(message, "kk") == (
        "Сертификаттың мерзімі 9 күннен кейін бітеді (2030-01-31): банктен жаңасын алыңыз"
    )
    assert render(message, "en") == (
        "The certificate expires in 9 days (2030-01-31): order a new one from the bank"
    )
    nested = Message("mdb.outcome", {"product": "A1", "answer": Message("mdb.answer.denied")})
    assert render(nested, "ru") == "товар A1: отклонено киоском"
    assert render(nested, "kk") == "A1 тауары: киоск қабылдамады"
    assert render("/var/kiosk.toml", "kk") == "/var/kiosk.toml"


@pytest.mark.parametrize("reason", list(Reason))
def test_every_reason_has_an_operator_label_and_a_customer_sentence(reason: Reason) -> None:
    assert reason_label(reason.value, "kk") != reason.value
    for state in (SaleState.FAILED, SaleState.CANCELLED, SaleState.PROCESSED, SaleState.UNKNOWN):
        assert i18n.reason_text(reason, state, "kk")


@pytest.mark.parametrize("state", list(SaleState))
def test_every_sale_state_has_an_operator_label(state: SaleState) -> None:
    assert i18n.state_label(state.value, "kk") != state.value


def _shown_literals(path: Path) -> list[str]:
    """String literals with letters handed straight to something that shows them."""
    shows = {"setText", "QLabel", "QPushButton", "BigButton", "setPlaceholderText", "setToolTip"}
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in shows or not node.args:
            continue
        arg = node.args[0]
        texts = [arg] if isinstance(arg, ast.Constant) else []
        if isinstance(arg, ast.JoinedStr):
            texts = [v for v in arg.values if isinstance(v, ast.Constant)]
        for text in texts:
            value = str(text.value)
            words = re.findall(r"[^\W\d_]{3,}", value)
            if words:
                found.append(f"{path.name}:{node.lineno}: {value!r}")
    return found


def test_no_screen_shows_a_hard_coded_sentence() -> None:
    found = [hit for path in sorted(GUI.rglob("*.py")) for hit in _shown_literals(path)]
    assert found == []
