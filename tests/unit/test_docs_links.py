"""The repository explains itself: a clone has everything its documents link and its code cites.

- README.md and every Markdown file under docs/ link only files that exist inside the
  repository (a clone has no `../shared`), and name no path outside it. A repository path
  they name in backticks (`kiosk/payment/flow.py`) exists, so a move updates them.
- Code, tests, tools and documents cite the project's own documents, never a tracker's
  issue number (a number says nothing to a reader without the tracker; the rule does).
- Every citation of a document's section (`docs/kaspi/api.md §5.4`) names a section that
  document has: a heading numbered so (`## §5.4 …`, or `## 5.4 …`) or a table row `| §10.7 |`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]
API_DOC = ROOT / "docs" / "kaspi" / "api.md"

#: Where the project's own text lives (code, tests, tools, documents, config).
SOURCES = ("kiosk", "tests", "bench", "installer", "docs", "config")
SOURCE_FILES = ("README.md", "run.py", "pyproject.toml")
TEXT_SUFFIXES = {".py", ".md", ".toml", ".txt", ".yml", ".yaml", ".spec", ".iss", ".ini", ".cfg"}
SKIP_DIRS = {"__pycache__", ".venv", "dist", "build", ".mypy_cache", ".ruff_cache"}

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.MULTILINE)
_HTML_LINK = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
#: Paths that are outside any clone, even when written as plain text.
_OUTSIDE = re.compile(r"(?<![\w/.])(?:\.\./shared\b|/work/)")
#: "issue" or "issues" and a number, "#" or not — but not "the bank issues 5-year certificates".
_ISSUE_NUMBER = re.compile(
    r"\bissues?\s*#?\s*\d+(?![\d.]|\s*-?\s*(?:years?|days?|months?)\b)", re.IGNORECASE
)
#: A path of the project written in backticks: `kiosk/kaspi/client.py`, `docs/ops/` (no globs).
_REPO_PATH = re.compile(r"`((?:kiosk|tests|bench|docs|installer|config)/[^`\s*{}<>]*)`")
_CITATION = re.compile(r"(docs/[\w./-]+\.md)\s*§\s*(\d+(?:\.\d+)*)")
_SECTION = re.compile(r"^(?:#+\s*§?|\|\s*§)(\d+(?:\.\d+)*)\b", re.MULTILINE)


def markdown_documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def source_texts() -> Iterator[tuple[Path, str]]:
    paths = [ROOT / name for name in SOURCE_FILES]
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            parts = set(path.relative_to(ROOT).parts)
            if path.is_file() and path.suffix in TEXT_SUFFIXES and not SKIP_DIRS & parts:
                paths.append(path)
    for path in paths:
        if path.is_file():
            yield path, path.read_text(encoding="utf-8", errors="replace")


def link_targets(text: str) -> list[str]:
    """Every link and image target of a Markdown text, outside code."""
    prose = _CODE_SPAN.sub("", _FENCE.sub("", text))
    found = []
    for pattern in (_INLINE_LINK, _REFERENCE_LINK, _HTML_LINK):
        found += [m.group(1) for m in pattern.finditer(prose)]
    return found


def link_problem(document: Path, target: str) -> str | None:
    """Why `target`, linked from `document`, would be broken in a clone; None when it is not."""
    if _URL_SCHEME.match(target) or target.startswith("#"):
        return None  # a web address or an anchor in the same page
    path_text = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not path_text:
        return None
    base = ROOT if path_text.startswith("/") else document.parent
    resolved = (base / path_text.lstrip("/")).resolve()
    if not resolved.is_relative_to(ROOT):
        return f"{target}: outside the repository"
    if not resolved.exists():
        return f"{target}: no such file"
    return None


def line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def sections_of(document: Path) -> set[str]:
    """The section numbers a document defines; empty when it does not exist."""
    if not document.is_file():
        return set()
    return set(_SECTION.findall(document.read_text(encoding="utf-8")))


# --- the checks themselves, tried on known-bad text first -------------------------------------


def test_the_checks_see_what_they_are_meant_to(tmp_path: Path) -> None:
    bad = "See [the digest](../shared/spec/kaspi-qr-api.md) and ![](docs/nope.png).\n"
    assert link_targets(bad) == ["../shared/spec/kaspi-qr-api.md", "docs/nope.png"]
    assert "outside" in (link_problem(ROOT / "README.md", "../shared/spec/x.md") or "")
    assert "no such file" in (link_problem(ROOT / "README.md", "docs/nope.png") or "")
    assert link_problem(ROOT / "README.md", "docs/kaspi/api.md#5-payments") is None
    assert link_problem(ROOT / "README.md", "https://kaspi.kz") is None
    assert link_targets("```\n[x](../shared/a.md)\n```\n`[y](../b.md)`\n") == []
    assert _OUTSIDE.search("tolerated as `../shared/spec` lists them")
    assert not _OUTSIDE.search("see docs/kaspi/api.md and kiosk/../kiosk")
    # Built with braces so that this file does not cite what it shows.
    cited = [f"# What waits (issue {7})", f"(issue {8}, item 3)", f"issues {8}, 9", f"Issue #{13}"]
    assert all(_ISSUE_NUMBER.search(text) for text in cited)
    fine = ["the bank issues 5-year certificates", "issues 5 years", "issue_id = 3", "issuer 2"]
    assert not any(_ISSUE_NUMBER.search(text) for text in fine)
    assert _REPO_PATH.findall("in `kiosk/flow.py`, `kiosk/gui/*.py` and `docs/ops/`") == [
        "kiosk/flow.py",
        "docs/ops/",
    ]
    sign = "§"  # kept apart, so that this file cites nothing itself
    cites = f"see docs/kaspi/api.md {sign}5.4 and docs/fiscal/webkassa.md {sign} 10"
    assert _CITATION.findall(cites) == [
        ("docs/kaspi/api.md", "5.4"),
        ("docs/fiscal/webkassa.md", "10"),
    ]
    headings = "# Title\n## §1 One\n### §1.2 Two\n## 3.4 Three\n| §10.7 | row |\n| 12 | cell |\n"
    assert set(_SECTION.findall(headings)) == {"1", "1.2", "3.4", "10.7"}


# --- the repository ---------------------------------------------------------------------------


@pytest.mark.parametrize("document", markdown_documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_documents_link_only_files_in_the_repository(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    problems = [p for t in link_targets(text) if (p := link_problem(document, t)) is not None]
    problems += [
        f"line {line_of(text, m.start())}: names {m.group(0)!r}, which a clone does not have"
        for m in _OUTSIDE.finditer(text)
    ]
    problems += [
        f"line {line_of(text, m.start())}: names {m.group(1)}, which does not exist"
        for m in _REPO_PATH.finditer(text)
        if not (ROOT / m.group(1).split(":")[0]).exists()
    ]
    assert not problems, f"{document.relative_to(ROOT)}:\n" + "\n".join(problems)


def test_nothing_cites_an_issue_number() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line_of(text, m.start())}: {m.group(0)!r}"
        for path, text in source_texts()
        for m in _ISSUE_NUMBER.finditer(text)
    ]
    assert not found, "say what the rule is instead of its issue number:\n" + "\n".join(found)


def test_citations_of_a_document_name_its_sections() -> None:
    assert {"5.4", "9.1", "10.7"} <= sections_of(API_DOC)  # the numbering is found
    wrong = [
        f"{path.relative_to(ROOT)}:{line_of(text, m.start())}: {m.group(1)} §{m.group(2)}"
        for path, text in source_texts()
        for m in _CITATION.finditer(text)
        if m.group(2) not in sections_of(ROOT / m.group(1))
    ]
    assert not wrong, "no such document or section:\n" + "\n".join(wrong)


def test_the_api_description_refers_only_to_its_own_sections() -> None:
    text = API_DOC.read_text(encoding="utf-8")
    sections = sections_of(API_DOC)
    # Ranges ("§5.4–§5.6") and lists cite each end; the headings define the numbers.
    wrong = sorted({n for n in re.findall(r"§(\d+(?:\.\d+)*)", text) if n not in sections}, key=str)
    assert not wrong, f"docs/kaspi/api.md refers to sections it does not have: {wrong}"
