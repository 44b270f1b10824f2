"""Check every screen at physical panel sizes in a fresh process, e.g. under display scaling.

    QT_SCALE_FACTOR=2 python tests/helpers/layout_run.py 1920x1080 1080x1920

Display scaling must be set before Qt starts, hence a process of its own. Each size
is the panel's in device pixels; the window gets the logical size Qt works in (the
panel divided by the scale factor). Prints one line per problem; exit status 1 if any.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# tests/, not tests/helpers/ (whose kiosk.py would hide the kiosk package).
sys.path[0] = str(Path(__file__).resolve().parents[1])
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(sizes: list[str]) -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from helpers.gallery import Gallery
    from helpers.layout import check_layout, show_at

    from kiosk import i18n
    from kiosk.gui.kit.theme import kiosk_font
    from kiosk.i18n import LANGS

    i18n.set_strict(True)
    app.setFont(kiosk_font())
    factor = float(os.environ.get("QT_SCALE_FACTOR", "1") or 1)
    gallery = Gallery()
    problems = []
    for size in sizes:
        width, height = (round(int(v) / factor) for v in size.split("x"))
        for lang in LANGS:
            gallery.set_language(lang)
            for name, show in gallery.states().items():
                show()
                found = show_at(gallery.window, width, height) + check_layout(gallery.window)
                problems += [f"{size} at {factor:g}x {lang} {name}: {line}" for line in found]
    print("\n".join(problems) or "no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
