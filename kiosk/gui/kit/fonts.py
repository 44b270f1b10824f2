"""The kiosk's own font, Inter (SIL OFL 1.1), bundled so every platform draws the same letters.

Windows' Segoe UI and a Linux box's DejaVu differ in width by a fifth, which is the
difference between a Kazakh sentence that fits a button and one that is cut; Inter
covers Kazakh (ә ғ қ ң ө ұ ү һ і) and the tenge sign. Two weights only: Regular, and
Bold for every heavier weight the stylesheet asks for. The files and their licence
live in kiosk/assets/fonts (package data, and so in the installer through
collect_data_files("kiosk")).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QFontDatabase

log = logging.getLogger("kiosk.fonts")

FAMILY = "Inter"
FONT_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"
FILES = ("Inter-Regular.otf", "Inter-Bold.otf")

_loaded: list[str] = []


def load() -> list[str]:
    """Register the bundled font files with Qt (once); the families they provide.

    A missing or broken file is logged, not fatal: the kiosk then draws with the
    system's font, which is worse but still takes payments.
    """
    if _loaded:
        return list(_loaded)
    families: list[str] = []
    for name in FILES:
        font_id = QFontDatabase.addApplicationFont(str(FONT_DIR / name))
        if font_id < 0:
            log.error("font %s could not be loaded from %s", name, FONT_DIR)
            continue
        families.extend(QFontDatabase.applicationFontFamilies(font_id))
    _loaded.extend(dict.fromkeys(families))
    return list(_loaded)
