"""GUI tests run without a display: Qt's offscreen platform, set before Qt loads.

Every GUI test draws with the kiosk's bundled font, as the kiosk does on every
platform, so a layout measured here is the layout a customer sees.
"""

import gc
import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True, scope="session")
def _kiosk_font(qapp):  # type: ignore[no-untyped-def]
    from kiosk.gui.kit.theme import kiosk_font

    qapp.setFont(kiosk_font())
    # What exists now (the imported modules, the QApplication) lives as long as the run:
    # kept out of the collections after each test, which then see only what tests made
    # (each collection took 90 ms when it walked the whole heap).
    gc.freeze()
    return qapp


@pytest.fixture(autouse=True)
def _free_qt_objects_on_the_gui_thread(_kiosk_font) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """After each test, free what it left of Qt here, on the GUI thread.

    Widgets and kiosks sit in reference cycles (slots are closures over them), and
    pytest-qt only deleteLater()s the widgets it closed. Left to a later collection,
    they are freed on whichever thread runs it: a sandbox or worker thread of the next
    test (170 such collections in one run of this folder), and Qt objects deleted
    there warn ("Timers cannot be stopped from another thread") or crash. Set up
    before the test's own fixtures, this runs after all of them and after pytest-qt
    closed its widgets.
    """
    yield
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
