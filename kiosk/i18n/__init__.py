"""Every string the kiosk shows, in Russian, Kazakh and English, and how money reads. No Qt.

The catalogue is two side-by-side tables keyed by message id — what the customer
reads (`customer.py`) and what the operator reads (`operator.py`) — so a translator
sees all three languages of a message together and a reviewer sees a change in one
diff line. (Not gettext: for ~200 short strings in three languages a .po per
language would split each message across three files, need a compile step in the
build and the installer, and hide a missing Kazakh line until run time; here a unit
test proves every id has all three languages with the same `{fields}`.)

`tr` is strict in tests (`set_strict(True)`, done by tests/conftest.py): an unknown
id or a missing language raises `UnknownText`. In production it never crashes a
screen: it logs once and falls back to Russian, then to the id itself.
"""

from __future__ import annotations

import logging
import math
import os
import string
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from kiosk.i18n.bank import all_texts as bank_texts
from kiosk.i18n.customer import CUSTOMER
from kiosk.i18n.operator import OPERATOR
from kiosk.i18n.service import SERVICE
from kiosk.payment.mode import OutOfServiceReason
from kiosk.payment.problems import problem_code
from kiosk.payment.sale import Reason, SaleState

log = logging.getLogger("kiosk.i18n")

LANGS: tuple[str, ...] = ("ru", "kk", "en")
DEFAULT_LANG = "ru"
#: What the language switch shows for each language.
LANG_NAMES: dict[str, str] = {"ru": "RU", "kk": "ҚАЗ", "en": "EN"}

THIN_SPACE = "\u2009"  # between thousands: "500 000"
NO_BREAK_SPACE = "\u00a0"  # before the sign, so "₸" never wraps onto a line of its own
TENGE = "₸"


def _merge(*tables: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for table in tables:
        for message_id, entry in table.items():
            if message_id in merged:
                raise ValueError(f"message id {message_id!r} is defined twice")
            merged[message_id] = entry
    return merged


TEXTS: dict[str, dict[str, str]] = _merge(CUSTOMER, OPERATOR, SERVICE, bank_texts())


class UnknownText(KeyError):
    """A message id (or one of its languages) is not in the catalogue: a bug, found in tests."""


_strict = os.environ.get("KIOSK_STRICT_TEXTS", "") == "1"
_warned: set[tuple[str, str]] = set()


def set_strict(strict: bool) -> None:
    """Raise UnknownText for a missing id or language (tests) instead of falling back."""
    global _strict
    _strict = strict


def _missing(message_id: str, lang: str) -> None:
    if _strict:
        raise UnknownText(f"no text {message_id!r} in {lang!r}")
    if (message_id, lang) not in _warned:
        _warned.add((message_id, lang))
        log.warning("no text %r in %r; showing a fallback", message_id, lang)


def tr(message_id: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The message in `lang`, with `{name}` fields filled from `values`."""
    entry = TEXTS.get(message_id)
    if entry is None:
        _missing(message_id, lang)
        return message_id
    text = entry.get(lang)
    if not text:
        _missing(message_id, lang)
        text = entry.get(DEFAULT_LANG) or message_id
    return text.format(**values) if values else text


def has_text(message_id: str) -> bool:
    return message_id in TEXTS


def fields_of(text: str) -> set[str]:
    """The `{name}` fields a text fills in."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True)
class Message:
    """A text to show later in whatever language is current: an id and its field values.

    Values may themselves be Messages (a label whose value is translated too).
    """

    message_id: str
    values: dict[str, object] = field(default_factory=dict)

    def render(self, lang: str = DEFAULT_LANG) -> str:
        filled = {
            k: v.render(lang) if isinstance(v, Message) else v for k, v in self.values.items()
        }
        return tr(self.message_id, lang, **filled)


def render(text: Message | str | None, lang: str = DEFAULT_LANG) -> str:
    """A Message in `lang`; plain text (a path, a URL, a payment id) as it is."""
    if text is None:
        return ""
    return text.render(lang) if isinstance(text, Message) else str(text)


#: Which kind of outage (kiosk.payment.mode's one vocabulary, also the metrics' label) each
#: operator message names.
OUTAGE_CAUSES: dict[str, OutOfServiceReason] = {
    "outage.config": OutOfServiceReason.CONFIG,
    "outage.journal": OutOfServiceReason.JOURNAL,
    "outage.registering": OutOfServiceReason.REGISTRATION,
    "outage.register_failed": OutOfServiceReason.REGISTRATION,
    "outage.unregistered": OutOfServiceReason.REGISTRATION,
    "outage.recovering": OutOfServiceReason.RECOVERY,
    "outage.recovery_failed": OutOfServiceReason.RECOVERY,
    "outage.bank": OutOfServiceReason.BANK,
    "outage.adapter": OutOfServiceReason.ADAPTER,
}


def outage_cause(problem: Message) -> OutOfServiceReason:
    """The kind of outage an outage.* message names (STARTING for one it does not know)."""
    return OUTAGE_CAUSES.get(problem.message_id, OutOfServiceReason.STARTING)


def outage_code(problem: Message) -> str:
    """The customer's code for why the kiosk is out of service ("CFG-0412", kiosk.payment.problems):
    the kind and a digest of the operator's words, never the words; the log carries it too."""
    return problem_code(outage_cause(problem), problem.render("en"))


def reason_text(reason: Reason | None, state: SaleState | None, lang: str = DEFAULT_LANG) -> str:
    """The error screen's sentence for a sale that ended with `state` because of `reason`."""
    if state is SaleState.PROCESSED:
        key = "needs_operator"  # paid, but the amount or the moment was wrong
    elif state is SaleState.UNKNOWN:
        key = "bank_unreachable"
    elif reason is not None and f"reason.{reason.value}" in TEXTS:
        key = reason.value
    else:
        key = "generic"
    return tr(f"reason.{key}", lang)


def method_label(name: str, lang: str = DEFAULT_LANG) -> str:
    """A payment method as the customer knows it ("Gold" -> "Kaspi Gold"); unknown names as is."""
    message_id = f"method.{name}"
    return tr(message_id, lang) if message_id in TEXTS else name


def state_label(state: str, lang: str = DEFAULT_LANG) -> str:
    """A SaleState value in the operator's words; an unknown value (a newer journal) as is."""
    message_id = f"state.{state}"
    return tr(message_id, lang) if message_id in TEXTS else state


def reason_label(reason: str, lang: str = DEFAULT_LANG) -> str:
    """A Reason value in the operator's words; an unknown value (a newer journal) as is."""
    message_id = f"opreason.{reason}"
    return tr(message_id, lang) if message_id in TEXTS else reason


def format_amount(amount: Decimal | int | str, lang: str = DEFAULT_LANG, sign: bool = True) -> str:
    """ "1 250 ₸": thin-space thousands, no decimals unless tiyn are present ("1 250,50 ₸").

    Russian and Kazakh write the decimal comma, English the point. A value that is
    not a number comes back as its text, so a garbled journal row still shows.
    """
    try:
        value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return str(amount)
    if not value.is_finite():
        return str(amount)
    minus = "-" if value < 0 else ""
    value = abs(value)
    whole = int(value)
    tiyn = int((value - whole) * 100)
    text = f"{whole:,}".replace(",", THIN_SPACE)
    if tiyn:
        text += ("." if lang == "en" else ",") + f"{tiyn:02d}"
    text = minus + text
    return f"{text}{NO_BREAK_SPACE}{TENGE}" if sign else text


def format_countdown(seconds: float) -> str:
    """ "2:45". Rounded up, so the screen reads 0:00 only when the time is really over."""
    if not math.isfinite(seconds) or seconds <= 0:
        return "0:00"
    whole = math.ceil(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def whole_seconds(seconds: float) -> int:
    """Seconds for "… in 5 s" lines: rounded up, never below zero."""
    if not math.isfinite(seconds) or seconds <= 0:
        return 0
    return math.ceil(seconds)
