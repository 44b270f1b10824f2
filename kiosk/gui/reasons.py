"""Why a sale did not go through, in words a customer at the kiosk understands.

Operators read the precise reason in the journal and the log; the customer
needs to know only whether money was taken and what to do next.
"""

from __future__ import annotations

from kiosk.sale import Reason, SaleState

_TEXTS: dict[str, dict[str, str]] = {
    "scan_timeout": {
        "ru": "Время для оплаты истекло. Вы можете начать заново.",
        "kk": "Төлем уақыты өтіп кетті. Қайтадан бастауға болады.",
        "en": "Time to pay has run out. You can start again.",
    },
    "confirm_timeout": {
        "ru": "Оплата не подтверждена вовремя. Если деньги списались, банк вернёт их "
        "автоматически.",
        "kk": "Төлем уақытында расталмады. Ақша шешілсе, банк оны автоматты түрде қайтарады.",
        "en": "The payment was not confirmed in time. If money was taken, the bank returns it "
        "automatically.",
    },
    "declined": {
        "ru": "Оплата отменена или отклонена в приложении Kaspi.kz.",
        "kk": "Төлем Kaspi.kz қосымшасында бас тартылды немесе қабылданбады.",
        "en": "The payment was cancelled or declined in the Kaspi.kz app.",
    },
    "create_failed": {
        "ru": "Не удалось создать QR-код. Деньги не списаны. Попробуйте ещё раз.",
        "kk": "QR-код жасалмады. Ақша шешілген жоқ. Қайта көріңіз.",
        "en": "The QR code could not be created. No money was taken. Please try again.",
    },
    "bank_unreachable": {
        "ru": "Нет связи с банком. Если деньги списались, обратитесь к оператору — платёж "
        "не потерян.",
        "kk": "Банкпен байланыс жоқ. Ақша шешілсе, операторға хабарласыңыз — төлем жоғалмайды.",
        "en": "No connection to the bank. If money was taken, ask the operator: the payment is "
        "not lost.",
    },
    "needs_operator": {
        "ru": "Платёж получен, но требует проверки оператором. Пожалуйста, обратитесь к персоналу.",
        "kk": "Төлем алынды, бірақ операторлық тексеруді қажет етеді. Қызметкерге хабарласыңыз.",
        "en": "The payment arrived but needs a check by staff. Please ask the operator.",
    },
    "generic": {
        "ru": "Оплата не прошла. Деньги не списаны.",
        "kk": "Төлем өтпеді. Ақша шешілген жоқ.",
        "en": "The payment did not go through. No money was taken.",
    },
}


def customer_text(reason: Reason | None, state: SaleState | None, lang: str = "ru") -> str:
    """The error screen's sentence for a sale that ended with `state` because of `reason`."""
    if state is SaleState.PROCESSED:
        key = "needs_operator"
    elif state is SaleState.UNKNOWN:
        key = "bank_unreachable"
    elif reason is not None and reason.value in _TEXTS:
        key = reason.value
    else:
        key = "generic"
    texts = _TEXTS[key]
    return texts.get(lang, texts["ru"])
