"""The kiosk's screens as a customer and an operator use them: keypad, QR, results, service mode."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from helpers.kiosk import PIN_HASH
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from kiosk.gui import theme
from kiosk.gui.qrimage import QUIET_ZONE, qr_matrix, qr_module_count, qr_pixmap
from kiosk.gui.screens.amount import AmountScreen
from kiosk.gui.screens.awaiting import AwaitingScreen
from kiosk.gui.screens.out_of_service import OutOfServiceScreen
from kiosk.gui.screens.qr import QrScreen
from kiosk.gui.screens.result import ResultScreen
from kiosk.gui.screens.service import RESOLVE_NOTE, ServiceScreen
from kiosk.gui.texts import LANGS, TEXTS, format_amount, format_countdown, method_label, tr
from kiosk.gui.worker import Worker
from kiosk.pinlock import FIRST_DELAY as LOCKOUT_SECONDS

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
TOKEN = "https://qr.kaspi.kz/0123456789abcdef0123"
T = "\u2009"  # thin space between thousands
NB = "\u00a0"  # no-break space before the sign


def shown(qtbot: QtBot, widget: QWidget, size: tuple[int, int] = PORTRAIT) -> None:
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)


def button(widget: QWidget, name: str) -> QPushButton:
    found = widget.findChild(QPushButton, name)
    assert found is not None, name
    return found


def label(widget: QWidget, name: str) -> QLabel:
    found = widget.findChild(QLabel, name)
    assert found is not None, name
    return found


def cell(table: QTableWidget, row: int, col: int) -> str:
    item = table.item(row, col)
    assert item is not None, (row, col)
    return item.text()


def click(qtbot: QtBot, widget: QWidget, name: str) -> None:
    qtbot.mouseClick(button(widget, name), Qt.MouseButton.LeftButton)


# --- texts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "lang", "text"),
    [
        (Decimal(1250), "ru", f"1{T}250{NB}₸"),
        (Decimal(500000), "ru", f"500{T}000{NB}₸"),
        (Decimal(7), "kk", f"7{NB}₸"),
        (Decimal("1250.50"), "ru", f"1{T}250,50{NB}₸"),
        (Decimal("1250.5"), "en", f"1{T}250.50{NB}₸"),
        (Decimal("999999999.00"), "ru", f"999{T}999{T}999{NB}₸"),
        ("100.50", "ru", f"100,50{NB}₸"),
        ("garbled", "ru", "garbled"),
    ],
)
def test_format_amount(amount: Decimal | str, lang: str, text: str) -> None:
    assert format_amount(amount, lang) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (165, "2:45"),
        (164.2, "2:45"),
        (59.5, "1:00"),
        (60, "1:00"),
        (9, "0:09"),
        (0.01, "0:01"),
        (0, "0:00"),
        (-3, "0:00"),
        (float("nan"), "0:00"),
        (3600, "60:00"),
    ],
)
def test_format_countdown(seconds: float, text: str) -> None:
    assert format_countdown(seconds) == text


def test_every_text_has_all_languages_with_the_same_fields() -> None:
    import string

    for message_id, entry in TEXTS.items():
        assert set(entry) == set(LANGS), message_id
        fields = {
            lang: {f for _, f, _, _ in string.Formatter().parse(text) if f}
            for lang, text in entry.items()
        }
        assert all(text.strip() for text in entry.values()), message_id
        assert len({frozenset(f) for f in fields.values()}) == 1, message_id


def test_payment_method_labels() -> None:
    assert method_label("Gold") == "Kaspi Gold"
    assert method_label("Red", "en") == "Kaspi Red"
    assert method_label("Loan", "ru") == "Кредит / Рассрочка"
    assert method_label("Loan", "kk") == "Кредит / Бөліп төлеу"
    assert method_label("Bonus") == "Bonus"


# --- amount screen ----------------------------------------------------------------------------


@pytest.fixture
def amount_screen(qtbot: QtBot) -> AmountScreen:
    screen = AmountScreen(Decimal(100), Decimal(500000))
    shown(qtbot, screen)
    return screen


def test_keypad_clicks_type_the_amount_and_pay_emits_it(
    qtbot: QtBot, amount_screen: AmountScreen
) -> None:
    pay = button(amount_screen, "pay_button")
    assert not pay.isEnabled()
    for digit in "1250":
        click(qtbot, amount_screen, f"key_{digit}")
    assert amount_screen.amount() == Decimal(1250)
    assert amount_screen.display.text() == f"1{T}250{NB}₸"
    assert pay.isEnabled()
    with qtbot.waitSignal(amount_screen.pay_requested) as blocker:
        qtbot.mouseClick(pay, Qt.MouseButton.LeftButton)
    assert blocker.args == [Decimal(1250)]
    assert isinstance(blocker.args[0], Decimal)


def test_hardware_keyboard_types_and_enter_pays(qtbot: QtBot, amount_screen: AmountScreen) -> None:
    qtbot.keyClicks(amount_screen, "00730")
    assert amount_screen.amount() == Decimal(730)  # leading zeros say nothing
    qtbot.keyClick(amount_screen, Qt.Key.Key_Backspace)
    assert amount_screen.amount() == Decimal(73)
    qtbot.keyClicks(amount_screen, "0")
    with qtbot.waitSignal(amount_screen.pay_requested) as blocker:
        qtbot.keyClick(amount_screen, Qt.Key.Key_Return)
    assert blocker.args == [Decimal(730)]
    qtbot.keyClick(amount_screen, Qt.Key.Key_Escape)
    assert amount_screen.amount() == Decimal(0)


def test_enter_out_of_range_does_not_pay(qtbot: QtBot, amount_screen: AmountScreen) -> None:
    with qtbot.assertNotEmitted(amount_screen.pay_requested):
        qtbot.keyClick(amount_screen, Qt.Key.Key_Enter)  # nothing typed
        qtbot.keyClicks(amount_screen, "99")
        qtbot.keyClick(amount_screen, Qt.Key.Key_Enter)
        click(qtbot, amount_screen, "pay_button")  # disabled: the click does nothing


def test_backspace_and_clear_buttons(qtbot: QtBot, amount_screen: AmountScreen) -> None:
    for digit in "4567":
        click(qtbot, amount_screen, f"key_{digit}")
    click(qtbot, amount_screen, "key_back")
    assert amount_screen.amount() == Decimal(456)
    click(qtbot, amount_screen, "key_clear")
    assert amount_screen.amount() == Decimal(0)
    assert amount_screen.display.text() == f"0{NB}₸"
    assert amount_screen.display.property("role") == "display_empty"
    click(qtbot, amount_screen, "key_back")  # on nothing: still nothing
    assert amount_screen.amount() == Decimal(0)


def test_nine_digits_at_most(qtbot: QtBot) -> None:
    screen = AmountScreen(Decimal(1), Decimal(10) ** 12)
    shown(qtbot, screen)
    qtbot.keyClicks(screen, "1234567890")
    click(qtbot, screen, "key_5")
    assert screen.amount() == Decimal(123456789)
    assert screen.can_pay()


@pytest.mark.parametrize(
    ("typed", "payable"),
    [
        ("99", False),
        ("100", True),
        ("250000", True),
        ("500000", True),
        ("500001", False),
        ("999999999", False),
    ],
)
def test_pay_only_inside_the_range(
    qtbot: QtBot, amount_screen: AmountScreen, typed: str, payable: bool
) -> None:
    qtbot.keyClicks(amount_screen, typed)
    assert button(amount_screen, "pay_button").isEnabled() is payable
    hint = amount_screen.hint
    if payable:
        assert hint.text() == f"от 100 до 500{T}000{NB}₸"
        assert hint.property("role") == "hint"
    else:
        assert hint.property("role") == "hint_error"
        limit = f"100{NB}₸" if int(typed) < 100 else f"500{T}000{NB}₸"
        assert limit in hint.text()


def test_message_line_shows_and_hides(amount_screen: AmountScreen) -> None:
    notice = label(amount_screen, "amount_message")
    assert not notice.isVisible()
    amount_screen.set_message("Сервис временно недоступен, попробуйте ещё раз")
    assert notice.isVisible()
    assert notice.text() == "Сервис временно недоступен, попробуйте ещё раз"
    amount_screen.set_message(None)
    assert not notice.isVisible()


def test_every_touch_and_key_is_activity(qtbot: QtBot, amount_screen: AmountScreen) -> None:
    with qtbot.waitSignal(amount_screen.activity):
        click(qtbot, amount_screen, "key_3")
    with qtbot.waitSignal(amount_screen.activity):
        qtbot.keyClick(amount_screen, Qt.Key.Key_4)
    with qtbot.waitSignal(amount_screen.activity):
        qtbot.mouseClick(amount_screen.title, Qt.MouseButton.LeftButton)  # not a button


def test_language_switch_changes_texts_and_reset_returns_to_russian(
    qtbot: QtBot, amount_screen: AmountScreen
) -> None:
    assert amount_screen.title.text() == "Введите сумму"
    assert button(amount_screen, "lang_ru").isChecked()
    with qtbot.waitSignal(amount_screen.language_changed) as blocker:
        click(qtbot, amount_screen, "lang_kk")
    assert blocker.args == ["kk"]
    assert amount_screen.title.text() == "Соманы енгізіңіз"
    assert button(amount_screen, "pay_button").text() == "Төлеу"
    click(qtbot, amount_screen, "lang_en")
    qtbot.keyClicks(amount_screen, "1250")
    assert amount_screen.title.text() == "Enter the amount"
    assert button(amount_screen, "pay_button").text() == f"Pay 1{T}250{NB}₸"
    with qtbot.waitSignal(amount_screen.language_changed) as blocker:
        amount_screen.reset()
    assert blocker.args == ["ru"]
    assert amount_screen.amount() == Decimal(0)
    assert amount_screen.title.text() == "Введите сумму"
    with qtbot.assertNotEmitted(amount_screen.language_changed):
        amount_screen.reset()  # already Russian: nobody needs telling


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_touch_targets_are_big_and_inside_the_screen(qtbot: QtBot, size: tuple[int, int]) -> None:
    screen = AmountScreen(Decimal(1), Decimal(500000))
    shown(qtbot, screen, size)
    assert (screen.width(), screen.height()) == size
    buttons = screen.findChildren(QPushButton)
    assert len(buttons) == 12 + 1 + 3
    for b in buttons:
        assert b.height() >= theme.MIN_TOUCH_PX, b.objectName()
        top_left = b.mapTo(screen, b.rect().topLeft())
        assert screen.rect().contains(top_left) and screen.rect().contains(
            b.mapTo(screen, b.rect().bottomRight())
        ), b.objectName()
    assert screen.portrait is (size == PORTRAIT)


# --- QR image -----------------------------------------------------------------------------------


def _is_dark(image: QImage, x: int, y: int) -> bool:
    return QColor(image.pixel(x, y)).lightness() < 128


def assert_crisp_qr(image: QImage, content: str) -> int:
    """Every module a uniform square of whole pixels matching the matrix; a white quiet zone."""
    matrix = qr_matrix(content)
    modules = len(matrix)
    total = modules + 2 * QUIET_ZONE
    assert image.width() == image.height()
    assert image.width() % total == 0, "a fractional number of pixels per module"
    ppm = image.width() // total
    for row in range(total):
        for col in range(total):
            inside = QUIET_ZONE <= row < QUIET_ZONE + modules and QUIET_ZONE <= col < total - 4
            dark = inside and matrix[row - QUIET_ZONE][col - QUIET_ZONE]
            # Corners and centre of every module's square: all the same colour.
            for dy in (0, ppm // 2, ppm - 1):
                for dx in (0, ppm // 2, ppm - 1):
                    assert _is_dark(image, col * ppm + dx, row * ppm + dy) is dark, (row, col)
    return ppm


def test_qr_pixmap_has_whole_pixels_per_module_and_a_quiet_zone(qapp: QApplication) -> None:
    modules = qr_module_count(TOKEN)
    assert modules == len(qr_matrix(TOKEN)) >= 21
    pixmap = qr_pixmap(TOKEN, 500)
    ppm = assert_crisp_qr(pixmap.toImage(), TOKEN)
    assert ppm == 500 // (modules + 8)  # the largest whole size that fits
    assert pixmap.width() <= 500
    image = pixmap.toImage()
    band = QUIET_ZONE * ppm
    for i in range(pixmap.width()):
        for j in (0, band - 1, pixmap.width() - band, pixmap.width() - 1):
            assert not _is_dark(image, i, j) and not _is_dark(image, j, i)


def test_qr_pixmap_on_a_high_dpi_panel_uses_device_pixels(qapp: QApplication) -> None:
    pixmap = qr_pixmap(TOKEN, 300, device_pixel_ratio=2.0)
    assert pixmap.devicePixelRatio() == 2.0
    total = qr_module_count(TOKEN) + 8
    assert pixmap.width() == (600 // total) * total
    assert_crisp_qr(pixmap.toImage(), TOKEN)


def test_qr_pixmap_never_goes_below_one_pixel_per_module(qapp: QApplication) -> None:
    pixmap = qr_pixmap(TOKEN, 10)
    assert pixmap.width() == qr_module_count(TOKEN) + 8
    assert_crisp_qr(pixmap.toImage(), TOKEN)


# --- QR screen ------------------------------------------------------------------------------------


def qr_label(screen: QrScreen) -> QLabel:
    return label(screen, "qr_image")


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_qr_screen_shows_a_crisp_qr_methods_and_countdown(
    qtbot: QtBot, size: tuple[int, int]
) -> None:
    screen = QrScreen()
    shown(qtbot, screen, size)
    screen.show_preparing(Decimal(1250))
    assert screen.state == "preparing"
    assert qr_label(screen).pixmap().isNull()
    assert not button(screen, "cancel_button").isEnabled()

    screen.show_payment(TOKEN, Decimal(1250), ["Gold", "Red", "Loan", "Bonus"])
    qtbot.waitUntil(lambda: not qr_label(screen).pixmap().isNull())
    pixmap = qr_label(screen).pixmap()
    assert pixmap.width() >= 400  # large: readable from a phone held at arm's length
    assert_crisp_qr(pixmap.toImage(), TOKEN)
    assert screen.amount_label.text() == f"1{T}250{NB}₸"
    assert screen.method_texts() == ["Kaspi Gold", "Kaspi Red", "Кредит / Рассрочка", "Bonus"]
    chips = [c for c in screen.findChildren(QLabel, "method_chip") if c.isVisible()]
    assert [c.text() for c in chips] == screen.method_texts()
    screen.set_seconds_left(165, 180)
    assert screen.countdown.text() == "2:45"
    assert screen.countdown.bar.value() == round(165 / 180 * 1000)


def test_cancel_then_hide_qr_removes_it_at_once(qtbot: QtBot) -> None:
    screen = QrScreen()
    shown(qtbot, screen)
    screen.show_payment(TOKEN, Decimal(500), ["Gold"])
    assert screen.has_qr()
    with qtbot.waitSignal(screen.cancel_requested):
        click(qtbot, screen, "cancel_button")

    screen.hide_qr()
    assert qr_label(screen).pixmap().isNull()
    assert not screen.has_qr()
    assert qr_label(screen).text() == tr("qr.expired", "ru")
    assert screen.state == "expired"
    assert not button(screen, "cancel_button").isEnabled()
    with qtbot.assertNotEmitted(screen.cancel_requested):
        click(qtbot, screen, "cancel_button")
    screen.resize(*LANDSCAPE)  # a re-layout must not bring the dead QR back
    qtbot.wait(1)
    assert qr_label(screen).pixmap().isNull()

    screen.show_preparing(Decimal(700))  # the next sale starts clean
    assert qr_label(screen).text() == ""
    screen.show_payment(TOKEN + "x", Decimal(700), [])
    assert screen.has_qr() and button(screen, "cancel_button").isEnabled()
    assert screen.method_texts() == []


def test_qr_screen_retranslates(qtbot: QtBot) -> None:
    screen = QrScreen()
    shown(qtbot, screen, LANDSCAPE)
    screen.show_payment(TOKEN, Decimal("1250.5"), ["Loan"])
    screen.retranslate("en")
    assert screen.instruction.text() == "Scan the QR code with the Kaspi.kz app"
    assert screen.method_texts() == ["Credit / Instalments"]
    assert screen.amount_label.text() == f"1{T}250.50{NB}₸"
    assert button(screen, "cancel_button").text() == "Cancel"
    screen.hide_qr()
    screen.retranslate("kk")
    assert qr_label(screen).text() == tr("qr.expired", "kk")


# --- awaiting, result, out of service -----------------------------------------------------------


def test_awaiting_screen_amount_and_countdown(qtbot: QtBot) -> None:
    screen = AwaitingScreen()
    qtbot.addWidget(screen)
    screen.show(Decimal(1250))  # a top-level screen is shown too
    assert screen.isVisible()
    assert screen.amount_label.text() == f"1{T}250{NB}₸"
    assert screen.title.text() == "Подтвердите оплату в приложении Kaspi.kz"
    screen.set_seconds_left(64.2, 65)
    assert screen.countdown.text() == "1:05"
    screen.set_seconds_left(0, 65)
    assert screen.countdown.text() == "0:00" and screen.countdown.bar.value() == 0
    assert screen.findChildren(QPushButton) == []  # no way to pretend to cancel a scanned QR
    screen.retranslate("en")
    assert screen.title.text() == "Confirm the payment in the Kaspi.kz app"


# The offscreen platform cannot hand a top-level window's size limits to a window
# system and warns whenever a layout changes them; that means nothing here.
@pytest.mark.qt_log_ignore("does not support propagateSizeHints")
def test_awaiting_show_inside_a_stack_does_not_cover_the_current_page(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QStackedWidget

    stack = QStackedWidget()
    current, awaiting = QWidget(), AwaitingScreen()
    stack.addWidget(current)
    stack.addWidget(awaiting)
    shown(qtbot, stack)
    awaiting.show(Decimal(10))
    assert not awaiting.isVisible() and current.isVisible()
    assert awaiting.amount_label.text() == f"10{NB}₸"


def icon_colour(screen: ResultScreen) -> str:
    image = screen.icon.grab().toImage()
    # Inside the circle, above the check or the cross.
    return QColor(image.pixel(image.width() // 2, image.height() // 6)).name().upper()


def test_result_success_error_countdown_and_done(qtbot: QtBot) -> None:
    screen = ResultScreen()
    shown(qtbot, screen)
    screen.show_success(Decimal(1250))
    screen.set_seconds_left(5)
    assert screen.kind == "success"
    assert screen.headline.text() == "Оплачено"
    assert screen.amount_label.text() == f"1{T}250{NB}₸"
    assert screen.detail.text() == "Спасибо за покупку!"
    assert screen.back_in.text() == "Вернёмся в начало через 5 с"
    assert icon_colour(screen) == theme.SUCCESS.upper()

    screen.show_error("Время для оплаты истекло. Вы можете начать заново.")
    screen.set_seconds_left(2.2)
    assert screen.headline.text() == "Оплата не прошла"
    assert screen.detail.text() == "Время для оплаты истекло. Вы можете начать заново."
    assert not screen.amount_label.isVisible()
    assert screen.back_in.text() == "Вернёмся в начало через 3 с"
    assert icon_colour(screen) == theme.KASPI_RED.upper()
    screen.retranslate("en")
    assert screen.back_in.text() == "Back to start in 3 s"
    assert button(screen, "done_button").text() == "Done"
    with qtbot.waitSignal(screen.done):
        click(qtbot, screen, "done_button")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_out_of_service_counts_down_to_the_retry(qtbot: QtBot) -> None:
    clock = FakeClock()
    screen = OutOfServiceScreen(clock=clock)
    shown(qtbot, screen, LANDSCAPE)
    screen.show_reason("the bank does not answer: connection refused", 12)
    assert screen.headline.text() == "Временно не работает"
    assert screen.reason.text() == "the bank does not answer: connection refused"
    assert screen.retry.text() == "Повторная проверка через 12 с"
    clock.now += 2.5
    screen.refresh()
    assert screen.retry.text() == "Повторная проверка через 10 с"
    clock.now += 10
    screen.refresh()
    assert screen.retry.text() == "Проверяем…"
    screen.retranslate("en")
    assert screen.headline.text() == "Temporarily out of service"
    screen.show_reason("", None)
    assert screen.retry.text() == "" and not screen.reason.isVisible()


# --- service mode ---------------------------------------------------------------------------


class FakeBackend:
    """Records calls; `run` uses the kiosk's real worker thread, as the app does."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.worker = Worker("test-service")
        self.attention_rows = [
            {
                "sale_id": 44,
                "created_at": "2025-10-22T09:10:50+00:00",
                "amount": "1250",
                "state": "processed",
                "reason": "paid_after_cancel",
                "qr_payment_id": 1000044,
                "note": None,
            },
            {
                "sale_id": 39,
                "created_at": "2025-10-21T09:01:00+00:00",
                "amount": "99990.00",
                "state": "processed",
                "reason": "amount_mismatch",
                "qr_payment_id": 1000039,
                "note": "TotalAmount 99000",
            },
        ]
        self.fail_check = False

    def run(
        self, job: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None]
    ) -> None:
        self.worker.submit(job, on_done)

    def _record(self, *call: Any) -> None:
        assert threading.current_thread() is not threading.main_thread(), "blocked the GUI"
        self.calls.append(call)

    def info(self) -> dict[str, str]:
        self._record("info")
        return {
            "Scheme": "standard",
            "Base URL": "https://mtokentest.kaspi.kz:8544/r2/v01",
            "Key password": "hunter2",
            "device_token": "2be4cc91",
            "Version": "0.1.0",
        }

    def recent_sales(self) -> list[dict[str, Any]]:
        self._record("recent_sales")
        return [
            {
                "sale_id": i,
                "created_at": "2025-10-22T09:10:50+00:00",
                "amount": "1250.50",
                "state": "failed",
                "reason": "scan_timeout",
                "qr_payment_id": 10 + i,
            }
            for i in range(50, 0, -1)
        ]

    def attention(self) -> list[dict[str, Any]]:
        self._record("attention")
        return list(self.attention_rows)

    def resolve(self, sale_id: int, note: str) -> None:
        self._record("resolve", sale_id, note)
        self.attention_rows = [r for r in self.attention_rows if r["sale_id"] != sale_id]

    def check_connection(self) -> str:
        self._record("check_connection")
        if self.fail_check:
            raise ConnectionError("connection refused")
        return "The bank answers (84 ms)"

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]


@pytest.fixture
def backend() -> Iterator[FakeBackend]:
    fake = FakeBackend()
    yield fake
    fake.worker.close()


def make_service(
    qtbot: QtBot, backend: Any, clock: FakeClock | None = None, size: tuple[int, int] = PORTRAIT
) -> ServiceScreen:
    screen = ServiceScreen(backend, PIN_HASH, clock=clock or FakeClock())
    shown(qtbot, screen, size)
    return screen


def enter_pin(qtbot: QtBot, screen: ServiceScreen, pin: str) -> None:
    for digit in pin:
        click(qtbot, screen, f"pin_{digit}")
    click(qtbot, screen, "pin_ok")


def test_wrong_pin_counts_down_tries_then_locks_out(qtbot: QtBot, backend: FakeBackend) -> None:
    clock = FakeClock()
    screen = make_service(qtbot, backend, clock)
    message = screen.pin_message
    enter_pin(qtbot, screen, "1111")
    assert not screen.is_unlocked()
    assert message.text() == "Неверный PIN-код. Осталось попыток: 2"
    enter_pin(qtbot, screen, "2469")
    assert message.text() == "Неверный PIN-код. Осталось попыток: 1"
    enter_pin(qtbot, screen, "0000")
    assert screen.is_locked_out()
    assert message.text() == f"Слишком много попыток. Подождите {int(LOCKOUT_SECONDS)} с"
    assert not button(screen, "pin_ok").isEnabled()
    screen.press_pin_digit("2")  # the hardware keyboard is locked out as well
    screen.submit_pin()
    qtbot.keyClicks(screen, "2468")
    qtbot.keyClick(screen, Qt.Key.Key_Return)
    assert not screen.is_unlocked()

    clock.now += LOCKOUT_SECONDS - 1
    assert screen.is_locked_out()
    clock.now += 1
    qtbot.waitUntil(lambda: button(screen, "pin_ok").isEnabled())
    assert message.text() == ""
    enter_pin(qtbot, screen, "2468")
    assert screen.is_unlocked()
    assert backend.calls == [] or set(backend.names()) <= {"attention", "info"}


def test_right_pin_opens_status_without_secrets(qtbot: QtBot, backend: FakeBackend) -> None:
    screen = make_service(qtbot, backend)
    qtbot.keyClicks(screen, "2468")
    qtbot.keyClick(screen, Qt.Key.Key_Enter)
    assert screen.is_unlocked() and screen.current_tab() == "status"
    table = screen.status_table
    qtbot.waitUntil(lambda: table.rowCount() == 3)
    keys = [cell(table, r, 0) for r in range(table.rowCount())]
    assert keys == ["Scheme", "Base URL", "Version"]
    shown_text = " ".join(cell(table, r, 1) for r in range(table.rowCount()))
    assert "hunter2" not in shown_text and "2be4cc91" not in shown_text
    qtbot.waitUntil(lambda: button(screen, "tab_attention").text() == "Внимание (2)")
    assert sorted(backend.names()) == ["attention", "info"]


def test_sales_tab_lists_the_last_sales(qtbot: QtBot, backend: FakeBackend) -> None:
    screen = make_service(qtbot, backend, size=LANDSCAPE)
    enter_pin(qtbot, screen, "2468")
    click(qtbot, screen, "tab_sales")
    table = screen.sales_table
    qtbot.waitUntil(lambda: table.rowCount() == 50)
    row = [cell(table, 0, c) for c in range(table.columnCount())]
    assert row[0] == "50"
    assert row[2] == f"1{T}250,50{NB}₸"
    assert row[3:] == ["не оплачено", "scan_timeout", "60"]
    assert row[1].startswith("22.10 ") or row[1].startswith("23.10 ")  # local time of day


def test_attention_resolved_goes_through_the_backend(qtbot: QtBot, backend: FakeBackend) -> None:
    screen = make_service(qtbot, backend)
    enter_pin(qtbot, screen, "2468")
    click(qtbot, screen, "tab_attention")
    qtbot.waitUntil(lambda: set(screen.resolve_buttons) == {44, 39})
    qtbot.waitUntil(lambda: button(screen, "resolve_44").isVisible())
    click(qtbot, screen, "resolve_44")
    qtbot.waitUntil(lambda: set(screen.resolve_buttons) == {39})
    assert ("resolve", 44, RESOLVE_NOTE) in backend.calls
    assert button(screen, "tab_attention").text() == "Внимание (1)"
    click(qtbot, screen, "resolve_39")
    qtbot.waitUntil(lambda: screen.resolve_buttons == {})
    assert button(screen, "tab_attention").text() == "Внимание"
    assert label(screen, "attention_message").text() == tr("service.no_attention")


def test_actions_check_connection_and_quit(qtbot: QtBot, backend: FakeBackend) -> None:
    screen = make_service(qtbot, backend)
    enter_pin(qtbot, screen, "2468")
    click(qtbot, screen, "tab_actions")
    click(qtbot, screen, "check_connection_button")
    qtbot.waitUntil(lambda: screen.check_result.text() == "The bank answers (84 ms)")
    backend.fail_check = True
    click(qtbot, screen, "check_connection_button")
    qtbot.waitUntil(lambda: screen.check_result.text() == "Нет связи: connection refused")
    assert backend.names().count("check_connection") == 2
    with qtbot.waitSignal(screen.quit_requested):
        click(qtbot, screen, "quit_button")


def test_exit_from_tabs_locks_again(qtbot: QtBot, backend: FakeBackend) -> None:
    screen = make_service(qtbot, backend)
    with qtbot.waitSignal(screen.exit_requested):
        click(qtbot, screen, "pin_exit")
    enter_pin(qtbot, screen, "2468")
    assert screen.is_unlocked()
    with qtbot.waitSignal(screen.exit_requested):
        click(qtbot, screen, "service_exit")
    assert not screen.is_unlocked()
    click(qtbot, screen, "pin_ok")  # nothing typed: not a wrong try
    assert screen.pin_message.text() == ""


class ManualBackend(FakeBackend):
    """Holds every job until the test answers it, to see late answers arrive."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[tuple[Callable[[], Any], Callable[[Any, BaseException | None], None]]]
        self.pending = []

    def run(
        self, job: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None]
    ) -> None:
        self.pending.append((job, on_done))

    def _record(self, *call: Any) -> None:
        self.calls.append(call)

    def answer_all(self) -> None:
        jobs, self.pending = self.pending, []
        for job, on_done in jobs:
            on_done(job(), None)


def test_answers_after_a_lock_or_a_newer_ask_are_dropped(qtbot: QtBot) -> None:
    backend = ManualBackend()
    screen = make_service(qtbot, backend)
    enter_pin(qtbot, screen, "2468")
    assert screen.status_table.rowCount() == 0
    assert label(screen, "status_message").text() == "Загрузка…"
    screen.lock()
    backend.answer_all()
    assert screen.status_table.rowCount() == 0  # locked: nothing rendered

    enter_pin(qtbot, screen, "2468")
    click(qtbot, screen, "refresh_status")
    assert len(backend.pending) == 3  # attention, status, status again
    first_status = backend.pending[1]
    backend.attention_rows = []
    backend.pending.remove(first_status)
    first_status[1]({"Stale": "yes"}, None)
    assert screen.status_table.rowCount() == 0
    backend.answer_all()
    assert screen.status_table.rowCount() == 3


def test_failed_load_says_why(qtbot: QtBot) -> None:
    backend = ManualBackend()
    screen = make_service(qtbot, backend)
    enter_pin(qtbot, screen, "2468")
    _, on_done = backend.pending[-1]
    on_done(None, OSError("journal is locked"))
    message = label(screen, "status_message")
    assert message.text() == "Не удалось загрузить: journal is locked"
    screen.retranslate("en")
    assert message.text() == "Could not load: journal is locked"
    assert button(screen, "tab_status").text() == "Status"


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_every_screen_fits_both_orientations(
    qtbot: QtBot, backend: FakeBackend, size: tuple[int, int]
) -> None:
    screens: list[QWidget] = [
        AmountScreen(Decimal(1), Decimal(500000)),
        QrScreen(),
        AwaitingScreen(),
        ResultScreen(),
        OutOfServiceScreen(),
        ServiceScreen(backend, PIN_HASH),
    ]
    for screen in screens:
        shown(qtbot, screen, size)
        assert (screen.width(), screen.height()) == size, type(screen).__name__
        for b in screen.findChildren(QPushButton):
            if b.isVisible():
                assert b.height() >= theme.MIN_TOUCH_PX, (type(screen).__name__, b.objectName())
