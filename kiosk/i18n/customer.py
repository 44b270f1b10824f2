"""What the customer reads, in Russian, Kazakh and English, side by side.

A translator edits one entry at a time and sees the other two languages beside it;
`{name}` fields must appear in every language (tests/unit/test_i18n.py checks).
Customer texts never carry operator detail: no exception text, no paths, no
numbers of sales — a code at most, which the operator looks up in service mode.
"""

from __future__ import annotations

CUSTOMER: dict[str, dict[str, str]] = {
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
    "amount.pay_sum": {"ru": "Оплатить {amount}", "kk": "{amount} төлеу", "en": "Pay {amount}"},
    # Under the amount while the kiosk starts: digits are taken, Pay waits for the bank.
    "amount.connecting": {
        "ru": "Подключение к банку…",
        "kk": "Банкке қосылу…",
        "en": "Connecting to the bank…",
    },
    # On the Pay button while it is disabled: why it cannot be pressed yet.
    "amount.pay_needs_amount": {
        "ru": "Сначала введите сумму",
        "kk": "Алдымен соманы теріңіз",
        "en": "Type an amount first",
    },
    "amount.pay_too_small": {
        "ru": "Не меньше {min}",
        "kk": "Кемінде {min}",
        "en": "At least {min}",
    },
    "amount.pay_too_large": {
        "ru": "Не больше {max}",
        "kk": "Ең көбі {max}",
        "en": "At most {max}",
    },
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
        "kk": "QR-код сканерленді. Енді төлемді телефонда растаңыз.",
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
    # Paid at the bank, but the kiosk could not write it down (a full disk at that moment):
    # the money is there, the goods may not come by themselves — staff settle it.
    "result.not_dispensed": {
        "ru": "Товар не выдан",
        "kk": "Тауар берілмеді",
        "en": "The product was not given",
    },
    "result.not_dispensed.refund_now": {
        "ru": "Деньги возвращаются на ваш счёт Kaspi автоматически.",
        "kk": "Ақша Kaspi шотыңызға автоматты түрде қайтарылады.",
        "en": "Your money is being returned to your Kaspi account automatically.",
    },
    "result.not_dispensed.staff": {
        "ru": "Оплата записана. Деньги вернёт персонал — обратитесь к сотруднику.",
        "kk": "Төлем жазылды. Ақшаны қызметкер қайтарады — қызметкерге хабарласыңыз.",
        "en": "The payment is recorded. Staff will refund it — please ask an attendant.",
    },
    "result.received": {"ru": "Платёж получен", "kk": "Төлем түсті", "en": "Payment received"},
    "result.unrecorded": {
        "ru": "Деньги поступили, но киоск не смог записать покупку. Обратитесь к персоналу: "
        "вам выдадут товар или вернут деньги.",
        "kk": "Ақша түсті, бірақ киоск сатып алуды жаза алмады. Қызметкерге хабарласыңыз: "
        "тауарды береді немесе ақшаңызды қайтарады.",
        "en": "Your money arrived, but the kiosk could not record the purchase. Please ask "
        "staff: they will hand over your goods or refund you.",
    },
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
    "oos.recovering": {
        "ru": "Проверяем предыдущие платежи. Это займёт немного времени.",
        "kk": "Алдыңғы төлемдерді тексеріп жатырмыз. Бұл көп уақыт алмайды.",
        "en": "Checking earlier payments. This will not take long.",
    },
    "oos.code": {"ru": "Код: {code}", "kk": "Коды: {code}", "en": "Code: {code}"},
    "oos.retry_in": {
        "ru": "Повторная проверка через {n} с",
        "kk": "{n} с кейін қайта тексереміз",
        "en": "Retrying in {n} s",
    },
    "oos.retrying": {"ru": "Проверяем…", "kk": "Тексеріп жатырмыз…", "en": "Checking…"},
    # Why a sale did not go through, for the error screen: whether money was taken and
    # what to do next (operators read the precise reason in the journal and the log).
    "reason.scan_timeout": {
        "ru": "Время для оплаты истекло. Деньги не списаны. Вы можете начать заново.",
        "kk": "Төлем уақыты өтіп кетті. Ақша шешілген жоқ. Қайтадан бастауға болады.",
        "en": "Time to pay has run out. No money was taken. You can start again.",
    },
    "reason.confirm_timeout": {
        "ru": "Оплата не подтверждена вовремя. Если деньги списались, банк вернёт их "
        "автоматически.",
        "kk": "Төлем уақытында расталмады. Ақша шешілсе, банк оны автоматты түрде қайтарады.",
        "en": "The payment was not confirmed in time. If money was taken, the bank returns it "
        "automatically.",
    },
    "reason.declined": {
        "ru": "Оплата отменена или отклонена в приложении Kaspi.kz. Деньги не списаны.",
        "kk": "Төлем Kaspi.kz қосымшасында тоқтатылды немесе қабылданбады. Ақша шешілген жоқ.",
        "en": "The payment was cancelled or declined in the Kaspi.kz app. No money was taken.",
    },
    "reason.cancelled": {
        "ru": "Оплата отменена. Деньги не списаны.",
        "kk": "Төлем тоқтатылды. Ақша шешілген жоқ.",
        "en": "The payment was cancelled. No money was taken.",
    },
    "reason.create_failed": {
        "ru": "Не удалось создать QR-код. Деньги не списаны. Попробуйте ещё раз.",
        "kk": "QR-код жасалмады. Ақша шешілген жоқ. Қайта көріңіз.",
        "en": "The QR code could not be created. No money was taken. Please try again.",
    },
    "reason.bank_unreachable": {
        "ru": "Нет связи с банком. Если деньги списались, обратитесь к персоналу — платёж "
        "не потерян.",
        "kk": "Банкпен байланыс жоқ. Ақша шешілсе, қызметкерге хабарласыңыз — төлем жоғалмайды.",
        "en": "No connection to the bank. If money was taken, please ask staff: the payment is "
        "not lost.",
    },
    "reason.needs_operator": {
        "ru": "Платёж получен, но требует проверки. Пожалуйста, обратитесь к персоналу.",
        "kk": "Төлем түсті, бірақ тексеруді қажет етеді. Қызметкерге хабарласыңыз.",
        "en": "The payment arrived but needs a check by staff. Please ask staff.",
    },
    "reason.generic": {
        "ru": "Оплата не прошла. Деньги не списаны.",
        "kk": "Төлем өтпеді. Ақша шешілген жоқ.",
        "en": "The payment did not go through. No money was taken.",
    },
}
