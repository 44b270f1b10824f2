"""Start-up: the amount screen is up at once, and no sale starts before the kiosk is ready.

The first health ping is held back by the sandbox ("slow"), so the start-up window
lasts long enough to look at: the screen takes digits, Pay waits and says why, and the
host API tells the truth (ok false, "starting") and refuses sales.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from helpers.controller import HostApi
from helpers.journal import new_sale
from helpers.kiosk import (
    close_kiosks,
    current_payment,
    kiosk_config,
    press_pay,
    type_amount,
    wait_for_taps,
)
from PySide6.QtCore import Qt

from kiosk import config as cfg
from kiosk.config import KioskSection
from kiosk.gui.shell import startup
from kiosk.i18n import Message, outage_cause, tr
from kiosk.journal import Journal
from kiosk.options import parse_section
from kiosk.payment.mode import Mode, OutOfServiceReason
from kiosk.sandbox import Sandbox


def test_digits_are_taken_while_the_kiosk_starts_and_pay_waits_for_the_bank(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    path = kiosk_config(fast_sandbox)
    fast_sandbox.inject_fault("slow", count=1, path_contains="/health/ping", delay=2.0)
    shell = start_kiosk(path, wait_for=None)
    screen = shell.window.amount_screen
    # At once, before the bank clients exist: the amount screen, not selling.
    assert shell.window.screen_name == "amount"
    assert shell.mode.mode is Mode.STARTING and shell.controller is None
    assert screen.notice.isVisibleTo(screen)
    assert screen.notice.text() == tr("customer.amount.connecting", "ru")

    type_amount(qtbot, shell, 350)
    assert not screen.pay_button.isEnabled()
    press_pay(qtbot, shell)
    qtbot.keyClick(screen, Qt.Key.Key_Return)
    assert shell.window.screen_name == "amount" and shell.mode.mode is Mode.STARTING

    api = HostApi(path, qtbot)
    qtbot.waitUntil(lambda: shell.host_api is not None, timeout=10000)
    health = api.get("/health").json()
    assert health["ok"] is False and health["problem"] == "starting"
    assert health["screen"] == "amount" and health["bank_reachable"] is None
    refused = api.post("/sales", json={"amount": 100})
    assert refused.status_code == 503, refused.text
    assert shell.mode.mode is Mode.STARTING  # the ping is still held back: truly starting

    # The bank answers: Pay opens, and the digits typed meanwhile are still there.
    qtbot.waitUntil(lambda: shell.mode.can_sell, timeout=10000)
    assert screen.amount() == Decimal(350) and screen.pay_button.isEnabled()
    assert not screen.notice.isVisibleTo(screen)
    assert api.get("/health").json()["ok"] is True
    press_pay(qtbot, shell)
    current_payment(qtbot, shell)
    assert shell.controller.current.amount == Decimal(350)


def test_the_notice_follows_the_language_while_starting(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    path = kiosk_config(fast_sandbox)
    fast_sandbox.inject_fault("slow", count=1, path_contains="/health/ping", delay=2.0)
    shell = start_kiosk(path, wait_for=None)
    screen = shell.window.amount_screen
    wait_for_taps(qtbot, shell)  # the page just appeared: a person's tap lands a moment later
    assert not shell.mode.can_sell  # still connecting (the first ping is held 2 s)
    qtbot.mouseClick(screen.lang_buttons["kk"], Qt.MouseButton.LeftButton)
    assert screen.notice.text() == tr("customer.amount.connecting", "kk")
    qtbot.mouseClick(screen.lang_buttons["en"], Qt.MouseButton.LeftButton)
    assert screen.notice.text() == "Connecting to the bank…"


def test_a_bank_that_does_not_answer_at_start_turns_the_screen_out_of_service(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    path = kiosk_config(fast_sandbox, kaspi__retries=0)
    fast_sandbox.inject_fault("http500", count=0, path_contains="/health/ping")
    shell = start_kiosk(path, wait_for=None)
    assert shell.window.screen_name == "amount" and not shell.mode.can_sell
    qtbot.waitUntil(lambda: shell.window.screen_name == "out_of_service", timeout=10000)
    assert shell.mode.mode is Mode.OUT_OF_SERVICE
    assert "the bank does not answer" in (shell.problem or "")


def test_with_a_sale_to_settle_the_first_screen_says_so_instead_of_taking_digits(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    path = kiosk_config(fast_sandbox)
    journal = Journal.open(cfg.load(path).data_dir)
    sale_id = new_sale(journal)  # interrupted before qr/create: recovery settles it first
    journal.close()
    shell = start_kiosk(path, wait_for=None)
    assert shell.window.screen_name == "out_of_service" and not shell.mode.can_sell
    qtbot.waitUntil(lambda: shell.mode.can_sell, timeout=15000)
    assert shell.window.screen_name == "amount"
    assert shell.journal.get(sale_id).state.is_final


def test_clients_of_a_torn_down_start_up_are_closed_and_a_failure_is_a_cause() -> None:
    """What the start-up worker hands back: stale clients closed, never used; a failure the
    config check did not foresee is the operator's (config), with words for service mode."""
    closed: list[object] = []

    class Client:
        def close(self) -> None:
            closed.append(self)

    clients = startup.Clients(Client(), Client(), Client())  # type: ignore[arg-type]
    assert startup.clients_made(clients, None, current=False) is None
    assert len(closed) == 3
    assert startup.clients_made(clients, None, current=True) is clients
    odd = startup.clients_made(None, ValueError("no TLS today"), current=True)
    assert isinstance(odd, Message) and outage_cause(odd) is OutOfServiceReason.CONFIG
    assert odd.values == {"detail": "bank clients not made: no TLS today"}
    bad = startup.clients_made(None, cfg.ConfigError("kaspi.cert_file", "missing"), current=True)
    assert isinstance(bad, Message) and outage_cause(bad) is OutOfServiceReason.CONFIG
    assert bad.values == {"detail": "kaspi.cert_file: missing"}


def test_start_up_is_tried_again_after_the_configured_seconds() -> None:
    """kiosk.retry_seconds once a config was read; a full disk's sooner look still wins."""
    shell = SimpleNamespace(config=None, retry_seconds=None)
    assert startup.seconds_to_retry(shell) == startup.RETRY_SECONDS == 15.0
    shell.config = SimpleNamespace(kiosk=parse_section("kiosk", KioskSection, {"retry_seconds": 3}))
    assert startup.seconds_to_retry(shell) == 3.0
    assert startup.seconds_to_retry(shell, startup.FULL_RETRY_SECONDS) == 2.0
    assert startup.seconds_to_retry(shell, 30.0) == 3.0
    shell.retry_seconds = 0.2  # a GUI test's override
    assert startup.seconds_to_retry(shell) == 0.2


def test_a_finished_kiosk_is_freed_on_the_gui_thread_not_by_a_later_collection(
    qtbot: Any, fast_sandbox: Sandbox
) -> None:
    """start_kiosk's teardown (close_kiosks) frees each kiosk before it returns. Its loop
    variable kept the last one alive past its gc.collect(); so did the parts quit() hands
    to deleteLater() when a ping was in flight, until they were deleted. The kiosk was
    then freed by a later collection, often on a sandbox or worker thread of the next test."""
    import weakref

    from kiosk.gui.shell.kiosk import KioskShell

    shells = [KioskShell(kiosk_config(fast_sandbox))]
    shells[0].start(windowed=True)
    qtbot.waitUntil(lambda: shells[0].mode.can_sell, timeout=15000)

    def pings() -> int:
        return sum("/health/ping" in r.path for r in list(fast_sandbox.requests))

    fast_sandbox.inject_fault("slow", count=1, path_contains="/health/ping", delay=0.5)
    sent = pings()
    shells[0].health.check_now()
    qtbot.waitUntil(lambda: pings() > sent)  # in flight (answered in 0.5 s) as the kiosk quits
    gone = weakref.ref(shells[0])
    close_kiosks(shells)
    assert shells == [] and gone() is None


def test_a_base_url_of_another_scheme_keeps_the_kiosk_out_of_service_saying_so(
    qtbot: Any, fast_sandbox: Sandbox, start_kiosk: Any
) -> None:
    """Pings answer on any scheme's path while every qr/create fails there: refused at start."""
    path = kiosk_config(fast_sandbox)
    url = cfg.load(path).kaspi.base_url
    assert "/r2/" in url
    cfg.write_value(path, "kaspi", "base_url", url.replace("/r2/", "/r1/"))
    shell = start_kiosk(path, wait_for=None)
    qtbot.waitUntil(lambda: shell.window.screen_name == "out_of_service", timeout=10000)
    assert shell.mode.mode is Mode.OUT_OF_SERVICE and not shell.mode.can_sell
    problem = shell.problem or ""
    assert "kaspi.base_url" in problem and "kaspi.scheme is standard" in problem, problem
    health = HostApi(path, qtbot).get("/health").json()
    assert health["ok"] is False and "kaspi.base_url" in (health["problem"] or ""), health
