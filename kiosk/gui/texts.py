"""Every string the kiosk's screens show, in Russian, Kazakh and English, and how money reads.

Strings live in one table keyed by message id so a translator sees all three
languages side by side; `tr` falls back to Russian (the default) and then to the
id itself, so a missing string never crashes a screen. No Qt here.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from kiosk.gui.service_texts import SERVICE_TEXTS
from kiosk.operator.texts import all_texts as operator_texts
from kiosk.sale import Reason, SaleState

LANGS: tuple[str, ...] = ("ru", "kk", "en")
DEFAULT_LANG = "ru"
#: What the language switch shows for each language.
LANG_NAMES: dict[str, str] = {"ru": "RU", "kk": "ҚАЗ", "en": "EN"}

THIN_SPACE = "\u2009"  # between thousands: "500 000"
NO_BREAK_SPACE = "\u00a0"  # before the sign, so "₸" never wraps onto a line of its own
TENGE = "₸"

TEXTS: dict[str, dict[str, str]] = {
    # --- amount screen ---------------------------------------------------------------------
    "brand": {"ru": "Kaspi QR", "kk": "Kaspi QR", "en": "Kaspi QR"},
    "amount.title": {
        "ru": "Введите сумму",
        "kk": "Соманы енгізіңіз",
        "en": "Enter the amount",
    },
    "amount.range": {
        "ru": "от {min} до {max}",
        "kk": "{min} – {max} аралығында",
        "en": "from {min} to {max}",
    },
    "amount.too_small": {
        "ru": "Минимальная сумма {min}",
        "kk": "Ең аз сома {min}",
        "en": "The smallest amount is {min}",
    },
    "amount.too_large": {
        "ru": "Максимальная сумма {max}",
        "kk": "Ең көп сома {max}",
        "en": "The largest amount is {max}",
    },
    "amount.pay": {"ru": "Оплатить", "kk": "Төлеу", "en": "Pay"},
    "amount.pay_sum": {"ru": "Оплатить {amount}", "kk": "{amount} төлеу", "en": "Pay {amount}"},
    # --- QR screen ----------------------------------------------------------------------------
    "qr.preparing": {
        "ru": "Создаём QR-код…",
        "kk": "QR-код жасалуда…",
        "en": "Creating the QR code…",
    },
    "qr.to_pay": {"ru": "К оплате", "kk": "Төлеуге", "en": "To pay"},
    "qr.to_pay_product": {
        "ru": "К оплате за товар № {product}",
        "kk": "№ {product} тауар үшін төлеуге",
        "en": "To pay for product {product}",
    },
    "qr.scan": {
        "ru": "Отсканируйте QR-код в приложении Kaspi.kz",
        "kk": "QR-кодты Kaspi.kz қосымшасында сканерлеңіз",
        "en": "Scan the QR code with the Kaspi.kz app",
    },
    "qr.scan_hint": {
        "ru": "Kaspi.kz → Kaspi QR → наведите камеру на код",
        "kk": "Kaspi.kz → Kaspi QR → камераны кодқа бағыттаңыз",
        "en": "Kaspi.kz → Kaspi QR → point the camera at the code",
    },
    "qr.time": {"ru": "Время на оплату", "kk": "Төлем уақыты", "en": "Time to pay"},
    "qr.expired": {
        "ru": "QR-код больше не действует.\nПроверяем оплату…",
        "kk": "QR-код енді жарамсыз.\nТөлемді тексеріп жатырмыз…",
        "en": "The QR code has expired.\nChecking the payment…",
    },
    "qr.cancel": {"ru": "Отмена", "kk": "Бас тарту", "en": "Cancel"},
    # Payment methods the bank lists next to the QR (PaymentMethods); unknown names show as is.
    "method.Gold": {"ru": "Kaspi Gold", "kk": "Kaspi Gold", "en": "Kaspi Gold"},
    "method.Red": {"ru": "Kaspi Red", "kk": "Kaspi Red", "en": "Kaspi Red"},
    "method.Loan": {
        "ru": "Кредит / Рассрочка",
        "kk": "Кредит / Бөліп төлеу",
        "en": "Credit / Instalments",
    },
    # --- awaiting confirmation -------------------------------------------------------------------
    "awaiting.title": {
        "ru": "Подтвердите оплату в приложении Kaspi.kz",
        "kk": "Төлемді Kaspi.kz қосымшасында растаңыз",
        "en": "Confirm the payment in the Kaspi.kz app",
    },
    "awaiting.hint": {
        "ru": "QR-код отсканирован. Осталось подтвердить оплату в телефоне.",
        "kk": "QR-код сканерленді. Төлемді телефонда растау қалды.",
        "en": "The QR code is scanned. Now confirm the payment on your phone.",
    },
    "awaiting.time": {
        "ru": "Время на подтверждение",
        "kk": "Растау уақыты",
        "en": "Time to confirm",
    },
    # --- result -----------------------------------------------------------------------------------
    "result.paid": {"ru": "Оплачено", "kk": "Төленді", "en": "Paid"},
    "result.thanks": {
        "ru": "Спасибо за покупку!",
        "kk": "Сатып алғаныңызға рахмет!",
        "en": "Thank you!",
    },
    "result.failed": {"ru": "Оплата не прошла", "kk": "Төлем өтпеді", "en": "Payment failed"},
    "result.back_in": {
        "ru": "Вернёмся в начало через {n} с",
        "kk": "{n} с кейін басына ораламыз",
        "en": "Back to start in {n} s",
    },
    "result.done": {"ru": "Готово", "kk": "Дайын", "en": "Done"},
    # --- out of service ---------------------------------------------------------------------------
    "oos.title": {
        "ru": "Временно не работает",
        "kk": "Уақытша жұмыс істемейді",
        "en": "Temporarily out of service",
    },
    "oos.subtitle": {
        "ru": "Оплата через Kaspi QR сейчас недоступна. Приносим извинения.",
        "kk": "Kaspi QR арқылы төлеу қазір қолжетімсіз. Кешірім сұраймыз.",
        "en": "Kaspi QR payments are not available right now. We apologise.",
    },
    "oos.retry_in": {
        "ru": "Повторная проверка через {n} с",
        "kk": "{n} с кейін қайта тексереміз",
        "en": "Retrying in {n} s",
    },
    "oos.retrying": {"ru": "Проверяем…", "kk": "Тексеріп жатырмыз…", "en": "Checking…"},
    # --- service mode (the operator) --------------------------------------------------------------
    "service.title": {"ru": "Сервисный режим", "kk": "Қызмет көрсету режимі", "en": "Service mode"},
    "service.enter_pin": {
        "ru": "Введите PIN-код",
        "kk": "PIN-кодты енгізіңіз",
        "en": "Enter the PIN",
    },
    "service.wrong_pin": {
        "ru": "Неверный PIN-код. Осталось попыток: {n}",
        "kk": "PIN-код қате. Қалған әрекет: {n}",
        "en": "Wrong PIN. Tries left: {n}",
    },
    "service.locked": {
        "ru": "Слишком много попыток. Подождите {n} с",
        "kk": "Тым көп әрекет. {n} с күтіңіз",
        "en": "Too many tries. Wait {n} s",
    },
    "service.ok": {"ru": "OK", "kk": "OK", "en": "OK"},
    "service.exit": {"ru": "Выход", "kk": "Шығу", "en": "Exit"},
    "service.tab.status": {"ru": "Состояние", "kk": "Күйі", "en": "Status"},
    "service.tab.sales": {"ru": "Продажи", "kk": "Сатылымдар", "en": "Sales"},
    "service.tab.attention": {"ru": "Внимание", "kk": "Назар", "en": "Attention"},
    "service.tab.actions": {"ru": "Действия", "kk": "Әрекеттер", "en": "Actions"},
    "service.refresh": {"ru": "Обновить", "kk": "Жаңарту", "en": "Refresh"},
    "service.loading": {"ru": "Загрузка…", "kk": "Жүктелуде…", "en": "Loading…"},
    "service.load_failed": {
        "ru": "Не удалось загрузить: {error}",
        "kk": "Жүктеу мүмкін болмады: {error}",
        "en": "Could not load: {error}",
    },
    "service.no_sales": {"ru": "Продаж пока нет", "kk": "Әзірге сатылым жоқ", "en": "No sales yet"},
    "service.no_attention": {
        "ru": "Всё в порядке: нет продаж, требующих внимания",
        "kk": "Бәрі дұрыс: назар қажет ететін сатылым жоқ",
        "en": "All clear: no sale needs attention",
    },
    "service.col.sale": {"ru": "№", "kk": "№", "en": "No."},
    "service.col.time": {"ru": "Время", "kk": "Уақыт", "en": "Time"},
    "service.col.amount": {"ru": "Сумма", "kk": "Сома", "en": "Amount"},
    "service.col.state": {"ru": "Состояние", "kk": "Күйі", "en": "State"},
    "service.col.reason": {"ru": "Причина", "kk": "Себебі", "en": "Reason"},
    "service.col.payment": {"ru": "Платёж", "kk": "Төлем", "en": "Payment id"},
    "service.needs_refund": {
        "ru": "Оплачено, но продажа не состоялась: верните деньги или выдайте товар",
        "kk": "Төленді, бірақ сатылым болмады: ақшаны қайтарыңыз немесе тауарды беріңіз",
        "en": "Paid but the sale did not happen: refund the money or hand over the goods",
    },
    "service.resolve": {"ru": "Решено", "kk": "Шешілді", "en": "Resolved"},
    "service.resolve_failed": {
        "ru": "Не удалось отметить: {error}",
        "kk": "Белгілеу мүмкін болмады: {error}",
        "en": "Could not mark it: {error}",
    },
    "service.check": {
        "ru": "Проверить связь",
        "kk": "Байланысты тексеру",
        "en": "Check connection",
    },
    "service.checking": {
        "ru": "Проверяем связь с банком…",
        "kk": "Банкпен байланысты тексеріп жатырмыз…",
        "en": "Checking the connection to the bank…",
    },
    "service.check_failed": {
        "ru": "Нет связи: {error}",
        "kk": "Байланыс жоқ: {error}",
        "en": "No connection: {error}",
    },
    "service.quit": {"ru": "Закрыть киоск", "kk": "Киоскіні жабу", "en": "Exit kiosk"},
    # Sale states as the operator reads them in the sales table (kiosk.sale.SaleState values).
    "state.creating": {"ru": "создаётся", "kk": "жасалуда", "en": "creating"},
    "state.qr": {"ru": "QR на экране", "kk": "QR экранда", "en": "QR shown"},
    "state.awaiting": {"ru": "ждёт подтверждения", "kk": "растауды күтуде", "en": "awaiting"},
    "state.processed": {"ru": "оплачено", "kk": "төленді", "en": "paid"},
    "state.failed": {"ru": "не оплачено", "kk": "төленбеді", "en": "failed"},
    "state.cancelled": {"ru": "отменено", "kk": "бас тартылды", "en": "cancelled"},
    "state.unknown": {"ru": "неизвестно", "kk": "белгісіз", "en": "unknown"},
    # Why a sale did not go through, for the error screen: whether money was taken and
    # what to do next (operators read the precise reason in the journal and the log).
    "reason.scan_timeout": {
        "ru": "Время для оплаты истекло. Вы можете начать заново.",
        "kk": "Төлем уақыты өтіп кетті. Қайтадан бастауға болады.",
        "en": "Time to pay has run out. You can start again.",
    },
    "reason.confirm_timeout": {
        "ru": "Оплата не подтверждена вовремя. Если деньги списались, банк вернёт их "
        "автоматически.",
        "kk": "Төлем уақытында расталмады. Ақша шешілсе, банк оны автоматты түрде қайтарады.",
        "en": "The payment was not confirmed in time. If money was taken, the bank returns it "
        "automatically.",
    },
    "reason.declined": {
        "ru": "Оплата отменена или отклонена в приложении Kaspi.kz.",
        "kk": "Төлем Kaspi.kz қосымшасында бас тартылды немесе қабылданбады.",
        "en": "The payment was cancelled or declined in the Kaspi.kz app.",
    },
    "reason.create_failed": {
        "ru": "Не удалось создать QR-код. Деньги не списаны. Попробуйте ещё раз.",
        "kk": "QR-код жасалмады. Ақша шешілген жоқ. Қайта көріңіз.",
        "en": "The QR code could not be created. No money was taken. Please try again.",
    },
    "reason.bank_unreachable": {
        "ru": "Нет связи с банком. Если деньги списались, обратитесь к оператору — платёж "
        "не потерян.",
        "kk": "Банкпен байланыс жоқ. Ақша шешілсе, операторға хабарласыңыз — төлем жоғалмайды.",
        "en": "No connection to the bank. If money was taken, ask the operator: the payment is "
        "not lost.",
    },
    "reason.needs_operator": {
        "ru": "Платёж получен, но требует проверки оператором. Пожалуйста, обратитесь к персоналу.",
        "kk": "Төлем алынды, бірақ операторлық тексеруді қажет етеді. Қызметкерге хабарласыңыз.",
        "en": "The payment arrived but needs a check by staff. Please ask the operator.",
    },
    "reason.generic": {
        "ru": "Оплата не прошла. Деньги не списаны.",
        "kk": "Төлем өтпеді. Ақша шешілген жоқ.",
        "en": "The payment did not go through. No money was taken.",
    },
}


# Service mode's pages and the operator's sentences live in their own tables (see there);
# merged here so `tr()` and a translator see one catalogue.
TEXTS.update(SERVICE_TEXTS)
TEXTS.update(operator_texts())


def tr(message_id: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The message in `lang` (Russian if missing), with `{name}` fields filled from `values`."""
    entry = TEXTS.get(message_id)
    if entry is None:
        return message_id
    text = entry.get(lang) or entry.get(DEFAULT_LANG) or message_id
    return text.format(**values) if values else text


def reason_text(reason: Reason | None, state: SaleState | None, lang: str = DEFAULT_LANG) -> str:
    """The error screen's sentence for a sale that ended with `state` because of `reason`."""
    if state is SaleState.PROCESSED:
        key = "needs_operator"  # paid, but the amount or the moment was wrong
    elif state is SaleState.UNKNOWN:
        key = "bank_unreachable"
    elif reason is not None and f"reason.{reason.value}" in TEXTS:
        key = reason.value
    else:
        key = "generic"
    return tr(f"reason.{key}", lang)


def method_label(name: str, lang: str = DEFAULT_LANG) -> str:
    """A payment method as the customer knows it ("Gold" -> "Kaspi Gold"); unknown names as is."""
    message_id = f"method.{name}"
    return tr(message_id, lang) if message_id in TEXTS else name


def state_label(state: str, lang: str = DEFAULT_LANG) -> str:
    """A SaleState value in the operator's words; an unknown value as is."""
    message_id = f"state.{state}"
    return tr(message_id, lang) if message_id in TEXTS else state


def format_amount(amount: Decimal | int | str, lang: str = DEFAULT_LANG, sign: bool = True) -> str:
    """ "1 250 ₸": thin-space thousands, no decimals unless tiyn are present ("1 250,50 ₸").

    Russian and Kazakh write the decimal comma, English the point. A value that is
    not a number comes back as its text, so a garbled journal row still shows.
    """
    try:
        value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return str(amount)
    if not value.is_finite():
        return str(amount)
    minus = "-" if value < 0 else ""
    value = abs(value)
    whole = int(value)
    tiyn = int((value - whole) * 100)
    text = f"{whole:,}".replace(",", THIN_SPACE)
    if tiyn:
        text += ("." if lang == "en" else ",") + f"{tiyn:02d}"
    text = minus + text
    return f"{text}{NO_BREAK_SPACE}{TENGE}" if sign else text


def format_countdown(seconds: float) -> str:
    """ "2:45". Rounded up, so the screen reads 0:00 only when the time is really over."""
    if not math.isfinite(seconds) or seconds <= 0:
        return "0:00"
    whole = math.ceil(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def whole_seconds(seconds: float) -> int:
    """Seconds for "… in 5 s" lines: rounded up, never below zero."""
    if not math.isfinite(seconds) or seconds <= 0:
        return 0
    return math.ceil(seconds)
