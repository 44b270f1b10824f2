"""What the operator reads about bank answers and refused actions, in ru, kk and en.

One sentence per StatusCode of docs/kaspi/api.md §9.1 (the guide's other spellings map to
the same code through kiosk.kaspi.errors.normalize_code) and per refusal of the
operator's own modules. kiosk.i18n merges it into the one catalogue, so `tr()`
finds these ids and a translator sees them beside the rest.
"""

from __future__ import annotations


def _code(ru: str, kk: str, en: str) -> dict[str, str]:
    return {"ru": ru, "kk": kk, "en": en}


#: docs/kaspi/api.md §9.1, keyed by the code as kiosk.kaspi.errors.normalize_code spells it.
CODE_TEXTS: dict[int, dict[str, str]] = {
    -10000: _code(
        "Банк не получил сертификат клиента: проверьте сертификат в настройках",
        "Банк клиент сертификатын алмады: баптаулардағы сертификатты тексеріңіз",
        "The bank did not receive the client certificate: check the certificate in the config",
    ),
    -1501: _code(
        "Банк не знает устройство с этим идентификатором: зарегистрируйте киоск заново",
        "Банк бұл идентификаторы бар құрылғыны білмейді: киоскіні қайта тіркеңіз",
        "The bank knows no device with this id: register the kiosk again",
    ),
    -1502: _code(
        "Устройство отключено или удалено: зарегистрируйте киоск заново",
        "Құрылғы өшірілген немесе жойылған: киоскіні қайта тіркеңіз",
        "The device is disabled or deleted: register the kiosk again",
    ),
    -1503: _code(
        "Устройство уже зарегистрировано в другой торговой точке: выберите ту точку"
        " или удалите устройство там",
        "Құрылғы басқа сауда нүктесінде тіркелген: сол нүктені таңдаңыз немесе"
        " құрылғыны сол жерден жойыңыз",
        "The device is already registered at another trade point: choose that one,"
        " or unregister the device there",
    ),
    -1601: _code(
        "Банк не нашёл эту покупку",
        "Банк бұл сатып алуды таппады",
        "The bank does not know this purchase",
    ),
    -14000002: _code(
        "У организации нет торговых точек: создайте торговую точку в приложении Kaspi Pay",
        "Ұйымның сауда нүктелері жоқ: Kaspi Pay қосымшасында сауда нүктесін құрыңыз",
        "The organisation has no trade points: create one in the Kaspi Pay app",
    ),
    -99000002: _code(
        "Торговая точка не найдена: выберите другую",
        "Сауда нүктесі табылмады: басқасын таңдаңыз",
        "Trade point not found: choose another one",
    ),
    -99000005: _code(
        "Сумма возврата не может превышать сумму покупки",
        "Қайтару сомасы сатып алу сомасынан аспауы керек",
        "The refund cannot exceed the purchase amount",
    ),
    -99000006: _code(
        "Ошибка возврата: попробуйте ещё раз, при повторении обратитесь в банк",
        "Қайтару қатесі: қайталап көріңіз, қате қайталанса банкке хабарласыңыз",
        "Refund failed: try again, and contact the bank if it repeats",
    ),
    990000018: _code(
        "Торговая точка отключена в Kaspi Pay",
        "Сауда нүктесі Kaspi Pay-де өшірілген",
        "The trade point is disabled in Kaspi Pay",
    ),
    990000026: _code(
        "Торговая точка не принимает оплату по QR: включите её в Kaspi Pay или выберите другую",
        "Сауда нүктесі QR арқылы төлем қабылдамайды: оны Kaspi Pay-де қосыңыз"
        " немесе басқасын таңдаңыз",
        "The trade point does not accept QR payments: enable it in Kaspi Pay or choose another",
    ),
    990000028: _code(
        "Неверная сумма операции",
        "Операция сомасы қате",
        "The amount is not valid for this operation",
    ),
    990000033: _code(
        "Нет доступных способов оплаты",
        "Қолжетімді төлем тәсілдері жоқ",
        "No payment methods are available",
    ),
    -990000001: _code(
        "Покупка с таким номером не найдена",
        "Бұл нөмірмен сатып алу табылмады",
        "No purchase with this number",
    ),
    -990000002: _code(
        "Торговая точка не найдена: выберите другую",
        "Сауда нүктесі табылмады: басқасын таңдаңыз",
        "Trade point not found: choose another one",
    ),
    -990000003: _code(
        "Покупка сделана в другой торговой точке: вернуть её можно только там",
        "Сатып алу басқа сауда нүктесінде жасалған: оны тек сол жерде қайтаруға болады",
        "The purchase was made at another trade point: only that one can refund it",
    ),
    -990000011: _code(
        "Эту покупку нельзя вернуть: её статус этого не позволяет",
        "Бұл сатып алуды қайтару мүмкін емес: оның мәртебесі мүмкіндік бермейді",
        "This purchase cannot be refunded in its current status",
    ),
    -990000020: _code(
        "Частичный возврат по этой покупке невозможен: верните всю сумму",
        "Бұл сатып алу бойынша ішінара қайтару мүмкін емес: бүкіл соманы қайтарыңыз",
        "A partial refund is not possible for this purchase: refund the whole amount",
    ),
    -999: _code(
        "Сервис Kaspi временно недоступен: попробуйте позже",
        "Kaspi қызметі уақытша қолжетімсіз: кейінірек қайталап көріңіз",
        "The Kaspi service is temporarily unavailable: try again later",
    ),
}

#: The operator's refusals and outcomes that are not a bank code.
OPERATOR_TEXTS: dict[str, dict[str, str]] = {
    "op.code.unknown": _code(
        "Банк ответил кодом {code}: {message}",
        "Банк {code} кодымен жауап берді: {message}",
        "The bank answered with code {code}: {message}",
    ),
    "op.net.tls": _code(
        "Нет защищённого соединения с банком (сертификат отклонён, не доверен или просрочен)",
        "Банкпен қорғалған байланыс жоқ (сертификат қабылданбады, сенімсіз немесе мерзімі өткен)",
        "No secure connection to the bank (certificate refused, untrusted or expired)",
    ),
    "op.net.down": _code(
        "Банк не отвечает: проверьте сеть",
        "Банк жауап бермейді: желіні тексеріңіз",
        "The bank does not answer: check the network",
    ),
    "op.net.http": _code(
        "Банк ответил ошибкой: {detail}",
        "Банк қатемен жауап берді: {detail}",
        "The bank answered with an error: {detail}",
    ),
    "op.config": _code(
        "Ошибка настроек: {detail}",
        "Баптау қатесі: {detail}",
        "Config error: {detail}",
    ),
    "op.journal": _code(
        "Журнал недоступен: {detail}",
        "Журнал қолжетімсіз: {detail}",
        "The journal is not available: {detail}",
    ),
    "op.refund.above_available": _code(
        "{amount} — больше, чем доступно к возврату ({available})",
        "{amount} қайтаруға қолжетімді сомадан ({available}) көп",
        "{amount} is more than can be refunded ({available})",
    ),
    "op.refund.zero": _code(
        "Введите сумму больше нуля",
        "Нөлден көп соманы енгізіңіз",
        "Enter an amount above zero",
    ),
    "op.refund.tiyn": _code(
        "Не больше двух знаков после запятой",
        "Үтірден кейін екі белгіден артық емес",
        "At most two decimals",
    ),
    "op.refund.nothing_left": _code(
        "По этой покупке возвращать больше нечего",
        "Бұл сатып алу бойынша қайтаратын ештеңе қалмады",
        "Nothing is left to refund on this purchase",
    ),
    "op.refund.not_in_list": _code(
        "Покупки {payment} нет среди покупок этого клиента",
        "{payment} сатып алуы бұл клиенттің сатып алуларының арасында жоқ",
        "Purchase {payment} is not among this customer's purchases",
    ),
    "op.refund.pending": _code(
        "Прошлый возврат {amount} по этой покупке не подтверждён: сначала проверьте его",
        "Осы сатып алу бойынша алдыңғы {amount} қайтаруы расталмаған: алдымен оны тексеріңіз",
        "An earlier refund of {amount} on this purchase is unconfirmed: check it first",
    ),
    "op.refund.basic": _code(
        "В базовой схеме возвраты делаются в приложении Kaspi Pay",
        "Базалық схемада қайтару Kaspi Pay қосымшасында жасалады",
        "In scheme basic, refunds are made in the Kaspi Pay app",
    ),
    "op.refund.unknown": _code(
        "Ответа банка нет: возврат мог пройти. Проверьте покупку, прежде чем повторять",
        "Банктен жауап жоқ: қайтару өтуі мүмкін. Қайталау алдында сатып алуды тексеріңіз",
        "No answer from the bank: the refund may have gone through. Check before trying again",
    ),
    "op.refund.done": _code(
        "Возвращено {amount}, операция {operation}",
        "{amount} қайтарылды, операция {operation}",
        "Refunded {amount}, operation {operation}",
    ),
    "op.return.expired": _code(
        "Клиент не отсканировал QR возврата вовремя",
        "Клиент қайтару QR-кодын уақытында сканерлемеді",
        "The customer did not scan the return QR in time",
    ),
    "op.return.unreadable": _code(
        "Статус QR возврата не удалось прочитать до его срока: создайте новый",
        "Қайтару QR-кодының күйін мерзімі біткенше оқу мүмкін болмады: жаңасын жасаңыз",
        "The return QR's status could not be read by its deadline: make a new one",
    ),
    "op.return.failed": _code(
        "QR возврата не сработал в банке: создайте новый",
        "Қайтару QR-коды банкте жұмыс істемеді: жаңасын жасаңыз",
        "The return QR failed at the bank: make a new one",
    ),
    "op.register.device_id": _code(
        "Идентификатор устройства: только латинские буквы, цифры, - и _",
        "Құрылғы идентификаторы: тек латын әріптері, сандар, - және _",
        "Device id: Latin letters, digits, - and _ only",
    ),
    "op.register.trade_point": _code(
        "Выберите торговую точку",
        "Сауда нүктесін таңдаңыз",
        "Choose a trade point",
    ),
    "op.register.not_registered": _code(
        "Киоск не зарегистрирован в банке",
        "Киоск банкте тіркелмеген",
        "The kiosk is not registered at the bank",
    ),
    "op.cert.warning": _code(
        "Сертификат истекает через {days} дн. ({date}): закажите новый в банке",
        "Сертификаттың мерзімі {days} күннен кейін бітеді ({date}): банктен жаңасын алыңыз",
        "The certificate expires in {days} days ({date}): order a new one from the bank",
    ),
    "op.cert.expired": _code(
        "Сертификат истёк {date}: установите новый",
        "Сертификаттың мерзімі {date} бітті: жаңасын орнатыңыз",
        "The certificate expired on {date}: install a new one",
    ),
    "op.cert.not_yet": _code(
        "Сертификат действует только с {date}",
        "Сертификат тек {date} бастап жарамды",
        "The certificate is valid only from {date}",
    ),
    "op.cert.unreadable": _code(
        "Сертификат не читается: {detail}",
        "Сертификат оқылмайды: {detail}",
        "The certificate cannot be read: {detail}",
    ),
}


def code_id(code: int) -> str:
    return f"op.code.{code}"


def all_texts() -> dict[str, dict[str, str]]:
    """Every id of this module, as kiosk.i18n merges them into the catalogue."""
    out = {code_id(code): entry for code, entry in CODE_TEXTS.items()}
    out.update(OPERATOR_TEXTS)
    return out
