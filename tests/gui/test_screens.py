"""The customer's screens: keypad, QR, results, out of service; all in both orientations."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from helpers.kiosk import PIN_HASH
from helpers.screens import FakeBackend, FakeClock, button, click, label, shown
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.gui.kit import qrimage, theme
from kiosk.gui.kit.qrimage import QUIET_ZONE, QrView, qr_matrix, qr_module_count, qr_pixmap
from kiosk.gui.screens.amount import AmountScreen
from kiosk.gui.screens.awaiting import AwaitingScreen
from kiosk.gui.screens.out_of_service import OutOfServiceScreen
from kiosk.gui.screens.qr import QrScreen
from kiosk.gui.screens.result import ResultScreen
from kiosk.gui.service.screen import ServiceScreen
from kiosk.i18n import (
    LANGS,
    TEXTS,
    Message,
    format_amount,
    format_countdown,
    method_label,
    outage_code,
    reason_text,
    tr,
)
from kiosk.operator.access import PinLock
from kiosk.payment.sale import Reason, SaleState

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
TOKEN = "https://qr.kaspi.kz/0123456789abcdef0123"
T = "\u2009"  # thin space between thousands
NB = "\u00a0"  # no-break space before the sign


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
    assert hint.text() == f"от 100 до 500{T}000{NB}₸"
    if payable:
        assert hint.property("role") == "hint"
    else:
        # The range turns red, and the disabled Pay button says which way the amount is off.
        assert hint.property("role") == "hint_error"
        pay = button(amount_screen, "pay_button").text()
        assert pay == (f"Не меньше 100{NB}₸" if int(typed) < 100 else f"Не больше 500{T}000{NB}₸")


def test_no_more_digits_than_the_maximum_has(qtbot: QtBot, amount_screen: AmountScreen) -> None:
    qtbot.keyClicks(amount_screen, "1234567")
    assert amount_screen.amount() == Decimal(123456)  # the maximum 500 000 has six digits
    amount_screen.clear()
    assert button(amount_screen, "pay_button").text() == "Сначала введите сумму"
    assert not button(amount_screen, "pay_button").isEnabled()


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
    assert button(amount_screen, "pay_button").text() == "Алдымен соманы теріңіз"
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


def test_a_qr_view_encodes_its_content_once_however_often_it_is_resized(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Choosing the mask is pure Python (20-30 ms): a screen settling or a panel turning
    repaints the code at its new size from the same modules."""
    encoded: list[str] = []

    def counted(content: str, error_correction: int = 0) -> list[list[bool]]:
        encoded.append(content)
        return qr_matrix(content, error_correction)

    monkeypatch.setattr(qrimage, "qr_matrix", counted)
    view = QrView()
    shown(qtbot, view, (400, 400))
    view.set_content(TOKEN)
    for side in (300, 500, 250, 600):
        view.resize(side, side)
        qtbot.waitUntil(lambda side=side: view.target_px() == side)
        assert view.pixmap().width() <= side
    assert_crisp_qr(view.pixmap().toImage(), TOKEN)
    assert encoded == [TOKEN]
    view.set_content(TOKEN + "2")  # a new payment: its own modules
    assert_crisp_qr(view.pixmap().toImage(), TOKEN + "2")
    assert encoded == [TOKEN, TOKEN + "2"]


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
    assert qr_label(screen).text() == tr("customer.qr.expired", "ru")
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
    assert qr_label(screen).text() == tr("customer.qr.expired", "kk")


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


def test_out_of_service_counts_down_to_the_retry(qtbot: QtBot) -> None:
    clock = FakeClock()
    screen = OutOfServiceScreen(clock=clock)
    shown(qtbot, screen, LANDSCAPE)
    problem = Message("operator.outage.bank", {"detail": "connection refused"})
    screen.show_outage(problem, 12)
    assert screen.headline.text() == "Временно не работает"
    # The customer gets a code, never the operator's detail.
    assert screen.reason.text() == f"Код: {outage_code(problem)}"
    assert outage_code(problem).startswith("BANK-")
    shown_text = " ".join(w.text() for w in screen.findChildren(QLabel))
    assert "connection refused" not in shown_text and "bank" not in shown_text
    assert screen.retry.text() == "Повторная проверка через 12 с"
    clock.now += 2.5
    screen.refresh()
    assert screen.retry.text() == "Повторная проверка через 10 с"
    clock.now += 10
    screen.refresh()
    assert screen.retry.text() == "Проверяем…"
    screen.retranslate("en")
    assert screen.headline.text() == "Temporarily out of service"
    assert screen.reason.text() == f"Code: {outage_code(problem)}"
    screen.show_outage(Message("operator.outage.recovering", {"n": 5}), None)
    assert screen.subtitle.text() == "Checking earlier payments. This will not take long."
    assert "5" not in screen.subtitle.text() and screen.reason.text().startswith("Code: RCV-")
    screen.show_outage(None, None)
    assert screen.retry.text() == "" and not screen.reason.isVisible()


@pytest.fixture
def backend() -> Iterator[FakeBackend]:
    fake = FakeBackend()
    yield fake
    fake.worker.close()


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
        ServiceScreen(backend, PinLock(PIN_HASH)),
    ]
    for screen in screens:
        shown(qtbot, screen, size)
        assert (screen.width(), screen.height()) == size, type(screen).__name__
        for b in screen.findChildren(QPushButton):
            if b.isVisible():
                assert b.height() >= theme.MIN_TOUCH_PX, (type(screen).__name__, b.objectName())


def _luminance(color: QColor) -> float:
    """WCAG 2 relative luminance."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


@pytest.mark.parametrize("height", [40, 70, 120])
def test_the_empty_pin_dots_can_be_seen(qtbot: QtBot, height: int) -> None:
    """WCAG non-text contrast: an empty dot's ring at least 3:1 against the page."""
    from kiosk.gui.service.pin import PinDots

    dots = PinDots()
    qtbot.addWidget(dots)
    dots.resize(400, height)
    dots.set_count(0)
    image = QImage(dots.size(), QImage.Format.Format_RGB32)
    background = QColor(theme.BACKGROUND)
    image.fill(background)
    dots.render(image)
    darkest = min(
        (image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())),
        key=_luminance,
    )
    ratio = (_luminance(background) + 0.05) / (_luminance(darkest) + 0.05)
    assert ratio >= 3.0, darkest.name()


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_unknown_and_paid_but_differs_never_read_failed(qtbot: QtBot, lang: str) -> None:
    screen = ResultScreen()
    shown(qtbot, screen)
    screen.retranslate(lang)
    failed = tr("customer.result.failed", lang)
    waiting = reason_text(Reason.CONFIRM_TIMEOUT, SaleState.UNKNOWN, lang)
    unreachable = reason_text(Reason.BANK_UNREACHABLE, SaleState.UNKNOWN, lang)
    assert waiting != unreachable  # what is true per cause
    for text in (waiting, unreachable):
        screen.show_error(text, kind="unknown")
        assert screen.headline.text() == tr("customer.result.unknown", lang) != failed
        assert icon_colour(screen) != theme.KASPI_RED.upper()
    differs = reason_text(Reason.AMOUNT_MISMATCH, SaleState.PROCESSED, lang)
    screen.show_error(differs, kind="received", amount=Decimal(500))
    assert screen.headline.text() == tr("customer.result.received", lang) != failed
    assert screen.amount_label.isVisible()
