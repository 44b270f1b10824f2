"""The kiosk's states for the operator: why it is out of service, sales' states and reasons.

Every id starts with `operator.`; the log, the host API and service mode show these.

Values that come from outside the kiosk — an exception's text, a path, a URL, a
certificate subject — are passed in as `{fields}` and shown as they are.
"""

from __future__ import annotations

OPERATOR: dict[str, dict[str, str]] = {
    # --- why the kiosk is out of service (the log and the host API say it; the customer a code) -
    "operator.outage.config": {
        "ru": "ошибка в настройках: {detail}",
        "kk": "баптауларда қате: {detail}",
        "en": "config: {detail}",
    },
    "operator.outage.journal": {
        "ru": "журнал не записывается: {detail}",
        "kk": "журналға жазу мүмкін емес: {detail}",
        "en": "the journal cannot be written: {detail}",
    },
    "operator.outage.registering": {
        "ru": "регистрация {device} в торговой точке {trade_point}",
        "kk": "{device} құрылғысы {trade_point} сауда нүктесінде тіркелуде",
        "en": "registering {device} at trade point {trade_point}",
    },
    "operator.outage.unregistered": {
        "ru": "регистрация устройства удалена: зарегистрируйте его в сервисном режиме",
        "kk": "құрылғының тіркеуі жойылды: оны сервистік режимде тіркеңіз",
        "en": "the device's registration was removed: register it in service mode",
    },
    "operator.outage.register_failed": {
        "ru": "регистрация не удалась: {detail}",
        "kk": "тіркеу сәтсіз аяқталды: {detail}",
        "en": "registration failed: {detail}",
    },
    "operator.outage.recovering": {
        "ru": "проверяем с банком незавершённые платежи: {n}",
        "kk": "аяқталмаған төлемдерді банкпен тексеріп жатырмыз: {n}",
        "en": "checking {n} earlier payment(s) with the bank",
    },
    "operator.outage.recovery_failed": {
        "ru": "восстановление не удалось: {detail}",
        "kk": "қалпына келтіру сәтсіз аяқталды: {detail}",
        "en": "recovery failed: {detail}",
    },
    "operator.outage.bank": {
        "ru": "банк не отвечает: {detail}",
        "kk": "банк жауап бермейді: {detail}",
        "en": "the bank does not answer: {detail}",
    },
    # Said in English exactly as kiosk.payment.mode.ADAPTER_AWAY, the hold's own words.
    "operator.outage.adapter": {
        "ru": "не подключён MDB-адаптер торгового автомата",
        "kk": "сауда автоматының MDB адаптері қосылмаған",
        "en": "the vending machine's MDB adapter is not connected",
    },
    # Sale states and reasons as the operator reads them (kiosk.payment.sale: SaleState, Reason).
    "operator.state.creating": {"ru": "создаётся", "kk": "жасалуда", "en": "creating"},
    "operator.state.qr": {"ru": "QR на экране", "kk": "QR экранда", "en": "QR shown"},
    "operator.state.awaiting": {
        "ru": "ждёт подтверждения",
        "kk": "растауды күтуде",
        "en": "awaiting",
    },
    "operator.state.processed": {"ru": "оплачено", "kk": "төленді", "en": "paid"},
    "operator.state.failed": {"ru": "не оплачено", "kk": "төленбеді", "en": "failed"},
    "operator.state.cancelled": {"ru": "отменено", "kk": "тоқтатылды", "en": "cancelled"},
    "operator.state.unknown": {"ru": "неизвестно", "kk": "белгісіз", "en": "unknown"},
    "operator.reason.scan_timeout": {
        "ru": "QR не отсканирован вовремя",
        "kk": "QR уақытында сканерленбеді",
        "en": "QR not scanned in time",
    },
    "operator.reason.confirm_timeout": {
        "ru": "не подтверждено вовремя",
        "kk": "уақытында расталмады",
        "en": "not confirmed in time",
    },
    "operator.reason.declined": {
        "ru": "отклонено банком или покупателем",
        "kk": "банк немесе сатып алушы қабылдамады",
        "en": "declined by the bank or the customer",
    },
    "operator.reason.cancelled": {
        "ru": "отменено до сканирования",
        "kk": "сканерлеуге дейін тоқтатылды",
        "en": "cancelled before the scan",
    },
    "operator.reason.bank_unreachable": {
        "ru": "банк не ответил",
        "kk": "банк жауап бермеді",
        "en": "no answer from the bank",
    },
    "operator.reason.create_failed": {
        "ru": "QR не создан",
        "kk": "QR жасалмады",
        "en": "QR not created",
    },
    "operator.reason.amount_mismatch": {
        "ru": "оплачена другая сумма",
        "kk": "басқа сома төленді",
        "en": "a different amount was paid",
    },
    "operator.reason.paid_after_cancel": {
        "ru": "оплачено после отмены",
        "kk": "тоқтатылғаннан кейін төленді",
        "en": "paid after the kiosk gave up",
    },
    "operator.reason.interrupted": {
        "ru": "киоск остановился до ответа банка",
        "kk": "киоск банк жауабына дейін тоқтады",
        "en": "the kiosk stopped before the bank answered",
    },
    "operator.reason.not_dispensed": {
        "ru": "оплачено, но автомат не выдал товар",
        "kk": "төленді, бірақ автомат тауарды бермеді",
        "en": "paid, but the vending machine did not dispense",
    },
}
