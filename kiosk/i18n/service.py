"""What service mode shows: the PIN pad, its tabs and pages, the sales table, ru/kk/en.

Every id starts with `service.`; kiosk.i18n merges this table with the others into
the one catalogue `tr()` reads. No Qt here.
"""

from __future__ import annotations

SERVICE: dict[str, dict[str, str]] = {
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
    # --- tabs -------------------------------------------------------------------------------
    "service.sales.refund": {
        "ru": "возврат {amount}: {state}",
        "kk": "қайтару {amount}: {state}",
        "en": "refund {amount}: {state}",
    },
    "service.refund_state.sending": {"ru": "отправляется", "kk": "жіберілуде", "en": "sending"},
    "service.refund_state.done": {"ru": "выполнен", "kk": "орындалды", "en": "done"},
    "service.refund_state.failed": {"ru": "не выполнен", "kk": "орындалмады", "en": "failed"},
    "service.refund_state.unknown": {
        "ru": "итог неизвестен — проверьте",
        "kk": "нәтижесі белгісіз — тексеріңіз",
        "en": "outcome unknown — check it",
    },
    "service.tab.status": {"ru": "Состояние", "kk": "Күйі", "en": "Status"},
    "service.tab.refunds": {"ru": "Возвраты", "kk": "Қайтару", "en": "Refunds"},
    "service.tab.attention": {"ru": "Внимание", "kk": "Назар", "en": "Attention"},
    "service.tab.sales": {"ru": "Продажи", "kk": "Сатылымдар", "en": "Sales"},
    "service.tab.device": {"ru": "Устройство", "kk": "Құрылғы", "en": "Device"},
    "service.tab.certificate": {"ru": "Сертификат", "kk": "Сертификат", "en": "Certificate"},
    "service.tab.system": {"ru": "Система", "kk": "Жүйе", "en": "System"},
    "service.leave": {"ru": "Выйти из сервиса", "kk": "Сервистен шығу", "en": "Leave service mode"},
    "service.back": {"ru": "Назад", "kk": "Артқа", "en": "Back"},
    "service.yes": {"ru": "Да", "kk": "Иә", "en": "Yes"},
    "service.no": {"ru": "Нет", "kk": "Жоқ", "en": "No"},
    "service.config_problem": {
        "ru": "Настройки не загружены — {problem}. Исправьте файл и выйдите из сервисного "
        "режима: киоск прочитает его снова.",
        "kk": "Баптаулар жүктелмеді — {problem}. Файлды түзетіп, сервистік режимнен шығыңыз: "
        "киоск оны қайта оқиды.",
        "en": "The config did not load — {problem}. Fix the file and leave service mode: "
        "the kiosk reads it again.",
    },
    "service.not_ready": {
        "ru": "Настройки не загружены: киоск ещё не запущен",
        "kk": "Баптаулар жүктелмеген: киоск әлі іске қосылмаған",
        "en": "No config loaded: the kiosk has not started",
    },
    "service.working": {"ru": "Выполняется…", "kk": "Орындалуда…", "en": "Working…"},
    # --- status -----------------------------------------------------------------------------
    "service.status.bank": {"ru": "Банк", "kk": "Банк", "en": "Bank"},
    "service.status.reachable": {"ru": "доступен", "kk": "қолжетімді", "en": "reachable"},
    "service.status.unreachable": {"ru": "НЕ доступен", "kk": "қолжетімсіз", "en": "NOT reachable"},
    "service.status.not_checked": {
        "ru": "ещё не проверен",
        "kk": "әлі тексерілмеді",
        "en": "not checked yet",
    },
    "service.status.last_ping": {
        "ru": "последняя проверка {time}",
        "kk": "соңғы тексеру {time}",
        "en": "last check {time}",
    },
    "service.status.latency": {"ru": "{ms} мс", "kk": "{ms} мс", "en": "{ms} ms"},
    "service.status.scheme": {"ru": "Схема", "kk": "Схема", "en": "Scheme"},
    "service.scheme.basic": {
        "ru": "базовая (API-ключ)",
        "kk": "базалық (API кілті)",
        "en": "basic (API key)",
    },
    "service.scheme.standard": {
        "ru": "стандартная (сертификат)",
        "kk": "стандартты (сертификат)",
        "en": "standard (certificate)",
    },
    "service.scheme.enhanced": {
        "ru": "усиленная (сертификат + БИН)",
        "kk": "күшейтілген (сертификат + БСН)",
        "en": "enhanced (certificate + BIN)",
    },
    "service.status.device": {"ru": "Устройство", "kk": "Құрылғы", "en": "Device"},
    "service.status.device_value": {
        "ru": "{device}, торговая точка {point}",
        "kk": "{device}, сауда нүктесі {point}",
        "en": "{device}, trade point {point}",
    },
    "service.status.registered": {"ru": "Регистрация", "kk": "Тіркеу", "en": "Registration"},
    "service.status.today_sales": {
        "ru": "Продажи сегодня",
        "kk": "Бүгінгі сатылымдар",
        "en": "Sales today",
    },
    "service.status.today_refunds": {
        "ru": "Возвраты сегодня",
        "kk": "Бүгінгі қайтарулар",
        "en": "Refunds today",
    },
    "service.status.count_sum": {
        "ru": "{count} на сумму {sum}",
        "kk": "{count}, сомасы {sum}",
        "en": "{count} for {sum}",
    },
    "service.status.journal": {"ru": "Журнал", "kk": "Журнал", "en": "Journal"},
    "service.status.journal_ok": {"ru": "в порядке", "kk": "жақсы", "en": "fine"},
    "service.status.attention": {
        "ru": "Ждут решения оператора",
        "kk": "Оператор шешімін күтеді",
        "en": "Waiting for the operator",
    },
    "service.status.certificate": {"ru": "Сертификат", "kk": "Сертификат", "en": "Certificate"},
    "service.status.version": {"ru": "Версия", "kk": "Нұсқа", "en": "Version"},
    "service.status.clock": {"ru": "Часы киоска", "kk": "Киоск сағаты", "en": "Kiosk clock"},
    "service.status.clock_ok": {
        "ru": "совпадают с банком",
        "kk": "банкпен сәйкес",
        "en": "in step with the bank",
    },
    "service.status.clock_ahead": {
        "ru": "спешат на {s} с относительно банка (проверьте время и часовой пояс; продажи идут)",
        "kk": "банктен {s} с алда (уақыт пен белдеуді тексеріңіз; сату жүріп жатыр)",
        "en": "{s} s ahead of the bank (check the time and time zone; sales go on)",
    },
    "service.status.clock_behind": {
        "ru": "отстают на {s} с от банка (проверьте время и часовой пояс; продажи идут)",
        "kk": "банктен {s} с артта (уақыт пен белдеуді тексеріңіз; сату жүріп жатыр)",
        "en": "{s} s behind the bank (check the time and time zone; sales go on)",
    },
    "service.status.check": {
        "ru": "Проверить связь",
        "kk": "Байланысты тексеру",
        "en": "Check the connection",
    },
    "service.status.check_ok": {
        "ru": "Банк отвечает ({ms} мс)",
        "kk": "Банк жауап береді ({ms} мс)",
        "en": "The bank answers ({ms} ms)",
    },
    # --- device registration ----------------------------------------------------------------
    "service.device.registered": {
        "ru": "Зарегистрирован: {device}, торговая точка {point}",
        "kk": "Тіркелген: {device}, сауда нүктесі {point}",
        "en": "Registered: {device} at trade point {point}",
    },
    "service.device.not_registered": {
        "ru": "Не зарегистрирован ({device})",
        "kk": "Тіркелмеген ({device})",
        "en": "Not registered ({device})",
    },
    "service.device.load_points": {
        "ru": "Торговые точки",
        "kk": "Сауда нүктелері",
        "en": "Trade points",
    },
    "service.device.pick_point": {
        "ru": "Выберите торговую точку",
        "kk": "Сауда нүктесін таңдаңыз",
        "en": "Choose a trade point",
    },
    "service.device.no_points": {
        "ru": "Торговых точек нет",
        "kk": "Сауда нүктелері жоқ",
        "en": "No trade points",
    },
    "service.device.confirm_register": {
        "ru": "Зарегистрировать {device} в точке «{point}»?",
        "kk": "{device} құрылғысын «{point}» нүктесінде тіркеу керек пе?",
        "en": "Register {device} at “{point}”?",
    },
    "service.device.unregister": {
        "ru": "Удалить регистрацию",
        "kk": "Тіркеуді жою",
        "en": "Unregister",
    },
    "service.device.confirm_unregister": {
        "ru": "Удалить регистрацию {device}? Киоск перестанет принимать оплату",
        "kk": "{device} тіркеуін жою керек пе? Киоск төлем қабылдауды тоқтатады",
        "en": "Unregister {device}? The kiosk stops taking payments",
    },
    "service.device.done_register": {
        "ru": "Готово: {device} в точке {point}; настройки сохранены",
        "kk": "Дайын: {device}, нүкте {point}; баптаулар сақталды",
        "en": "Done: {device} at trade point {point}; the config is saved",
    },
    "service.device.done_unregister": {
        "ru": "Регистрация удалена",
        "kk": "Тіркеу жойылды",
        "en": "The device is unregistered",
    },
    "service.device.already_gone": {
        "ru": "Банк уже не знал это устройство; токен удалён из настроек",
        "kk": "Банк бұл құрылғыны енді білмейді; токен баптаулардан жойылды",
        "en": "The bank no longer knew this device; the token was removed from the config",
    },
    # --- refunds ----------------------------------------------------------------------------
    "service.refund.basic": {
        "ru": "В базовой схеме возвраты делаются в приложении Kaspi Pay",
        "kk": "Базалық схемада қайтару Kaspi Pay қосымшасында жасалады",
        "en": "In scheme basic, refunds are made in the Kaspi Pay app",
    },
    "service.refund.pick_sale": {
        "ru": "Выберите покупку из журнала",
        "kk": "Журналдан сатып алуды таңдаңыз",
        "en": "Choose a purchase",
    },
    "service.refund.no_sales": {
        "ru": "В журнале нет оплаченных покупок",
        "kk": "Журналда төленген сатып алулар жоқ",
        "en": "No paid purchases in the journal",
    },
    "service.refund.type_id": {
        "ru": "Ввести номер платежа",
        "kk": "Төлем нөмірін енгізу",
        "en": "Type the payment id",
    },
    "service.refund.payment_id": {"ru": "Номер платежа", "kk": "Төлем нөмірі", "en": "Payment id"},
    "service.refund.show_qr": {
        "ru": "Показать QR для возврата",
        "kk": "Қайтару QR-кодын көрсету",
        "en": "Show the return QR",
    },
    "service.refund.scan_qr": {
        "ru": "Клиент сканирует этот QR в приложении Kaspi.kz",
        "kk": "Клиент бұл QR-кодты Kaspi.kz қосымшасында сканерлейді",
        "en": "The customer scans this QR with the Kaspi.kz app",
    },
    "service.refund.time_left": {"ru": "Осталось времени", "kk": "Қалған уақыт", "en": "Time left"},
    "service.refund.customer_list": {
        "ru": "Покупки клиента",
        "kk": "Клиенттің сатып алулары",
        "en": "The customer's purchases",
    },
    "service.refund.customer_none": {
        "ru": "У клиента нет покупок в этой точке",
        "kk": "Клиенттің бұл нүктеде сатып алулары жоқ",
        "en": "The customer has no purchases here",
    },
    "service.refund.details": {
        "ru": "Платёж {payment}: {total}, можно вернуть {available}",
        "kk": "Төлем {payment}: {total}, қайтаруға болады {available}",
        "en": "Payment {payment}: {total}, refundable {available}",
    },
    "service.refund.amount": {
        "ru": "Сумма возврата",
        "kk": "Қайтару сомасы",
        "en": "Refund amount",
    },
    "service.refund.full": {"ru": "Всю сумму", "kk": "Бүкіл соманы", "en": "Full amount"},
    "service.refund.send": {
        "ru": "Вернуть {amount}",
        "kk": "{amount} қайтару",
        "en": "Refund {amount}",
    },
    "service.refund.confirm": {
        "ru": "Вернуть {amount} по платежу {payment}?",
        "kk": "{payment} төлемі бойынша {amount} қайтару керек пе?",
        "en": "Refund {amount} of payment {payment}?",
    },
    "service.refund.new": {"ru": "Новый возврат", "kk": "Жаңа қайтару", "en": "New refund"},
    "service.refund.open": {
        "ru": "Возврат {amount} по платежу {payment} не подтверждён",
        "kk": "{payment} төлемі бойынша {amount} қайтару расталмаған",
        "en": "Refund of {amount} on payment {payment} is unconfirmed",
    },
    "service.refund.went_through": {"ru": "Прошёл", "kk": "Өтті", "en": "It went through"},
    "service.refund.did_not": {"ru": "Не прошёл", "kk": "Өтпеді", "en": "It did not"},
    # --- attention --------------------------------------------------------------------------
    "service.attention.refund": {"ru": "Вернуть", "kk": "Қайтару", "en": "Refund"},
    "service.attention.handed_over": {
        "ru": "Товар выдан",
        "kk": "Тауар берілді",
        "en": "Goods handed over",
    },
    "service.attention.confirm_hand_over": {
        "ru": "Отметить, что товар по продаже № {sale} выдан?",
        "kk": "№ {sale} сатылым бойынша тауар берілді деп белгілеу керек пе?",
        "en": "Mark the goods of sale No. {sale} as handed over?",
    },
    "service.attention.none": {
        "ru": "Оплаченных продаж без выдачи нет",
        "kk": "Тауары берілмеген төленген сатылымдар жоқ",
        "en": "No paid sale is waiting",
    },
    # --- certificate ------------------------------------------------------------------------
    "service.cert.subject": {"ru": "Владелец", "kk": "Иесі", "en": "Subject"},
    "service.cert.issuer": {"ru": "Издатель", "kk": "Берген", "en": "Issuer"},
    "service.cert.expiry": {"ru": "Действует до", "kk": "Жарамды мерзімі", "en": "Valid until"},
    "service.cert.days_left": {"ru": "Осталось дней", "kk": "Қалған күндер", "en": "Days left"},
    "service.cert.none": {
        "ru": "Базовая схема: сертификат не используется",
        "kk": "Базалық схема: сертификат қолданылмайды",
        "en": "Scheme basic: no certificate is used",
    },
    "service.cert.fine": {
        "ru": "Сертификат в порядке",
        "kk": "Сертификат жарамды",
        "en": "The certificate is fine",
    },
    "service.reload": {
        "ru": "Перечитать настройки",
        "kk": "Баптауларды қайта оқу",
        "en": "Reload the config",
    },
    "service.reload.hint": {
        "ru": "После замены сертификата или пароля в файле настроек — без перезапуска",
        "kk": "Баптау файлында сертификат не құпиясөз ауыстырылғаннан кейін — қайта іске қоспай",
        "en": "After swapping the certificate or password in the config file — no restart",
    },
    "service.reload.done": {
        "ru": "Настройки применены{changed}",
        "kk": "Баптаулар қолданылды{changed}",
        "en": "The config is applied{changed}",
    },
    # --- system -----------------------------------------------------------------------------
    "service.system.zreport": {
        "ru": "Закрыть смену (Z-отчёт)",
        "kk": "Ауысымды жабу (Z-есеп)",
        "en": "Close shift (Z-report)",
    },
    "service.system.confirm_zreport": {
        "ru": "Закрыть смену онлайн-кассы (Z-отчёт)?",
        "kk": "Онлайн-кассаның ауысымын жабу керек пе (Z-есеп)?",
        "en": "Close the online cash register's shift (Z-report)?",
    },
    "service.system.zreport_done": {
        "ru": "Смена {shift} закрыта, документов: {count}",
        "kk": "{shift} ауысым жабылды, құжаттар: {count}",
        "en": "Shift {shift} closed, {count} document(s)",
    },
    "service.system.zreport_nothing": {
        "ru": "Открытой смены нет: закрывать нечего",
        "kk": "Ашық ауысым жоқ: жабатын ештеңе жоқ",
        "en": "No open shift: nothing to close",
    },
    "service.receipt.pending": {
        "ru": "Чек продажи № {sale} ({amount}) ещё не в кассе, отправляется снова: {error}",
        "kk": "№ {sale} сатылымның чегі ({amount}) әлі кассада жоқ, қайта жіберілуде: {error}",
        "en": "The receipt of sale № {sale} ({amount}) is not at the register yet;"
        " sent again: {error}",
    },
    "service.receipt.failed": {
        "ru": "Касса отклонила чек продажи № {sale} ({amount}): {error}",
        "kk": "Касса № {sale} сатылымның чегін ({amount}) қабылдамады: {error}",
        "en": "The register refused the receipt of sale № {sale} ({amount}): {error}",
    },
    "service.receipt.retry": {
        "ru": "Отправить снова",
        "kk": "Қайта жіберу",
        "en": "Send again",
    },
    "service.system.quit": {"ru": "Закрыть киоск", "kk": "Киоскіні жабу", "en": "Close the kiosk"},
    "service.system.confirm_quit": {
        "ru": "Закрыть программу киоска? Оплата будет недоступна до запуска",
        "kk": "Киоск бағдарламасын жабу керек пе? Іске қосылғанша төлем қолжетімсіз болады",
        "en": "Close the kiosk program? No payments until it is started again",
    },
}
