"""Every screen and service tab, at five panel sizes, in three languages, checked for layout faults.

The screens come from tests/helpers/gallery.py (service tabs from the service
screen's own registry); the checks from tests/helpers/layout.py: nothing overlaps,
nothing leaves the window, no text is cut, every button is a 9 mm touch target.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers.gallery import SIZES, Gallery
from helpers.layout import check_layout, rect_in, show_at
from PySide6.QtWidgets import QApplication

from kiosk.i18n import LANGS

pytestmark = pytest.mark.slow  # every screen drawn 15 times over: about 45 s in one process


@pytest.fixture(scope="module")
def gallery(qapp: QApplication) -> Iterator[Gallery]:
    made = Gallery()
    yield made
    made.window.quit()
    made.window.deleteLater()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_screen_fits_the_panel(gallery: Gallery, size: tuple[int, int], lang: str) -> None:
    width, height = size
    gallery.set_language(lang)
    problems = []
    for name, show in gallery.states().items():
        show()
        found = show_at(gallery.window, width, height) + check_layout(gallery.window)
        problems += [f"{name}: {line}" for line in found]
    assert problems == []


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_cancel_is_never_where_pay_was(gallery: Gallery, size: tuple[int, int]) -> None:
    """A double tap on Pay must not land on the Cancel of the sale it just started."""
    width, height = size
    states = gallery.states()
    states["amount"]()
    show_at(gallery.window, width, height)
    pay = rect_in(gallery.window.amount_screen.pay_button, gallery.window)
    states["qr"]()
    show_at(gallery.window, width, height)
    cancel = rect_in(gallery.window.qr_screen.cancel_button, gallery.window)
    assert gallery.window.qr_screen.cancel_button.isVisible()
    assert not pay.intersects(cancel), (pay, cancel)


def test_service_fits_after_the_panel_turns_from_portrait_to_landscape(gallery: Gallery) -> None:
    """The tab bar fixed to a portrait height must not keep that height beside the page."""
    gallery.set_language("kk")
    show = gallery.states()["service-sales"]
    problems = []
    for width, height in ((1080, 1920), (800, 480)):
        show()
        problems = show_at(gallery.window, width, height) + check_layout(gallery.window)
    assert problems == []
