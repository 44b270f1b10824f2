"""The operator's flows in the real kiosk (real Qt loop, offscreen) against the sandbox (real mTLS).

Each test opens service mode with the gesture's signal, types the PIN on the pad and
works the touch screen the way an operator does; the sandbox's request log shows
what reached the bank.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from helpers.kiosk import PIN, kiosk_config
from helpers.screens import button, cell, label
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from kiosk import config as cfg
from kiosk.config import kaspi_settings
from kiosk.gui.demo.panel import DemoPanel
from kiosk.gui.service.screen import ServiceScreen
from kiosk.i18n import NO_BREAK_SPACE, tr
from kiosk.kaspi.client import KaspiClient
from kiosk.operator.access import FIRST_DELAY
from kiosk.payment.mode import KioskMode, OutOfServiceReason
from kiosk.payment.sale import SaleState
from kiosk.sandbox import Sandbox
from kiosk.sandbox.pki import issue_client_certificate


def click(qtbot: QtBot, widget: QWidget, name: str) -> None:
    """A finger on a button, as a person taps: not in the moment after a page changed
    (the window's TapGuard holds such presses back)."""
    guard = widget.window().tap_guard  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not guard.is_armed(), timeout=3000)
    qtbot.mouseClick(button(widget, name), Qt.MouseButton.LeftButton)


def open_service(qtbot: QtBot, shell: Any, pin: str = PIN) -> ServiceScreen:
    shell.window.service_requested.emit()
    screen = shell.window.service_screen
    assert isinstance(screen, ServiceScreen)
    qtbot.waitUntil(lambda: shell.window.screen_name == "service")
    for digit in pin:
        click(qtbot, screen, f"pin_{digit}")
    click(qtbot, screen, "pin_ok")
    return screen


def requests_to(sandbox: Sandbox, ending: str) -> list[Any]:
    return [r for r in sandbox.requests if r.path.endswith(ending) or ending in r.path]


def paid_sale(shell: Any, amount: str, *, late: bool = False) -> tuple[int, int]:
    """A sale as the kiosk journals it, paid at the sandbox; (sale id, payment id)."""
    journal, config = shell.journal, shell.config
    sale_id = journal.begin_sale(
        Decimal(amount),
        external_id=None,
        source="keypad",
        scheme=config.kaspi.scheme,
        device_id=config.device.device_id,
    )
    with KaspiClient(kaspi_settings(config)) as client:
        payment = client.create_qr(Decimal(amount))
        client.test_action("scan", payment.payment_id)
        client.test_action("confirm", payment.payment_id)
    journal.payment_created(sale_id, payment.payment_id, "x")
    if late:
        journal.set_state(sale_id, SaleState.CANCELLED)
    journal.set_state(sale_id, SaleState.PROCESSED, needs_refund=late)
    return sale_id, payment.payment_id


def tap(qtbot: QtBot, screen: ServiceScreen, name: str) -> None:
    """Touch a button, scrolling its list first as a finger would (it may be below the fold)."""
    target = button(screen, name)
    parent = target.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if parent is not None:
        parent.ensureWidgetVisible(target)
    qtbot.waitUntil(lambda: target.isVisible() and target.height() > 0)
    click(qtbot, screen, name)


def type_keys(qtbot: QtBot, screen: ServiceScreen, prefix: str, text: str) -> None:
    for char in text:
        click(qtbot, screen, f"{prefix}_{'comma' if char in ',.' else char}")


def message(screen: ServiceScreen, name: str) -> str:
    return label(screen, name).text()


# --- the PIN --------------------------------------------------------------------------------


def test_wrong_pin_and_lock_out_use_the_kiosks_access_object(
    qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Callable[..., Any]
) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox))
    screen = open_service(qtbot, shell, "1111")
    assert not screen.is_unlocked() and shell.pin_lock.tries_left == 2
    for _ in range(2):
        for digit in "9999":
            click(qtbot, screen, f"pin_{digit}")
        click(qtbot, screen, "pin_ok")
    assert shell.pin_lock.is_locked()
    with qtbot.waitSignal(screen.exit_requested):
        click(qtbot, screen, "pin_exit")
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount")
    again = open_service(qtbot, shell)  # the right PIN while locked out: still locked
    assert not again.is_unlocked()
    assert again.pin_message.text().startswith("Слишком много попыток")
    assert shell.pin_lock.locked_for() > FIRST_DELAY - 5


# --- refunds --------------------------------------------------------------------------------


def test_enhanced_refund_above_the_available_amount_never_reaches_the_bank(
    qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Callable[..., Any]
) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox, "enhanced"))
    sale_id, payment_id = paid_sale(shell, "500")
    screen = open_service(qtbot, shell)
    click(qtbot, screen, "tab_refunds")
    qtbot.waitUntil(lambda: payment_id in screen.refunds_page.sales.buttons)
    tap(qtbot, screen, f"sale_{payment_id}")
    qtbot.waitUntil(lambda: screen.refunds_page.step == "amount")
    assert "500" in label(screen, "refund_details").text()
    russian = label(screen, "refund_details").text()
    screen.retranslate("kk")  # the payment's details follow the operator's language
    assert label(screen, "refund_details").text() not in ("", russian)
    screen.retranslate("ru")
    assert label(screen, "refund_details").text() == russian
    type_keys(qtbot, screen, "refund_amount", "500,01")
    click(qtbot, screen, "refund_send")
    assert "500.01" in message(screen, "refund_message") or "500,01" in message(
        screen, "refund_message"
    )
    assert not button(screen, "refund_yes").isVisible()
    assert requests_to(fast_sandbox, "/payment/return") == []
    # the whole amount: confirmed, sent once, journalled
    click(qtbot, screen, "refund_full")
    assert message(screen, "refund_message") == ""  # the refusal does not stand over it
    click(qtbot, screen, "refund_send")
    tap(qtbot, screen, "refund_yes")
    qtbot.waitUntil(lambda: screen.refunds_page.step == "result", timeout=10000)
    assert len(requests_to(fast_sandbox, "/payment/return")) == 1
    [record] = shell.journal.refunds.recent()
    assert record.amount == Decimal("500") and record.state.value == "done"
    # The sales tab shows the refund under the sale it refunded, as `kiosk journal` does.
    click(qtbot, screen, "tab_sales")
    table = screen.sales_page.table
    qtbot.waitUntil(lambda: table.rowCount() > 0 and cell(table, 0, 0) == str(sale_id))
    assert cell(table, 0, 3) == f"оплачено\nвозврат 500{NO_BREAK_SPACE}₸: выполнен"


def test_standard_refund_through_the_return_qr_end_to_end(
    qtbot: QtBot, sandbox_factory: Callable[..., Sandbox], start_kiosk: Callable[..., Any]
) -> None:
    sandbox = sandbox_factory(
        poll_interval=1,
        scan_timeout=4,
        confirm_timeout=4,
        return_poll_interval=0.3,
        return_scan_timeout=20,
    )
    shell = start_kiosk(kiosk_config(sandbox, "standard"))
    _, payment_id = paid_sale(shell, "750")
    screen = open_service(qtbot, shell)
    screen.retranslate("en")
    click(qtbot, screen, "tab_refunds")
    click(qtbot, screen, "refund_show_qr")
    page = screen.refunds_page
    qtbot.waitUntil(lambda: page.return_panel.qr.has_qr(), timeout=10000)
    assert page.return_panel.watch is not None
    sandbox.scan_return(page.return_panel.watch.return_id)  # the customer scans
    qtbot.waitUntil(lambda: payment_id in page.customer.buttons, timeout=10000)
    tap(qtbot, screen, f"op_{payment_id}")
    qtbot.waitUntil(lambda: page.step == "amount", timeout=10000)
    type_keys(qtbot, screen, "refund_amount", "250")
    click(qtbot, screen, "refund_send")
    assert "250" in label(screen, "refund_question").text()
    tap(qtbot, screen, "refund_yes")
    qtbot.waitUntil(lambda: page.step == "result", timeout=10000)
    assert "Refunded" in label(screen, "refund_result").text()
    paths = [r.path.split("/v01")[-1] for r in sandbox.requests if "/test/" not in r.path]
    order = [p for p in paths if p.split("/")[1] in ("return", "payment")]
    assert order[0] == "/return/create" and "/return/operations" in order
    assert order[-2:] == ["/payment/details", "/payment/return"]
    [call] = requests_to(sandbox, "/payment/return")
    assert call.body["QrPaymentId"] == payment_id and call.body["Amount"] == 250


def test_a_purchase_not_in_the_customers_list_is_refused(
    qtbot: QtBot, sandbox_factory: Callable[..., Sandbox], start_kiosk: Callable[..., Any]
) -> None:
    sandbox = sandbox_factory(
        poll_interval=1, scan_timeout=4, confirm_timeout=4, return_poll_interval=0.3
    )
    shell = start_kiosk(kiosk_config(sandbox, "standard"))
    sale_id, payment_id = paid_sale(shell, "100", late=True)
    for _ in range(10):  # ten newer purchases push it out of the customer's last ten
        paid_sale(shell, "1")
    screen = open_service(qtbot, shell)
    click(qtbot, screen, "tab_attention")
    qtbot.waitUntil(lambda: f"attention_refund_{sale_id}" in screen.attention_page.buttons)
    tap(qtbot, screen, f"attention_refund_{sale_id}")  # one tap: the return QR comes up
    page = screen.refunds_page
    qtbot.waitUntil(lambda: page.return_panel.watch is not None, timeout=10000)
    sandbox.scan_return(page.return_panel.watch.return_id)
    expected = tr("problem.refund.not_in_list", "ru", payment=payment_id)
    qtbot.waitUntil(lambda: message(screen, "refund_message") == expected, timeout=10000)
    assert requests_to(sandbox, "/payment/return") == []
    assert requests_to(sandbox, "/payment/details") == []


def test_the_return_qr_times_out_after_a_last_read(
    qtbot: QtBot, sandbox_factory: Callable[..., Sandbox], start_kiosk: Callable[..., Any]
) -> None:
    sandbox = sandbox_factory(
        poll_interval=1,
        scan_timeout=4,
        confirm_timeout=4,
        return_poll_interval=0.5,
        return_scan_timeout=1.5,
    )
    shell = start_kiosk(kiosk_config(sandbox, "standard"))
    screen = open_service(qtbot, shell)
    click(qtbot, screen, "tab_refunds")
    click(qtbot, screen, "refund_show_qr")
    page = screen.refunds_page
    qtbot.waitUntil(lambda: page.return_panel.qr.has_qr(), timeout=10000)
    qtbot.waitUntil(lambda: page.return_panel.watch is None, timeout=10000)
    assert not page.return_panel.qr.has_qr()
    assert page.return_panel.qr.text() == tr("problem.return.expired", "ru")
    reads = requests_to(sandbox, "/return/status/")
    assert reads and reads[-1].time - reads[0].time >= 1.5 - 0.05  # the last one at the deadline
    assert requests_to(sandbox, "/return/operations") == []


def test_scheme_basic_says_refunds_are_in_kaspi_pay(
    qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Callable[..., Any]
) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox, "basic"))
    screen = open_service(qtbot, shell)
    screen.retranslate("kk")
    click(qtbot, screen, "tab_refunds")
    assert label(screen, "refund_basic").isVisible()
    assert label(screen, "refund_basic").text() == tr("service.refund.basic", "kk")
    assert not button(screen, "refund_show_qr").isVisible()


def test_hand_over_from_the_attention_list(
    qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Callable[..., Any]
) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox))
    sale_id, _ = paid_sale(shell, "300", late=True)
    screen = open_service(qtbot, shell)
    qtbot.waitUntil(lambda: button(screen, "tab_attention").text() == "Внимание (1)")
    click(qtbot, screen, "tab_attention")
    qtbot.waitUntil(lambda: f"attention_handed_{sale_id}" in screen.attention_page.buttons)
    tap(qtbot, screen, f"attention_handed_{sale_id}")
    tap(qtbot, screen, "attention_yes")
    qtbot.waitUntil(lambda: shell.journal.unsettled() == [])
    assert shell.journal.events(sale_id)[-1].detail["action"] == "handed_over"
    qtbot.waitUntil(lambda: button(screen, "tab_attention").text() == "Внимание")


def test_the_attention_tab_counts_refunds_to_check_too(
    qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Callable[..., Any]
) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox))
    refund = shell.journal.refunds.begin(
        777, Decimal("10.00"), scheme="standard", source="operator"
    )
    shell.journal.refunds.unknown(refund, "no answer from the bank")
    screen = open_service(qtbot, shell)
    qtbot.waitUntil(lambda: button(screen, "tab_attention").text() == "Внимание (1)")


# --- registration ---------------------------------------------------------------------------


def test_registration_errors_are_sentences_and_registering_works(
    qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Callable[..., Any]
) -> None:
    path = kiosk_config(fast_sandbox)
    shell = start_kiosk(path)
    screen = open_service(qtbot, shell)
    screen.retranslate("en")
    click(qtbot, screen, "tab_device")
    assert "Registered: KIOSK-001" in label(screen, "device_state").text()
    click(qtbot, screen, "device_points")
    page = screen.device_page
    qtbot.waitUntil(lambda: 3 in page.points.buttons)
    tap(qtbot, screen, "point_3")  # disabled in Kaspi Pay
    tap(qtbot, screen, "device_yes")
    want = tr("problem.code.990000018", "en")
    qtbot.waitUntil(lambda: message(screen, "device_message") == want)
    tap(qtbot, screen, "point_2")  # the device is registered at 1 already
    tap(qtbot, screen, "device_yes")
    want = tr("problem.code.-1503", "en")
    qtbot.waitUntil(lambda: message(screen, "device_message") == want)
    assert cfg.load(path).device.trade_point_id == 1
    # unregister, then register again at trade point 2: the kiosk reloads its config
    click(qtbot, screen, "device_unregister")
    tap(qtbot, screen, "device_yes")
    qtbot.waitUntil(lambda: cfg.load(path).kaspi.device_token == "", timeout=10000)
    click(qtbot, screen, "device_points")
    qtbot.waitUntil(lambda: 2 in page.points.buttons and page.points.isVisible())
    tap(qtbot, screen, "point_2")
    tap(qtbot, screen, "device_yes")
    qtbot.waitUntil(lambda: cfg.load(path).device.trade_point_id == 2, timeout=10000)
    qtbot.waitUntil(lambda: shell.config.kaspi.device_token != "", timeout=10000)
    with qtbot.waitSignal(screen.exit_requested):
        click(qtbot, screen, "service_exit")
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=15000)


# --- certificate and reload -------------------------------------------------------------------


def test_reload_with_a_swapped_certificate_needs_no_restart(
    qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Callable[..., Any]
) -> None:
    path = kiosk_config(fast_sandbox)
    shell = start_kiosk(path)
    screen = open_service(qtbot, shell)
    click(qtbot, screen, "tab_certificate")
    qtbot.waitUntil(lambda: label(screen, "cert_subject").text().startswith("CN="))
    pfx = issue_client_certificate(fast_sandbox.pki.dir, "swapped", "pw-swapped", days=40)
    cfg.write_value(path, "kaspi", "cert_file", str(pfx))
    click(qtbot, screen, "cert_reload")  # the old password does not open the new file
    qtbot.waitUntil(lambda: "kaspi.key_password" in message(screen, "cert_message"))
    assert shell.config.kaspi.cert_file != str(pfx)  # still running on the old config
    cfg.write_value(path, "kaspi", "key_password", "pw-swapped")
    click(qtbot, screen, "cert_reload")
    qtbot.waitUntil(lambda: "kaspi.cert_file" in message(screen, "cert_message"), timeout=10000)
    assert "pw-swapped" not in message(screen, "cert_message")
    assert label(screen, "cert_subject").text().startswith("CN=swapped")
    assert "40" in label(screen, "cert_state").text() or "39" in label(screen, "cert_state").text()
    with qtbot.waitSignal(screen.exit_requested):
        click(qtbot, screen, "service_exit")
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=15000)
    before = len(fast_sandbox.requests)
    shell.health.check_now()  # the kiosk's own calls now present the new certificate
    qtbot.waitUntil(
        lambda: any(
            (r.client_subject or "").startswith("CN=swapped")
            for r in fast_sandbox.requests[before:]
        ),
        timeout=10000,
    )


def test_reloading_the_config_never_turns_the_customer_away(
    qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Callable[..., Any]
) -> None:
    """A reload interrupts nothing: the sales the idle re-check watches stay its business."""
    shell = start_kiosk(kiosk_config(fast_sandbox))
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=10000)
    sale_id, _ = paid_sale(shell, "300", late=True)  # a recent cancelled sale with a QR
    abandoned = shell.journal.begin_sale(
        Decimal(150), external_id=None, source="keypad", scheme="standard", device_id="KIOSK-001"
    )
    with KaspiClient(kaspi_settings(shell.config)) as client:
        payment = client.create_qr(Decimal(150))
    shell.journal.payment_created(abandoned, payment.payment_id, "x")
    shell.journal.set_state(abandoned, SaleState.CANCELLED)
    screen = open_service(qtbot, shell)
    click(qtbot, screen, "tab_certificate")
    causes: list[OutOfServiceReason] = []  # every outage the mode hears of from here on
    heard = shell.mode.out_of_service

    def listen(reason: str, cause: OutOfServiceReason) -> None:
        causes.append(cause)
        heard(reason, cause)

    shell.mode.out_of_service = listen
    qtbot.waitUntil(lambda: not shell.window.tap_guard.is_armed())  # the tab just changed
    click(qtbot, screen, "cert_reload")
    applied = tr("service.reload.done", "ru", changed="")
    qtbot.waitUntil(lambda: message(screen, "cert_message") == applied, timeout=10000)
    qtbot.waitUntil(lambda: shell.controller is not None, timeout=10000)  # booted again
    with qtbot.waitSignal(screen.exit_requested):
        click(qtbot, screen, "service_exit")
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=3000)
    qtbot.wait(500)
    assert shell.window.screen_name == "amount"
    assert causes == []
    assert shell.journal.get(sale_id).state is SaleState.PROCESSED  # nothing settled anew


# --- closing ----------------------------------------------------------------------------------


def test_closing_from_service_mode_asks_and_raises_nothing(
    qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Callable[..., Any]
) -> None:
    shell = start_kiosk(kiosk_config(fast_sandbox))
    screen = open_service(qtbot, shell)
    click(qtbot, screen, "tab_status")
    qtbot.waitUntil(lambda: "доступен" in label(screen, "status_bank").text())
    click(qtbot, screen, "tab_system")
    click(qtbot, screen, "system_quit")
    quits: list[bool] = []
    screen.quit_requested.connect(lambda: quits.append(True))
    tap(qtbot, screen, "system_yes")
    assert quits == [True]
    qtbot.wait(200)  # the fixture quits the kiosk a second time: no RuntimeError either


def test_a_removed_registration_stays_removed_until_the_operator_registers_again(
    qtbot: QtBot,
    fast_sandbox: Sandbox,
    start_kiosk: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = kiosk_config(fast_sandbox)
    shell = start_kiosk(path)
    screen = open_service(qtbot, shell)
    screen.retranslate("en")
    click(qtbot, screen, "tab_device")
    click(qtbot, screen, "device_unregister")
    tap(qtbot, screen, "device_yes")
    qtbot.waitUntil(lambda: cfg.load(path).kaspi.device_token == "", timeout=10000)
    qtbot.waitUntil(lambda: shell.config.kaspi.device_token == "", timeout=10000)
    registered_before = len(requests_to(fast_sandbox, "/device/register"))
    with qtbot.waitSignal(screen.exit_requested):
        click(qtbot, screen, "service_exit")
    qtbot.waitUntil(lambda: shell.window.screen_name == "out_of_service", timeout=10000)
    attempts: list[str] = []

    def starting(reason: str = "starting") -> None:
        attempts.append(reason)
        KioskMode.start(shell.mode, reason)

    monkeypatch.setattr(shell.mode, "start", starting)
    shell.retry_seconds = 0.2  # it tries its start-up again and again: never registering itself
    qtbot.waitUntil(lambda: len(attempts) >= 5, timeout=10000)
    # Each attempt passes through "starting"; a loaded machine spends much of 0.2 s cycles
    # there, so the verdict is read between two attempts, not at whatever moment 1.5 s ends.
    shell.retry_seconds = 1.0
    unregistered = tr("operator.outage.unregistered", "en")
    qtbot.waitUntil(lambda: shell.mode.reason == unregistered, timeout=10000)
    assert shell.window.screen_name == "out_of_service"
    assert len(requests_to(fast_sandbox, "/device/register")) == registered_before
    assert cfg.load(path).kaspi.device_token == ""
    # The operator registers it again: the kiosk sells.
    screen = open_service(qtbot, shell)
    click(qtbot, screen, "tab_device")
    click(qtbot, screen, "device_points")
    page = screen.device_page
    qtbot.waitUntil(lambda: 1 in page.points.buttons and page.points.isVisible())
    tap(qtbot, screen, "point_1")
    tap(qtbot, screen, "device_yes")
    qtbot.waitUntil(lambda: shell.config.kaspi.device_token != "", timeout=10000)
    assert not cfg.load(path).device.registration_removed
    with qtbot.waitSignal(screen.exit_requested):
        click(qtbot, screen, "service_exit")
    qtbot.waitUntil(lambda: shell.window.screen_name == "amount", timeout=15000)


def test_demo_mode_finishes_a_standard_refund_by_touch(
    qtbot: QtBot, sandbox_factory: Callable[..., Sandbox], start_kiosk: Callable[..., Any]
) -> None:
    """The phone strip offers 'customer scans the return QR' (F5 too) while service mode
    shows one: a demo operator can finish a scheme standard refund without a phone."""
    sandbox = sandbox_factory(
        poll_interval=1, scan_timeout=4, confirm_timeout=4, return_poll_interval=0.3
    )
    shell = start_kiosk(kiosk_config(sandbox, "standard"), demo_bar=DemoPanel)
    _, payment_id = paid_sale(shell, "750")
    panel = shell.window.findChild(DemoPanel)
    assert panel is not None
    screen = open_service(qtbot, shell)
    assert not panel.isVisible()  # no payment, no return QR: no phone
    click(qtbot, screen, "tab_refunds")
    click(qtbot, screen, "refund_show_qr")
    page = screen.refunds_page
    qtbot.waitUntil(lambda: page.return_panel.qr.has_qr(), timeout=10000)
    qtbot.waitUntil(panel.isVisible)
    assert panel.return_button.isVisible() and not panel.buttons["scan"].isVisible()
    qtbot.waitUntil(lambda: not shell.window.tap_guard.is_armed())
    qtbot.mouseClick(panel.return_button, Qt.MouseButton.LeftButton)  # the customer scans
    qtbot.waitUntil(lambda: payment_id in page.customer.buttons, timeout=10000)
    assert not panel.isVisible()  # the QR is gone: so is the phone
    assert "OK" in panel.status.text()


def test_f5_scans_the_return_qr_in_demo_mode(
    qtbot: QtBot, sandbox_factory: Callable[..., Sandbox], start_kiosk: Callable[..., Any]
) -> None:
    sandbox = sandbox_factory(
        poll_interval=1, scan_timeout=4, confirm_timeout=4, return_poll_interval=0.3
    )
    shell = start_kiosk(kiosk_config(sandbox, "standard"), demo_bar=DemoPanel)
    _, payment_id = paid_sale(shell, "750")
    screen = open_service(qtbot, shell)
    click(qtbot, screen, "tab_refunds")
    click(qtbot, screen, "refund_show_qr")
    page = screen.refunds_page
    qtbot.waitUntil(lambda: page.return_panel.qr.has_qr(), timeout=10000)
    shell.window.activateWindow()  # the keys are the window's: as at a kiosk, it is active
    qtbot.waitUntil(shell.window.isActiveWindow)
    QTest.keyClick(shell.window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: payment_id in page.customer.buttons, timeout=10000)


def test_a_config_typo_leaves_service_mode_open_with_the_problem_in_words(
    qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Callable[..., Any]
) -> None:
    """A wrong value: the kiosk is out of service, but its PIN can still be read, so the
    operator gets in and reads the key, the line and what to do — not only CFG-5334."""
    path = kiosk_config(fast_sandbox, kiosk__health_interval=-5)
    text = path.read_text(encoding="utf-8")
    line = 1 + text.split("health_interval")[0].count("\n")
    shell = start_kiosk(path, wait_for="out_of_service")
    screen = open_service(qtbot, shell)
    screen.retranslate("en")
    screen.show_config_problem()
    problem = label(screen, "service_config_problem")
    assert problem.isVisible()
    assert "kiosk.health_interval" in problem.text() and f"line {line} of" in problem.text()
    assert "Fix the file and leave service mode" in problem.text()


def test_a_config_that_is_not_toml_keeps_service_mode_shut(
    qtbot: QtBot, fast_sandbox: Sandbox, start_kiosk: Callable[..., Any]
) -> None:
    path = kiosk_config(fast_sandbox)
    path.write_text(path.read_text(encoding="utf-8") + "\n[kiosk\n", encoding="utf-8")
    shell = start_kiosk(path, wait_for="out_of_service")
    shell.window.service_requested.emit()
    qtbot.wait(300)
    assert shell.window.screen_name == "out_of_service"  # no PIN could be read: no way in
