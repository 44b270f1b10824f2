"""docs/make_screenshots.py: the README's selection and tables, the run's own check, and one
real run (two languages at one size) of the tool against the sandbox.

The tool broke unnoticed once (the hashed PIN): the slow test runs it as the README says.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from kiosk.i18n import tr

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "make_screenshots.py"
SHOTS = ROOT / "docs" / "screenshots"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_screenshots", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = load()


def test_the_selection_has_every_screen_once_and_every_language_and_size() -> None:
    screens = [screen for screen, _, _ in tool.CURATED]
    assert sorted(screens) == sorted(tool.SCREENS)  # every tab of service mode too
    assert {lang for _, lang, _ in tool.CURATED} == set(tool.LANGS)
    assert {size for _, _, size in tool.CURATED} == set(tool.SIZES)


def test_the_readme_shows_the_selection_with_captions_that_name_what_is_in_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for table in tool.readme_tables():
        assert table in readme
    shown = set(re.findall(r"docs/screenshots/([\w.-]+\.png)", readme))
    on_disk = {path.name for path in SHOTS.glob("*.png")}
    assert shown <= on_disk  # no broken picture
    assert on_disk - shown <= {"windows-wine.png"}  # no stale one (that one: installer/README)
    for screen, lang, size in tool.CURATED:
        name = tool.curated_name(screen, lang, size)
        with Image.open(SHOTS / name) as image:  # curated at half size
            assert f"{image.width * 2}x{image.height * 2}" == size, name
    top, _ = tool.readme_tables()
    assert "| amount · ҚАЗ · 800×480 |" in top
    assert "![](docs/screenshots/amount-kk-800x480.png)" in top


def picture(path: Path, size: tuple[int, int], colour: str, mark: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, colour)
    if mark is not None:
        image.putpixel((1, 1), Image.new("RGB", (1, 1), mark).getpixel((0, 0)))
    image.save(path)


def test_the_check_names_missing_resized_blank_and_untranslated_screens(tmp_path: Path) -> None:
    langs, sizes = ["ru", "kk"], ["800x480"]
    for index, screen in enumerate(tool.SCREENS):
        for lang, mark in (("ru", "red"), ("kk", "blue")):
            shade = f"#{index:02x}{index:02x}{index:02x}"
            picture(tmp_path / lang / "800x480" / f"{screen}.png", (800, 480), shade, mark)
    assert tool.check(tmp_path, langs, sizes) == []

    (tmp_path / "kk" / "800x480" / "qr.png").unlink()
    picture(tmp_path / "kk" / "800x480" / "amount.png", (480, 800), "white", "blue")
    picture(tmp_path / "kk" / "800x480" / "success.png", (800, 480), "white")
    kk_error = tmp_path / "kk" / "800x480" / "error.png"
    kk_error.write_bytes((tmp_path / "ru" / "800x480" / "error.png").read_bytes())
    kk_system = tmp_path / "kk" / "800x480" / "service-system.png"
    kk_system.write_bytes((tmp_path / "kk" / "800x480" / "service-sales.png").read_bytes())
    problems = tool.check(tmp_path, langs, sizes)
    assert problems == [
        f"{tmp_path / 'kk' / '800x480' / 'amount.png'}: 480x800, not 800x480",
        f"missing {tmp_path / 'kk' / '800x480' / 'qr.png'}",
        f"{tmp_path / 'kk' / '800x480' / 'success.png'}: blank",
        "error at 800x480: the same in ru and kk",
        "kk 800x480: service-sales is the same as service-system",
    ]


def test_a_text_left_in_another_language_is_named(qtbot: QtBot) -> None:
    window = QWidget()
    box = QVBoxLayout(window)
    for text in (
        tr("customer.result.failed", "kk"),
        tr("customer.reason.declined", "ru"),
        "Kaspi QR",
        "1 250 ₸",
    ):
        box.addWidget(QLabel(text))
    hidden = QLabel(tr("customer.reason.generic", "ru"))
    box.addWidget(hidden)
    hidden.hide()
    qtbot.addWidget(window)
    window.show()
    shooter = tool.Shooter.__new__(tool.Shooter)  # only its window and the catalogue
    shooter.window = window
    shooter._languages = tool.languages_of_texts()
    assert shooter.other_languages("kk") == [tr("customer.reason.declined", "ru")]
    assert shooter.other_languages("ru") == [tr("customer.result.failed", "kk")]


@pytest.mark.slow
def test_the_tool_shoots_the_real_kiosk_in_two_languages(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    argv = [sys.executable, str(SCRIPT), "--out", str(tmp_path), "--langs", "ru,kk"]
    result = subprocess.run(
        [*argv, "--sizes", "800x480"],
        capture_output=True,
        text=True,
        timeout=100,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    wrote = f"wrote {2 * len(tool.SCREENS)} screenshots"  # two languages, one size
    assert wrote in result.stdout  # and the run checked them itself
    assert tool.check(tmp_path, ["ru", "kk"], ["800x480"]) == []
    assert sorted(p.name for p in (tmp_path / "kk" / "800x480").iterdir()) == sorted(
        f"{screen}.png" for screen in tool.SCREENS
    )
