"""GUI tests run without a display: Qt's offscreen platform, set before Qt loads.

Every GUI test draws with the kiosk's bundled font, as the kiosk does on every
platform, so a layout measured here is the layout a customer sees.
"""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True, scope="session")
def _kiosk_font(qapp):  # type: ignore[no-untyped-def]
    from kiosk.gui.theme import kiosk_font

    qapp.setFont(kiosk_font())
    return qapp
