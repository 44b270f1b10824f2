"""What waits for the first paint: imports, the start-up worker's jobs, sale screens.

The times are measured in bench/measure_startup.py; these tests hold the order and the
behaviour: nothing the first screen does not need is imported before it, the worker's
jobs run after the paint (and still run when the kiosk is torn down before it), and the
screens built later behave as if they had been there from the start.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from helpers.kiosk import kiosk_config
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from kiosk.gui.screens.navigator import Page
from kiosk.gui.screens.window import KioskWindow
from kiosk.gui.shell.startup import BankCatchUp
from kiosk.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[2]

#: Imported only once the window has painted (bank clients, sale, recovery, MDB).
NOT_BEFORE_THE_FIRST_PAINT = (
    "cryptography",
    "requests",
    "waitress",
    "kiosk.kaspi.tls",
    "kiosk.kaspi.client",
    "kiosk.operator.certificate",
    "kiosk.payment.recovery",
    "kiosk.payment.flow",
    "kiosk.mdb",
    "kiosk.gui.shell.mdb_bridge",
    "kiosk.gui.sale.controller",
    "kiosk.gui.sale.tracker",
    "kiosk.gui.screens.qr",
    "kiosk.gui.screens.awaiting",
    "kiosk.gui.screens.result",
    "kiosk.hostapi.app",
)


def test_the_kiosk_imports_nothing_before_its_first_screen_that_waits_until_after_it() -> None:
    code = (
        "import json, sys\n"
        "import kiosk.cli, kiosk.app.run, kiosk.gui.shell.kiosk, kiosk.gui.kit.theme\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(done.stdout))
    assert "kiosk.gui.screens.amount" in loaded  # the check sees the kiosk's modules
    assert sorted(loaded & set(NOT_BEFORE_THE_FIRST_PAINT)) == []


def test_held_jobs_run_in_order_on_release_and_a_stop_runs_them_but_keeps_holding(
    qtbot: QtBot,
) -> None:
    worker = BankCatchUp()
    ran: list[str] = []
    shell = QObject()
    worker.hold()
    worker.start_host_api(shell, lambda: ran.append("host API"))
    worker.start_host_api(shell, lambda: ran.append("second"))
    qtbot.wait(100)
    assert ran == []  # held
    worker.release()
    qtbot.waitUntil(lambda: ran == ["host API", "second"], timeout=5000)
    worker.release()  # a second release changes nothing
    worker.start_host_api(shell, lambda: ran.append("after"))  # not held any more
    qtbot.waitUntil(lambda: ran[-1:] == ["after"], timeout=5000)

    # Torn down before the first paint: what was held runs, so the teardown can stop it;
    # and the hold stays (the kiosk's start-up begins with a teardown, while holding).
    worker.hold()
    worker.stop()
    worker.start_host_api(shell, lambda: ran.append("held at stop"))
    worker.stop()
    assert ran[-1] == "held at stop"
    worker.start_host_api(shell, lambda: ran.append("still held"))
    qtbot.wait(100)
    assert ran[-1] == "held at stop"
    worker.release()
    qtbot.waitUntil(lambda: ran[-1] == "still held", timeout=5000)
    worker.close()


def test_the_kiosk_holds_the_host_api_and_the_bank_clients_until_its_first_paint(
    qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    path = kiosk_config(fast_sandbox)
    shell = start_kiosk(path, wait_for=None)
    # start() has returned, the window is shown, no event has run yet: nothing went to the
    # worker (its start-up begins with a teardown, which must not end the hold).
    held = shell._catch_up._held
    assert held is not None and len(held) == 2  # the host API's start, the bank clients
    assert shell.window.screen_name == "amount" and shell.window._sale_screens is None
    qtbot.waitUntil(lambda: shell._catch_up._held is None, timeout=5000)  # painted
    qtbot.waitUntil(lambda: shell.host_api is not None and shell.mode.can_sell, timeout=15000)
    qtbot.waitUntil(lambda: shell.window._sale_screens is not None, timeout=5000)  # once ready


def test_after_first_paint_waits_for_the_paint_of_a_shown_window_only(qtbot: QtBot) -> None:
    window = KioskWindow(Decimal(1), Decimal(100))
    qtbot.addWidget(window)
    at_once: list[bool] = []
    window.after_first_paint(lambda: at_once.append(True))  # not shown: nothing to wait for
    assert at_once == [True]
    painted: list[bool] = []
    window.show_kiosk(fullscreen=False, hide_cursor=False)
    window.after_first_paint(lambda: painted.append(window.isVisible()))
    assert painted == []
    qtbot.waitUntil(lambda: painted == [True], timeout=5000)
    qtbot.wait(50)
    assert painted == [True]  # once
    assert window._sale_screens is None  # the window does not build them by itself
    window._allow_close = True


def test_a_sale_screen_asked_for_before_it_is_built_is_built_then_and_forwards_its_signals(
    qtbot: QtBot,
) -> None:
    window = KioskWindow(Decimal(1), Decimal(100))
    qtbot.addWidget(window)
    window.move_to(Page.QR)  # a sale before the first paint's timer: the page is built now
    assert window.screen_name == "qr" and window.stack.currentWidget() is window.qr_screen
    with qtbot.waitSignal(window.qr_cancel_requested, timeout=1000):
        window.qr_screen.cancel_requested.emit()
    with qtbot.waitSignal(window.result_done, timeout=1000):
        window.result_screen.done.emit()
    assert window.navigator.page("success") is window.navigator.page("error")
    pages = [window.stack.widget(i) for i in range(window.stack.count())]
    assert len(pages) == len(set(pages)) == 6  # amount, out of service, service, qr, wait, result
    window._allow_close = True
