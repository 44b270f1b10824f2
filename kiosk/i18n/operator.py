"""What the operator reads in service mode (and demo mode's phone strip), side by side.

Values that come from outside the kiosk — an exception's text, a path, a URL, a
certificate subject — are passed in as `{fields}` and shown as they are.
"""

from __future__ import annotations

OPERATOR: dict[str, dict[str, str]] = {
    # --- PIN, the words service pages share, the Sales tab's table -----------------------------
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
    "service.short_pin": {
        "ru": "В PIN-коде не меньше {n} цифр — это не попытка",
        "kk": "PIN-кодта кемінде {n} сан бар — бұл әрекет саналмайды",
        "en": "A PIN has at least {n} digits — this was not a try",
    },
    "service.locked": {
        "ru": "Слишком много попыток. Подождите {n} с",
        "kk": "Тым көп әрекет. {n} с күтіңіз",
        "en": "Too many tries. Wait {n} s",
    },
    "service.ok": {"ru": "OK", "kk": "OK", "en": "OK"},
    "service.exit": {"ru": "Выход", "kk": "Шығу", "en": "Exit"},
    "service.refresh": {"ru": "Обновить", "kk": "Жаңарту", "en": "Refresh"},
    "service.loading": {"ru": "Загрузка…", "kk": "Жүктелуде…", "en": "Loading…"},
    "service.load_failed": {
        "ru": "Не удалось загрузить: {error}",
        "kk": "Жүктеу мүмкін болмады: {error}",
        "en": "Could not load: {error}",
    },
    "service.no_sales": {"ru": "Продаж пока нет", "kk": "Әзірге сатылым жоқ", "en": "No sales yet"},
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
    # --- why the kiosk is out of service (the log and the host API say it; the customer a code) -
    "outage.config": {
        "ru": "ошибка в настройках: {detail}",
        "kk": "баптауларда қате: {detail}",
        "en": "config: {detail}",
    },
    "outage.journal": {
        "ru": "журнал не записывается: {detail}",
        "kk": "журналға жазу мүмкін емес: {detail}",
        "en": "the journal cannot be written: {detail}",
    },
    "outage.registering": {
        "ru": "регистрация {device} в торговой точке {trade_point}",
        "kk": "{device} құрылғысы {trade_point} сауда нүктесінде тіркелуде",
        "en": "registering {device} at trade point {trade_point}",
    },
    "outage.unregistered": {
        "ru": "регистрация устройства удалена: зарегистрируйте его в сервисном режиме",
        "kk": "құрылғының тіркеуі жойылды: оны сервистік режимде тіркеңіз",
        "en": "the device's registration was removed: register it in service mode",
    },
    "outage.register_failed": {
        "ru": "регистрация не удалась: {detail}",
        "kk": "тіркеу сәтсіз аяқталды: {detail}",
        "en": "registration failed: {detail}",
    },
    "outage.recovering": {
        "ru": "проверяем с банком незавершённые платежи: {n}",
        "kk": "аяқталмаған төлемдерді банкпен тексеріп жатырмыз: {n}",
        "en": "checking {n} earlier payment(s) with the bank",
    },
    "outage.recovery_failed": {
        "ru": "восстановление не удалось: {detail}",
        "kk": "қалпына келтіру сәтсіз аяқталды: {detail}",
        "en": "recovery failed: {detail}",
    },
    "outage.bank": {
        "ru": "банк не отвечает: {detail}",
        "kk": "банк жауап бермейді: {detail}",
        "en": "the bank does not answer: {detail}",
    },
    # Said in English exactly as kiosk.payment.mode.ADAPTER_AWAY, the hold's own words.
    "outage.adapter": {
        "ru": "не подключён MDB-адаптер торгового автомата",
        "kk": "сауда автоматының MDB адаптері қосылмаған",
        "en": "the vending machine's MDB adapter is not connected",
    },
    # Sale states and reasons as the operator reads them (kiosk.payment.sale: SaleState, Reason).
    "state.creating": {"ru": "создаётся", "kk": "жасалуда", "en": "creating"},
    "state.qr": {"ru": "QR на экране", "kk": "QR экранда", "en": "QR shown"},
    "state.awaiting": {"ru": "ждёт подтверждения", "kk": "растауды күтуде", "en": "awaiting"},
    "state.processed": {"ru": "оплачено", "kk": "төленді", "en": "paid"},
    "state.failed": {"ru": "не оплачено", "kk": "төленбеді", "en": "failed"},
    "state.cancelled": {"ru": "отменено", "kk": "тоқтатылды", "en": "cancelled"},
    "state.unknown": {"ru": "неизвестно", "kk": "белгісіз", "en": "unknown"},
    "opreason.scan_timeout": {
        "ru": "QR не отсканирован вовремя",
        "kk": "QR уақытында сканерленбеді",
        "en": "QR not scanned in time",
    },
    "opreason.confirm_timeout": {
        "ru": "не подтверждено вовремя",
        "kk": "уақытында расталмады",
        "en": "not confirmed in time",
    },
    "opreason.declined": {
        "ru": "отклонено банком или покупателем",
        "kk": "банк немесе сатып алушы қабылдамады",
        "en": "declined by the bank or the customer",
    },
    "opreason.cancelled": {
        "ru": "отменено до сканирования",
        "kk": "сканерлеуге дейін тоқтатылды",
        "en": "cancelled before the scan",
    },
    "opreason.bank_unreachable": {
        "ru": "банк не ответил",
        "kk": "банк жауап бермеді",
        "en": "no answer from the bank",
    },
    "opreason.create_failed": {
        "ru": "QR не создан",
        "kk": "QR жасалмады",
        "en": "QR not created",
    },
    "opreason.amount_mismatch": {
        "ru": "оплачена другая сумма",
        "kk": "басқа сома төленді",
        "en": "a different amount was paid",
    },
    "opreason.paid_after_cancel": {
        "ru": "оплачено после отмены",
        "kk": "тоқтатылғаннан кейін төленді",
        "en": "paid after the kiosk gave up",
    },
    "opreason.interrupted": {
        "ru": "киоск остановился до ответа банка",
        "kk": "киоск банк жауабына дейін тоқтады",
        "en": "the kiosk stopped before the bank answered",
    },
    "opreason.not_dispensed": {
        "ru": "оплачено, но автомат не выдал товар",
        "kk": "төленді, бірақ автомат тауарды бермеді",
        "en": "paid, but the vending machine did not dispense",
    },
    # --- demo mode: the strip that plays the customer's phone ----------------------------------
    "demo.title": {
        "ru": "ДЕМО — телефон покупателя (тестовый API песочницы)",
        "kk": "ДЕМО — сатып алушының телефоны (құм жәшігінің тест API)",
        "en": "DEMO — the customer's phone (sandbox test API)",
    },
    "demo.scan": {"ru": "Сканировать", "kk": "Сканерлеу", "en": "Scan"},
    "demo.confirm": {"ru": "Подтвердить", "kk": "Растау", "en": "Confirm"},
    "demo.scanerror": {"ru": "Ошибка скана", "kk": "Скан қатесі", "en": "Scan error"},
    "demo.confirmerror": {
        "ru": "Ошибка подтверждения",
        "kk": "Растау қатесі",
        "en": "Confirm error",
    },
    # --- demo mode with a vending machine (kiosk demo --mdb) ------------------------------------
    "mdb.title": {
        "ru": "ДЕМО — торговый автомат (MDB):",
        "kk": "ДЕМО — сауда автоматы (MDB):",
        "en": "DEMO — the vending machine (MDB):",
    },
    "mdb.water": {"ru": "Вода", "kk": "Су", "en": "Water"},
    "mdb.coffee": {"ru": "Кофе", "kk": "Кофе", "en": "Coffee"},
    "mdb.chocolate": {"ru": "Шоколад", "kk": "Шоколад", "en": "Chocolate"},
    "mdb.dispense_fails": {
        "ru": "выдача не удастся",
        "kk": "тауар берілмейді",
        "en": "dispense fails",
    },
    "mdb.chosen": {
        "ru": "товар {product} выбран: автомат просит у киоска {price}",
        "kk": "{product} тауары таңдалды: автомат киосктан {price} сұрайды",
        "en": "product {product} chosen: the machine asks the kiosk for {price}",
    },
    "mdb.busy": {
        "ru": "автомат занят (или считыватель киоска не включён)",
        "kk": "автомат бос емес (немесе киосктің оқу құрылғысы қосылмаған)",
        "en": "the machine is busy (or the kiosk's reader is not enabled)",
    },
    "mdb.outcome": {
        "ru": "товар {product}: {answer}",
        "kk": "{product} тауары: {answer}",
        "en": "product {product}: {answer}",
    },
    "mdb.outcome_dispensed": {
        "ru": "товар {product}: {answer} — выдан",
        "kk": "{product} тауары: {answer} — берілді",
        "en": "product {product}: {answer} — dispensed",
    },
    "mdb.outcome_not_dispensed": {
        "ru": "товар {product}: {answer} — НЕ ВЫДАН",
        "kk": "{product} тауары: {answer} — БЕРІЛМЕДІ",
        "en": "product {product}: {answer} — FAILED to dispense",
    },
    "mdb.answer.approved": {"ru": "одобрено", "kk": "мақұлданды", "en": "approved"},
    "mdb.answer.denied": {
        "ru": "отклонено киоском",
        "kk": "киоск қабылдамады",
        "en": "denied by the kiosk",
    },
    "mdb.answer.vmc_gave_up": {
        "ru": "автомат перестал ждать",
        "kk": "автомат күтуді тоқтатты",
        "en": "the machine stopped waiting",
    },
    "mdb.answer.unplugged": {
        "ru": "адаптер отключён",
        "kk": "адаптер ажыратылды",
        "en": "adapter unplugged",
    },
    "mdb.answer.reset": {
        "ru": "считыватель сброшен",
        "kk": "оқу құрылғысы қайта іске қосылды",
        "en": "the reader was reset",
    },
    "demo.hide": {"ru": "Скрыть", "kk": "Жасыру", "en": "Hide"},
    "demo.show": {"ru": "Демо", "kk": "Демо", "en": "Demo"},
    "demo.no_payment": {
        "ru": "Нет платежа на экране: введите сумму и нажмите «Оплатить».",
        "kk": "Экранда төлем жоқ: соманы енгізіп, «Төлеу» түймесін басыңыз.",
        "en": "No payment on screen: enter an amount and press Pay first.",
    },
    "demo.sent": {
        "ru": "{action} → платёж {payment} …",
        "kk": "{action} → төлем {payment} …",
        "en": "{action} → payment {payment} …",
    },
    "demo.done": {
        "ru": "{action} → платёж {payment}: {result}",
        "kk": "{action} → төлем {payment}: {result}",
        "en": "{action} → payment {payment}: {result}",
    },
}
