"""Rename text ids of the old style (svc.x, op.x, amount.x) to the file-prefixed ones.

The catalogue's ids were renamed so an id's first word names its file (docs/moves.txt
lists the prefixes). A branch that added texts before that still uses the old style;
after merging it, run `python docs/rename_text_ids.py` from the repository root: every
catalogue id with an old first word is renamed in kiosk/, tests/, bench/ and docs/, as
a whole string literal, an f-string's head (`f"svc.tab.{name}"`) or `in backticks`.
Running it again changes nothing. Then run tests/unit/test_i18n_ids.py, which also
says when an entry sits in the wrong file.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.i18n import TEXTS  # noqa: E402

#: Old first words (or first two) -> the new prefix.
PREFIXES = {
    "svc.": "service.",
    "op.": "problem.",
    "mdb.": "demo.mdb.",
    "opreason.": "operator.reason.",
    "outage.": "operator.outage.",
    "state.": "operator.state.",
    **{
        f"{word}.": f"customer.{word}."
        for word in ("amount", "qr", "result", "reason", "oos", "method", "awaiting")
    },
}
#: Ids that are one word (no dot); quoted alone they are too common to rename blindly.
WHOLE = {"brand": "customer.brand"}
#: Builders whose prefix alone stands in the code (f"op.code.{code}").
BUILT = ("mdb.answer.", "svc.tab.", "svc.scheme.", "op.return.", "op.code.")


def renamed(old: str) -> str:
    for before, after in PREFIXES.items():
        if old.startswith(before):
            return after + old[len(before) :]
    return WHOLE.get(old, old)


def old_forms(new: str) -> list[str]:
    """What `new` was called before: code written then still names it so."""
    return [
        before + new[len(after) :] for before, after in PREFIXES.items() if new.startswith(after)
    ]


def main() -> int:
    ids = {m: renamed(m) for m in TEXTS if renamed(m) != m and m not in WHOLE}
    # Code merged from an older branch names ids the catalogue already holds renamed.
    ids.update({old: new for new in TEXTS for old in old_forms(new) if old not in TEXTS})
    heads = {p: renamed(p) for p in (*BUILT, "reason.", "method.", "state.", "opreason.")}
    alternatives = "|".join(re.escape(k) for k in sorted(ids, key=len, reverse=True)) or "(?!)"
    literal = re.compile(rf"(?<![\w.])([\"'`])({alternatives})\1")
    head = re.compile(
        r"(?<![\w.])(f?)([\"'])("
        + "|".join(re.escape(k) for k in sorted(heads, key=len, reverse=True))
        + r")(?=\{|\2)"
    )
    for folder in ("kiosk", "tests", "bench", "docs"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".md") or path.name == "rename_text_ids.py":
                continue
            text = path.read_text(encoding="utf-8")
            new = literal.sub(lambda m: m[1] + ids[m[2]] + m[1], text)
            new = head.sub(lambda m: m[1] + m[2] + heads[m[3]], new)
            for word, after in WHOLE.items():
                # Only where it is surely the id: tr()'s argument, or the table's key.
                new = new.replace(f'tr("{word}"', f'tr("{after}"')
                if path.name == "customer.py":
                    new = new.replace(f'    "{word}": {{', f'    "{after}": {{')
            if new != text:
                path.write_text(new, encoding="utf-8")
                print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
