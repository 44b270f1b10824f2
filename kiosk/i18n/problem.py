"""What went wrong, for the operator: bank answers and refused actions, in ru, kk and en.

One sentence per StatusCode of docs/kaspi/api.md §9.1 (the guide's other spellings map to
the same code through kiosk.kaspi.errors.normalize_code) and per refusal of the
operator's own modules; every id starts with `problem.`. kiosk.i18n merges it
into the one catalogue, so `tr()` finds these ids and a translator sees them
beside the rest.
"""

from __future__ import annotations

#: docs/kaspi/api.md §9.1, keyed by the code as kiosk.kaspi.errors.normalize_code spells it.
CODE_TEXTS: dict[int, dict[str, str]] = {
    -10000: {
        "ru": "Банк не получил сертификат клиента: проверьте сертификат в настройках",
        "kk": "Банк клиент сертификатын алмады: баптаулардағы сертификатты тексеріңіз",
        "en": "The bank did not receive the client certificate: check the certificate in the"
        " config",
    },
    -1501: {
        "ru": "Банк не знает устройство с этим идентификатором: зарегистрируйте киоск заново",
        "kk": "Банк бұл идентификаторы бар құрылғыны білмейді: киоскіні қайта тіркеңіз",
        "en": "The bank knows no device with this id: register the kiosk again",
    },
    -1502: {
        "ru": "Устройство отключено или удалено: зарегистрируйте киоск заново",
        "kk": "Құрылғы өшірілген немесе жойылған: киоскіні қайта тіркеңіз",
        "en": "The device is disabled or deleted: register the kiosk again",
    },
    -1503: {
        "ru": "Устройство уже зарегистрировано в другой торговой точке: выберите ту точку"
        " или удалите устройство там",
        "kk": "Құрылғы басқа сауда нүктесінде тіркелген: сол нүктені таңдаңыз немесе"
        " құрылғыны сол жерден жойыңыз",
        "en": "The device is already registered at another trade point: choose that one,"
        " or unregister the device there",
    },
    -1601: {
        "ru": "Банк не нашёл эту покупку",
        "kk": "Банк бұл сатып алуды таппады",
        "en": "The bank does not know this purchase",
    },
    -14000002: {
        "ru": "У организации нет торговых точек: создайте торговую точку в приложении Kaspi Pay",
        "kk": "Ұйымның сауда нүктелері жоқ: Kaspi Pay қосымшасында сауда нүктесін құрыңыз",
        "en": "The organisation has no trade points: create one in the Kaspi Pay app",
    },
    -99000002: {
        "ru": "Торговая точка не найдена: выберите другую",
        "kk": "Сауда нүктесі табылмады: басқасын таңдаңыз",
        "en": "Trade point not found: choose another one",
    },
    -99000005: {
        "ru": "Сумма возврата не может превышать сумму покупки",
        "kk": "Қайтару сомасы сатып алу сомасынан аспауы керек",
        "en": "The refund cannot exceed the purchase amount",
    },
    -99000006: {
        "ru": "Ошибка возврата: попробуйте ещё раз, при повторении обратитесь в банк",
        "kk": "Қайтару қатесі: қайталап көріңіз, қате қайталанса банкке хабарласыңыз",
        "en": "Refund failed: try again, and contact the bank if it repeats",
    },
    990000018: {
        "ru": "Торговая точка отключена в Kaspi Pay",
        "kk": "Сауда нүктесі Kaspi Pay-де өшірілген",
        "en": "The trade point is disabled in Kaspi Pay",
    },
    990000026: {
        "ru": "Торговая точка не принимает оплату по QR: включите её в Kaspi Pay или выберите"
        " другую",
        "kk": "Сауда нүктесі QR арқылы төлем қабылдамайды: оны Kaspi Pay-де қосыңыз"
        " немесе басқасын таңдаңыз",
        "en": "The trade point does not accept QR payments: enable it in Kaspi Pay or choose"
        " another",
    },
    990000028: {
        "ru": "Неверная сумма операции",
        "kk": "Операция сомасы қате",
        "en": "The amount is not valid for this operation",
    },
    990000033: {
        "ru": "Нет доступных способов оплаты",
        "kk": "Қолжетімді төлем тәсілдері жоқ",
        "en": "No payment methods are available",
    },
    -990000001: {
        "ru": "Покупка с таким номером не найдена",
        "kk": "Бұл нөмірмен сатып алу табылмады",
        "en": "No purchase with this number",
    },
    -990000002: {
        "ru": "Торговая точка не найдена: выберите другую",
        "kk": "Сауда нүктесі табылмады: басқасын таңдаңыз",
        "en": "Trade point not found: choose another one",
    },
    -990000003: {
        "ru": "Покупка сделана в другой торговой точке: вернуть её можно только там",
        "kk": "Сатып алу басқа сауда нүктесінде жасалған: оны тек сол жерде қайтаруға болады",
        "en": "The purchase was made at another trade point: only that one can refund it",
    },
    -990000011: {
        "ru": "Эту покупку нельзя вернуть: её статус этого не позволяет",
        "kk": "Бұл сатып алуды қайтару мүмкін емес: оның мәртебесі мүмкіндік бермейді",
        "en": "This purchase cannot be refunded in its current status",
    },
    -990000020: {
        "ru": "Частичный возврат по этой покупке невозможен: верните всю сумму",
        "kk": "Бұл сатып алу бойынша ішінара қайтару мүмкін емес: бүкіл соманы қайтарыңыз",
        "en": "A partial refund is not possible for this purchase: refund the whole amount",
    },
    -999: {
        "ru": "Сервис Kaspi временно недоступен: попробуйте позже",
        "kk": "Kaspi қызметі уақытша қолжетімсіз: кейінірек қайталап көріңіз",
        "en": "The Kaspi service is temporarily unavailable: try again later",
    },
}

#: The operator's refusals and outcomes that are not a bank code.
OPERATOR_TEXTS: dict[str, dict[str, str]] = {
    "problem.code.unknown": {
        "ru": "Банк ответил кодом {code}: {message}",
        "kk": "Банк {code} кодымен жауап берді: {message}",
        "en": "The bank answered with code {code}: {message}",
    },
    "problem.net.tls": {
        "ru": "Нет защищённого соединения с банком (сертификат отклонён, не доверен или просрочен)",
        "kk": "Банкпен қорғалған байланыс жоқ (сертификат қабылданбады, сенімсіз немесе мерзімі"
        " өткен)",
        "en": "No secure connection to the bank (certificate refused, untrusted or expired)",
    },
    "problem.net.down": {
        "ru": "Банк не отвечает: проверьте сеть",
        "kk": "Банк жауап бермейді: желіні тексеріңіз",
        "en": "The bank does not answer: check the network",
    },
    "problem.net.http": {
        "ru": "Банк ответил ошибкой: {detail}",
        "kk": "Банк қатемен жауап берді: {detail}",
        "en": "The bank answered with an error: {detail}",
    },
    "problem.config": {
        "ru": "Ошибка настроек: {detail}",
        "kk": "Баптау қатесі: {detail}",
        "en": "Config error: {detail}",
    },
    "problem.fiscal": {
        "ru": "Онлайн-касса: {detail}",
        "kk": "Онлайн-касса: {detail}",
        "en": "Online register: {detail}",
    },
    "problem.journal": {
        "ru": "Журнал недоступен: {detail}",
        "kk": "Журнал қолжетімсіз: {detail}",
        "en": "The journal is not available: {detail}",
    },
    "problem.refund.above_available": {
        "ru": "{amount} — больше, чем доступно к возврату ({available})",
        "kk": "{amount} қайтаруға қолжетімді сомадан ({available}) көп",
        "en": "{amount} is more than can be refunded ({available})",
    },
    "problem.refund.zero": {
        "ru": "Введите сумму больше нуля",
        "kk": "Нөлден көп соманы енгізіңіз",
        "en": "Enter an amount above zero",
    },
    "problem.refund.tiyn": {
        "ru": "Не больше двух знаков после запятой",
        "kk": "Үтірден кейін екі белгіден артық емес",
        "en": "At most two decimals",
    },
    "problem.refund.nothing_left": {
        "ru": "По этой покупке возвращать больше нечего",
        "kk": "Бұл сатып алу бойынша қайтаратын ештеңе қалмады",
        "en": "Nothing is left to refund on this purchase",
    },
    "problem.refund.not_in_list": {
        "ru": "Покупки {payment} нет среди покупок этого клиента",
        "kk": "{payment} сатып алуы бұл клиенттің сатып алуларының арасында жоқ",
        "en": "Purchase {payment} is not among this customer's purchases",
    },
    "problem.refund.pending": {
        "ru": "Прошлый возврат {amount} по этой покупке не подтверждён: сначала проверьте его",
        "kk": "Осы сатып алу бойынша алдыңғы {amount} қайтаруы расталмаған: алдымен оны тексеріңіз",
        "en": "An earlier refund of {amount} on this purchase is unconfirmed: check it first",
    },
    "problem.refund.basic": {
        "ru": "В базовой схеме возвраты делаются в приложении Kaspi Pay",
        "kk": "Базалық схемада қайтару Kaspi Pay қосымшасында жасалады",
        "en": "In scheme basic, refunds are made in the Kaspi Pay app",
    },
    "problem.refund.unknown": {
        "ru": "Ответа банка нет: возврат мог пройти. Проверьте покупку, прежде чем повторять",
        "kk": "Банктен жауап жоқ: қайтару өтуі мүмкін. Қайталау алдында сатып алуды тексеріңіз",
        "en": "No answer from the bank: the refund may have gone through. Check before trying"
        " again",
    },
    "problem.refund.done": {
        "ru": "Возвращено {amount}, операция {operation}",
        "kk": "{amount} қайтарылды, операция {operation}",
        "en": "Refunded {amount}, operation {operation}",
    },
    "problem.return.expired": {
        "ru": "Клиент не отсканировал QR возврата вовремя",
        "kk": "Клиент қайтару QR-кодын уақытында сканерлемеді",
        "en": "The customer did not scan the return QR in time",
    },
    "problem.return.unreadable": {
        "ru": "Статус QR возврата не удалось прочитать до его срока: создайте новый",
        "kk": "Қайтару QR-кодының күйін мерзімі біткенше оқу мүмкін болмады: жаңасын жасаңыз",
        "en": "The return QR's status could not be read by its deadline: make a new one",
    },
    "problem.return.failed": {
        "ru": "QR возврата не сработал в банке: создайте новый",
        "kk": "Қайтару QR-коды банкте жұмыс істемеді: жаңасын жасаңыз",
        "en": "The return QR failed at the bank: make a new one",
    },
    "problem.register.device_id": {
        "ru": "Идентификатор устройства: только латинские буквы, цифры, - и _",
        "kk": "Құрылғы идентификаторы: тек латын әріптері, сандар, - және _",
        "en": "Device id: Latin letters, digits, - and _ only",
    },
    "problem.register.trade_point": {
        "ru": "Выберите торговую точку",
        "kk": "Сауда нүктесін таңдаңыз",
        "en": "Choose a trade point",
    },
    "problem.register.not_registered": {
        "ru": "Киоск не зарегистрирован в банке",
        "kk": "Киоск банкте тіркелмеген",
        "en": "The kiosk is not registered at the bank",
    },
    "problem.cert.warning": {
        "ru": "Сертификат истекает через {days} дн. ({date}): закажите новый в банке",
        "kk": "Сертификаттың мерзімі {days} күннен кейін бітеді ({date}): банктен жаңасын алыңыз",
        "en": "The certificate expires in {days} days ({date}): order a new one from the bank",
    },
    "problem.cert.expired": {
        "ru": "Сертификат истёк {date}: установите новый",
        "kk": "Сертификаттың мерзімі {date} бітті: жаңасын орнатыңыз",
        "en": "The certificate expired on {date}: install a new one",
    },
    "problem.cert.not_yet": {
        "ru": "Сертификат действует только с {date}",
        "kk": "Сертификат тек {date} бастап жарамды",
        "en": "The certificate is valid only from {date}",
    },
    "problem.cert.unreadable": {
        "ru": "Сертификат не читается: {detail}",
        "kk": "Сертификат оқылмайды: {detail}",
        "en": "The certificate cannot be read: {detail}",
    },
}


def code_id(code: int) -> str:
    return f"problem.code.{code}"


#: Every id of this module, as kiosk.i18n merges them into the catalogue.
PROBLEM: dict[str, dict[str, str]] = {
    **{code_id(code): entry for code, entry in CODE_TEXTS.items()},
    **OPERATOR_TEXTS,
}
