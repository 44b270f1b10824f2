"""What demo mode shows: the strip that plays the customer's phone, and the vending machine.

Values from outside (a product number, a price) come in as `{fields}`.
"""

from __future__ import annotations

DEMO: dict[str, dict[str, str]] = {
    # --- demo mode: the strip that plays the customer's phone ----------------------------------
    "demo.title": {
        "ru": "ДЕМО — телефон покупателя (тестовый API песочницы)",
        "kk": "ДЕМО — сатып алушының телефоны (құм жәшігінің тест API)",
        "en": "DEMO — the customer's phone (sandbox test API)",
    },
    "demo.scan": {"ru": "Сканировать", "kk": "Сканерлеу", "en": "Scan"},
    "demo.return_scan": {
        "ru": "Покупатель сканирует QR возврата",
        "kk": "Сатып алушы қайтару QR-ын сканерлейді",
        "en": "Customer scans the return QR",
    },
    "demo.confirm": {"ru": "Подтвердить", "kk": "Растау", "en": "Confirm"},
    "demo.scanerror": {"ru": "Ошибка скана", "kk": "Скан қатесі", "en": "Scan error"},
    "demo.confirmerror": {
        "ru": "Ошибка подтверждения",
        "kk": "Растау қатесі",
        "en": "Confirm error",
    },
    # --- demo mode with a vending machine (kiosk demo --mdb) ------------------------------------
    "demo.mdb.title": {
        "ru": "ДЕМО — торговый автомат (MDB):",
        "kk": "ДЕМО — сауда автоматы (MDB):",
        "en": "DEMO — the vending machine (MDB):",
    },
    "demo.mdb.water": {"ru": "Вода", "kk": "Су", "en": "Water"},
    "demo.mdb.coffee": {"ru": "Кофе", "kk": "Кофе", "en": "Coffee"},
    "demo.mdb.chocolate": {"ru": "Шоколад", "kk": "Шоколад", "en": "Chocolate"},
    "demo.mdb.dispense_fails": {
        "ru": "выдача не удастся",
        "kk": "тауар берілмейді",
        "en": "dispense fails",
    },
    "demo.mdb.chosen": {
        "ru": "товар {product} выбран: автомат просит у киоска {price}",
        "kk": "{product} тауары таңдалды: автомат киосктан {price} сұрайды",
        "en": "product {product} chosen: the machine asks the kiosk for {price}",
    },
    "demo.mdb.busy": {
        "ru": "автомат занят (или считыватель киоска не включён)",
        "kk": "автомат бос емес (немесе киосктің оқу құрылғысы қосылмаған)",
        "en": "the machine is busy (or the kiosk's reader is not enabled)",
    },
    "demo.mdb.outcome": {
        "ru": "товар {product}: {answer}",
        "kk": "{product} тауары: {answer}",
        "en": "product {product}: {answer}",
    },
    "demo.mdb.outcome_dispensed": {
        "ru": "товар {product}: {answer} — выдан",
        "kk": "{product} тауары: {answer} — берілді",
        "en": "product {product}: {answer} — dispensed",
    },
    "demo.mdb.outcome_not_dispensed": {
        "ru": "товар {product}: {answer} — НЕ ВЫДАН",
        "kk": "{product} тауары: {answer} — БЕРІЛМЕДІ",
        "en": "product {product}: {answer} — FAILED to dispense",
    },
    "demo.mdb.answer.approved": {"ru": "одобрено", "kk": "мақұлданды", "en": "approved"},
    "demo.mdb.answer.denied": {
        "ru": "отклонено киоском",
        "kk": "киоск қабылдамады",
        "en": "denied by the kiosk",
    },
    "demo.mdb.answer.vmc_gave_up": {
        "ru": "автомат перестал ждать",
        "kk": "автомат күтуді тоқтатты",
        "en": "the machine stopped waiting",
    },
    "demo.mdb.answer.unplugged": {
        "ru": "адаптер отключён",
        "kk": "адаптер ажыратылды",
        "en": "adapter unplugged",
    },
    "demo.mdb.answer.reset": {
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
