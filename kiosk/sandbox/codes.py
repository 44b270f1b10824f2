"""The StatusCodes the sandbox bank answers, their messages, and which endpoint may answer which.

The codes of docs/kaspi/api.md §9 keep the spelling each endpoint's table prints (remote/cancel's
not-found is `-99000001`, the refund's `-990000001`). Where the guide names no
code for a refusal the sandbox must make, it uses one of INVENTED below; the
HTTP layer and the tests mark them as such:

    BAD_REQUEST (-1)             a field is missing or malformed, or the body is not JSON
    UNKNOWN_ORGANIZATION         OrganizationBin the certificate does not serve (-14000001)
    WRONG_STATUS (-990000011)    used beyond the refund (its one table) for any operation
                                 that does not fit the current status, including the test
                                 host's out-of-order calls (confirm before scan)

`-1401` is listed by the remote endpoints without a meaning; the sandbox gives it
one (the phone number has no Kaspi account), which is its own reading.
"""

from __future__ import annotations

from kiosk.kaspi.errors import normalize_code

OK = 0
BAD_REQUEST = -1
NO_CERTIFICATE = -10000
DEVICE_NOT_FOUND = -1501
DEVICE_INACTIVE = -1502
DEVICE_OTHER_TRADE_POINT = -1503
PURCHASE_NOT_FOUND = -1601
CLIENT_NOT_FOUND = -1401  # listed by remote/*, meaning not given: the sandbox's reading
UNKNOWN_ORGANIZATION = -14000001
NO_TRADE_POINTS = -14000002
TRADE_POINT_NOT_FOUND = -99000002
REFUND_TOO_LARGE = -990000005  # payment/return's table spelling (docs/kaspi/api.md §9.2: -99000005)
TRADE_POINT_DISABLED = 990000018
TRADE_POINT_NO_QR = 990000026
BAD_AMOUNT = 990000028
NO_PAYMENT_METHODS = 990000033
REFUND_PURCHASE_NOT_FOUND = -990000001
REMOTE_NOT_FOUND = -99000001  # remote/cancel's table prints the not-found code so
REFUND_OTHER_TRADE_POINT = -990000003
WRONG_STATUS = -990000011
SERVICE_UNAVAILABLE = -999

#: Codes the guide does not print anywhere (or not for the calls they are used on).
INVENTED = frozenset({BAD_REQUEST, UNKNOWN_ORGANIZATION})

# The bank answers in Russian; these are the guide's own words (docs/kaspi/api.md §9.1).
MESSAGES: dict[int, str] = {
    OK: "OK",
    BAD_REQUEST: "Некорректный запрос",
    NO_CERTIFICATE: "Отсутствует сертификат клиента",
    DEVICE_NOT_FOUND: "Устройство с заданным идентификатором не найдено",
    DEVICE_INACTIVE: "Устройство не активно (отключено или удалено)",
    DEVICE_OTHER_TRADE_POINT: "Устройство уже добавлено в другую торговую точку",
    PURCHASE_NOT_FOUND: "Покупка не найдена",
    CLIENT_NOT_FOUND: "Клиент не найден",
    UNKNOWN_ORGANIZATION: "Организация не найдена",
    NO_TRADE_POINTS: "Отсутствуют торговые точки, необходимо создать торговую точку"
    " в приложении Kaspi Pay",
    TRADE_POINT_NOT_FOUND: "Торговая точка не найдена",
    REFUND_TOO_LARGE: "Сумма возврата не может превышать сумму покупки",
    TRADE_POINT_DISABLED: "Торговая точка отключена",
    TRADE_POINT_NO_QR: "Торговая точка не принимает оплату с QR",
    BAD_AMOUNT: "Указана неверная сумма операции",
    NO_PAYMENT_METHODS: "Нет доступных методов оплаты",
    REFUND_PURCHASE_NOT_FOUND: "Покупка с заданным идентификатором не найдена",
    REMOTE_NOT_FOUND: "Покупка с заданным идентификатором не найдена",
    REFUND_OTHER_TRADE_POINT: "Торговая точка покупки не соответствует текущему устройству",
    WRONG_STATUS: "Невозможно выполнить операцию (несоответствующий статус)",
    SERVICE_UNAVAILABLE: "Сервис временно недоступен",
}

# --- which endpoint may answer which code -------------------------------------------------
#: Each endpoint's "Возможные StatusCode" line, as the guide prints it (the union over the
#: schemes that serve it; spellings as printed, compared after kiosk.kaspi.errors'
#: normalize_code, since one code is printed with varying digit counts: docs/kaspi/api.md §9.2).
GUIDE_CODES: dict[str, tuple[int, ...]] = {
    "/health/ping": (0, -999, -10000),
    "/partner/tradepoints": (0, -999, -10000, -14000002),
    "/partner/tradepoints/{}": (0, -999, -10000, -14000002),
    "/device/register": (0, -999, -10000, -1503, -99000002, 990000026),
    "/device/delete": (0, -999, -10000, -1501),
    "/qr/create": (
        0,
        -999,
        -10000,
        -1501,
        -1502,
        -990000002,
        9900000018,
        9900000026,
        9900000028,
        9900000033,
    ),
    "/qr/create-link": (
        0,
        -999,
        -10000,
        -1501,
        -1502,
        -99000002,
        -990000002,
        990000018,
        990000026,
        990000028,
        990000033,
    ),
    "/payment/status/{}": (0, -999, -10000, -1601),
    "/payment/details": (0, -999, -10000, -1601),
    "/return/create": (0, -999, -10000, -1501, -1502, -990000002, 9900000018),
    "/return/status/{}": (0, -999, -10000, -1601),
    "/return/operations": (0, -999, -10000, -1601),
    "/payment/return": (
        0,
        -999,
        -10000,
        -1501,
        -1502,
        -1601,
        -990000005,
        -990000006,
        -990000001,
        -990000002,
        -990000003,
        -990000011,
        -990000020,
        990000018,
    ),
    "/remote/client-info": (
        0,
        -999,
        -1401,
        -1404,
        -1501,
        -990000002,
        9900000018,
        9900000029,
        9900000031,
        9900000032,
    ),
    "/remote/create": (
        0,
        -999,
        -1401,
        -1404,
        -1501,
        -99000002,
        99000010,
        990000018,
        990000028,
        990000032,
    ),
    "/remote/cancel": (0, -999, -1401, -1404, -1501, -99000001, -99000002, 990000018),
    "/test/payment/{}": (0, -999, -10000),
}

#: Codes the sandbox answers on an endpoint whose table does not list them — its own
#: readings where the guide is silent (INVENTED: not guide behaviour). Every entry is a
#: refusal the guide leaves unspecified for that call.
INVENTED_ON: dict[str, frozenset[int]] = {
    # A disabled trade point at registration.
    "/device/register": frozenset({TRADE_POINT_DISABLED}),
    # Deleting a device already deleted.
    "/device/delete": frozenset({DEVICE_INACTIVE}),
    # The device behind DeviceToken is unknown or inactive.
    "/payment/details": frozenset({DEVICE_NOT_FOUND, DEVICE_INACTIVE}),
    "/return/operations": frozenset({DEVICE_NOT_FOUND, DEVICE_INACTIVE, WRONG_STATUS}),
    "/return/create": frozenset({TRADE_POINT_NO_QR}),
    # Cancelling an invoice that is no longer open.
    "/remote/cancel": frozenset({WRONG_STATUS}),
    # The test host's customer actions on a payment in the wrong status or unknown.
    "/test/payment/{}": frozenset({WRONG_STATUS, PURCHASE_NOT_FOUND}),
    "/test/return/scan": frozenset({WRONG_STATUS, PURCHASE_NOT_FOUND}),
}


def listed(endpoint: str, code: int) -> bool:
    """The guide lists `code` for `endpoint`, or the sandbox marks it INVENTED there."""
    if code in INVENTED or code in INVENTED_ON.get(endpoint, ()):
        return True
    allowed = GUIDE_CODES.get(endpoint, (0, -999, -10000))
    return normalize_code(code) in {normalize_code(c) for c in allowed}


__all__ = [
    "BAD_AMOUNT",
    "BAD_REQUEST",
    "CLIENT_NOT_FOUND",
    "DEVICE_INACTIVE",
    "DEVICE_NOT_FOUND",
    "DEVICE_OTHER_TRADE_POINT",
    "GUIDE_CODES",
    "INVENTED",
    "INVENTED_ON",
    "MESSAGES",
    "NO_CERTIFICATE",
    "NO_PAYMENT_METHODS",
    "NO_TRADE_POINTS",
    "OK",
    "PURCHASE_NOT_FOUND",
    "REFUND_OTHER_TRADE_POINT",
    "REFUND_PURCHASE_NOT_FOUND",
    "REFUND_TOO_LARGE",
    "REMOTE_NOT_FOUND",
    "SERVICE_UNAVAILABLE",
    "TRADE_POINT_DISABLED",
    "TRADE_POINT_NOT_FOUND",
    "TRADE_POINT_NO_QR",
    "UNKNOWN_ORGANIZATION",
    "WRONG_STATUS",
    "listed",
]
