"""Service mode's own labels (registration, refunds, certificate, status, system), ru/kk/en.

A table of its own beside customer.py and operator.py (kiosk.i18n merges them all,
with bank.py) so the operator's pages can grow without every change touching the
other tables; a translator sees one catalogue through `tr()`.
No Qt here.
"""

from __future__ import annotations


def _t(ru: str, kk: str, en: str) -> dict[str, str]:
    return {"ru": ru, "kk": kk, "en": en}


SERVICE: dict[str, dict[str, str]] = {
    # --- tabs -------------------------------------------------------------------------------
    "svc.sales.refund": _t(
        "возврат {amount}: {state}", "қайтару {amount}: {state}", "refund {amount}: {state}"
    ),
    "svc.refund_state.sending": _t("отправляется", "жіберілуде", "sending"),
    "svc.refund_state.done": _t("выполнен", "орындалды", "done"),
    "svc.refund_state.failed": _t("не выполнен", "орындалмады", "failed"),
    "svc.refund_state.unknown": _t(
        "итог неизвестен — проверьте",
        "нәтижесі белгісіз — тексеріңіз",
        "outcome unknown — check it",
    ),
    "svc.tab.status": _t("Состояние", "Күйі", "Status"),
    "svc.tab.refunds": _t("Возвраты", "Қайтару", "Refunds"),
    "svc.tab.attention": _t("Внимание", "Назар", "Attention"),
    "svc.tab.sales": _t("Продажи", "Сатылымдар", "Sales"),
    "svc.tab.device": _t("Устройство", "Құрылғы", "Device"),
    "svc.tab.certificate": _t("Сертификат", "Сертификат", "Certificate"),
    "svc.tab.system": _t("Система", "Жүйе", "System"),
    "svc.leave": _t("Выйти из сервиса", "Сервистен шығу", "Leave service mode"),
    "svc.back": _t("Назад", "Артқа", "Back"),
    "svc.yes": _t("Да", "Иә", "Yes"),
    "svc.no": _t("Нет", "Жоқ", "No"),
    "svc.not_ready": _t(
        "Настройки не загружены: киоск ещё не запущен",
        "Баптаулар жүктелмеген: киоск әлі іске қосылмаған",
        "No config loaded: the kiosk has not started",
    ),
    "svc.working": _t("Выполняется…", "Орындалуда…", "Working…"),
    # --- status -----------------------------------------------------------------------------
    "svc.status.bank": _t("Банк", "Банк", "Bank"),
    "svc.status.reachable": _t("доступен", "қолжетімді", "reachable"),
    "svc.status.unreachable": _t("НЕ доступен", "қолжетімсіз", "NOT reachable"),
    "svc.status.not_checked": _t("ещё не проверен", "әлі тексерілмеді", "not checked yet"),
    "svc.status.last_ping": _t(
        "последняя проверка {time}", "соңғы тексеру {time}", "last check {time}"
    ),
    "svc.status.latency": _t("{ms} мс", "{ms} мс", "{ms} ms"),
    "svc.status.scheme": _t("Схема", "Схема", "Scheme"),
    "svc.scheme.basic": _t("базовая (API-ключ)", "базалық (API кілті)", "basic (API key)"),
    "svc.scheme.standard": _t(
        "стандартная (сертификат)", "стандартты (сертификат)", "standard (certificate)"
    ),
    "svc.scheme.enhanced": _t(
        "усиленная (сертификат + БИН)",
        "күшейтілген (сертификат + БСН)",
        "enhanced (certificate + BIN)",
    ),
    "svc.status.device": _t("Устройство", "Құрылғы", "Device"),
    "svc.status.device_value": _t(
        "{device}, торговая точка {point}",
        "{device}, сауда нүктесі {point}",
        "{device}, trade point {point}",
    ),
    "svc.status.registered": _t("Регистрация", "Тіркеу", "Registration"),
    "svc.status.today_sales": _t("Продажи сегодня", "Бүгінгі сатылымдар", "Sales today"),
    "svc.status.today_refunds": _t("Возвраты сегодня", "Бүгінгі қайтарулар", "Refunds today"),
    "svc.status.count_sum": _t(
        "{count} на сумму {sum}", "{count}, сомасы {sum}", "{count} for {sum}"
    ),
    "svc.status.journal": _t("Журнал", "Журнал", "Journal"),
    "svc.status.journal_ok": _t("в порядке", "жақсы", "fine"),
    "svc.status.attention": _t(
        "Ждут решения оператора", "Оператор шешімін күтеді", "Waiting for the operator"
    ),
    "svc.status.certificate": _t("Сертификат", "Сертификат", "Certificate"),
    "svc.status.version": _t("Версия", "Нұсқа", "Version"),
    "svc.status.check": _t("Проверить связь", "Байланысты тексеру", "Check the connection"),
    "svc.status.check_ok": _t(
        "Банк отвечает ({ms} мс)", "Банк жауап береді ({ms} мс)", "The bank answers ({ms} ms)"
    ),
    # --- device registration ----------------------------------------------------------------
    "svc.device.registered": _t(
        "Зарегистрирован: {device}, торговая точка {point}",
        "Тіркелген: {device}, сауда нүктесі {point}",
        "Registered: {device} at trade point {point}",
    ),
    "svc.device.not_registered": _t(
        "Не зарегистрирован ({device})",
        "Тіркелмеген ({device})",
        "Not registered ({device})",
    ),
    "svc.device.load_points": _t("Торговые точки", "Сауда нүктелері", "Trade points"),
    "svc.device.pick_point": _t(
        "Выберите торговую точку", "Сауда нүктесін таңдаңыз", "Choose a trade point"
    ),
    "svc.device.no_points": _t("Торговых точек нет", "Сауда нүктелері жоқ", "No trade points"),
    "svc.device.confirm_register": _t(
        "Зарегистрировать {device} в точке «{point}»?",
        "{device} құрылғысын «{point}» нүктесінде тіркеу керек пе?",
        "Register {device} at “{point}”?",
    ),
    "svc.device.unregister": _t("Удалить регистрацию", "Тіркеуді жою", "Unregister"),
    "svc.device.confirm_unregister": _t(
        "Удалить регистрацию {device}? Киоск перестанет принимать оплату",
        "{device} тіркеуін жою керек пе? Киоск төлем қабылдауды тоқтатады",
        "Unregister {device}? The kiosk stops taking payments",
    ),
    "svc.device.done_register": _t(
        "Готово: {device} в точке {point}; настройки сохранены",
        "Дайын: {device}, нүкте {point}; баптаулар сақталды",
        "Done: {device} at trade point {point}; the config is saved",
    ),
    "svc.device.done_unregister": _t(
        "Регистрация удалена", "Тіркеу жойылды", "The device is unregistered"
    ),
    "svc.device.already_gone": _t(
        "Банк уже не знал это устройство; токен удалён из настроек",
        "Банк бұл құрылғыны енді білмейді; токен баптаулардан жойылды",
        "The bank no longer knew this device; the token was removed from the config",
    ),
    # --- refunds ----------------------------------------------------------------------------
    "svc.refund.basic": _t(
        "В базовой схеме возвраты делаются в приложении Kaspi Pay",
        "Базалық схемада қайтару Kaspi Pay қосымшасында жасалады",
        "In scheme basic, refunds are made in the Kaspi Pay app",
    ),
    "svc.refund.pick_sale": _t(
        "Выберите покупку из журнала", "Журналдан сатып алуды таңдаңыз", "Choose a purchase"
    ),
    "svc.refund.no_sales": _t(
        "В журнале нет оплаченных покупок",
        "Журналда төленген сатып алулар жоқ",
        "No paid purchases in the journal",
    ),
    "svc.refund.type_id": _t("Ввести номер платежа", "Төлем нөмірін енгізу", "Type the payment id"),
    "svc.refund.payment_id": _t("Номер платежа", "Төлем нөмірі", "Payment id"),
    "svc.refund.show_qr": _t(
        "Показать QR для возврата", "Қайтару QR-кодын көрсету", "Show the return QR"
    ),
    "svc.refund.scan_qr": _t(
        "Клиент сканирует этот QR в приложении Kaspi.kz",
        "Клиент бұл QR-кодты Kaspi.kz қосымшасында сканерлейді",
        "The customer scans this QR with the Kaspi.kz app",
    ),
    "svc.refund.time_left": _t("Осталось времени", "Қалған уақыт", "Time left"),
    "svc.refund.customer_list": _t(
        "Покупки клиента", "Клиенттің сатып алулары", "The customer's purchases"
    ),
    "svc.refund.customer_none": _t(
        "У клиента нет покупок в этой точке",
        "Клиенттің бұл нүктеде сатып алулары жоқ",
        "The customer has no purchases here",
    ),
    "svc.refund.details": _t(
        "Платёж {payment}: {total}, можно вернуть {available}",
        "Төлем {payment}: {total}, қайтаруға болады {available}",
        "Payment {payment}: {total}, refundable {available}",
    ),
    "svc.refund.amount": _t("Сумма возврата", "Қайтару сомасы", "Refund amount"),
    "svc.refund.full": _t("Всю сумму", "Бүкіл соманы", "Full amount"),
    "svc.refund.send": _t("Вернуть {amount}", "{amount} қайтару", "Refund {amount}"),
    "svc.refund.confirm": _t(
        "Вернуть {amount} по платежу {payment}?",
        "{payment} төлемі бойынша {amount} қайтару керек пе?",
        "Refund {amount} of payment {payment}?",
    ),
    "svc.refund.new": _t("Новый возврат", "Жаңа қайтару", "New refund"),
    "svc.refund.open": _t(
        "Возврат {amount} по платежу {payment} не подтверждён",
        "{payment} төлемі бойынша {amount} қайтару расталмаған",
        "Refund of {amount} on payment {payment} is unconfirmed",
    ),
    "svc.refund.went_through": _t("Прошёл", "Өтті", "It went through"),
    "svc.refund.did_not": _t("Не прошёл", "Өтпеді", "It did not"),
    # --- attention --------------------------------------------------------------------------
    "svc.attention.refund": _t("Вернуть", "Қайтару", "Refund"),
    "svc.attention.handed_over": _t("Товар выдан", "Тауар берілді", "Goods handed over"),
    "svc.attention.confirm_hand_over": _t(
        "Отметить, что товар по продаже № {sale} выдан?",
        "№ {sale} сатылым бойынша тауар берілді деп белгілеу керек пе?",
        "Mark the goods of sale No. {sale} as handed over?",
    ),
    "svc.attention.none": _t(
        "Оплаченных продаж без выдачи нет",
        "Тауары берілмеген төленген сатылымдар жоқ",
        "No paid sale is waiting",
    ),
    # --- certificate ------------------------------------------------------------------------
    "svc.cert.subject": _t("Владелец", "Иесі", "Subject"),
    "svc.cert.issuer": _t("Издатель", "Берген", "Issuer"),
    "svc.cert.expiry": _t("Действует до", "Жарамды мерзімі", "Valid until"),
    "svc.cert.days_left": _t("Осталось дней", "Қалған күндер", "Days left"),
    "svc.cert.none": _t(
        "Базовая схема: сертификат не используется",
        "Базалық схема: сертификат қолданылмайды",
        "Scheme basic: no certificate is used",
    ),
    "svc.cert.fine": _t("Сертификат в порядке", "Сертификат жарамды", "The certificate is fine"),
    "svc.reload": _t("Перечитать настройки", "Баптауларды қайта оқу", "Reload the config"),
    "svc.reload.hint": _t(
        "После замены сертификата или пароля в файле настроек — без перезапуска",
        "Баптау файлында сертификат не құпиясөз ауыстырылғаннан кейін — қайта іске қоспай",
        "After swapping the certificate or password in the config file — no restart",
    ),
    "svc.reload.done": _t(
        "Настройки применены{changed}",
        "Баптаулар қолданылды{changed}",
        "The config is applied{changed}",
    ),
    # --- system -----------------------------------------------------------------------------
    "svc.system.quit": _t("Закрыть киоск", "Киоскіні жабу", "Close the kiosk"),
    "svc.system.confirm_quit": _t(
        "Закрыть программу киоска? Оплата будет недоступна до запуска",
        "Киоск бағдарламасын жабу керек пе? Іске қосылғанша төлем қолжетімсіз болады",
        "Close the kiosk program? No payments until it is started again",
    ),
}
