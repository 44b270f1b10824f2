"""The emulated register's memory and rules: tokens, the shift, receipts and their checks.

It answers as the digest (`Webkassa integrator API v4`) describes: the checks of
`Check` in the local server's order (shape, sums, VAT, totals -> 9; shift over
24 h -> 11; offline over 72 h -> 18; payment types -> 9; a repeated
ExternalCheckNumber -> 14 with the original in `Data`), code 2 for an unknown
or expired token, 12/13 from a Z-report with nothing to close. Field names are
matched case-insensitively, as ASP.NET does.

Where the digest leaves the cloud uncertain this register is the stricter
reading: a return must name a receipt it made, with that receipt's total, and
may not return more than was sold. Time is the clock passed in (seconds), so a
test ages the shift instead of waiting a day.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

Json = dict[str, object]
ALMATY = timezone(timedelta(hours=5))
SHIFT_LIMIT = 24 * 3600.0
OFFLINE_LIMIT = 72 * 3600.0
CENT = Decimal("0.01")
OFD_HOST = "consumer.oofd.kz"
#: VAT rates the emulated organisation has (an 8 % rate is refused by every register).
VAT_RATES = frozenset({12, 16})
NON_CASH = (1, 4)


class Refused(Exception):
    """An `Errors` answer: code, the register's Russian text, and `Data` if it goes with it."""

    def __init__(self, code: int, text: str, data: Json | None = None) -> None:
        self.code, self.text, self.data = code, text, data
        super().__init__(f"{code}: {text}")


def lower_keys(value: object) -> object:
    """The JSON value with every object key lower-cased (ASP.NET matches names so)."""
    if isinstance(value, dict):
        return {str(k).lower(): lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lower_keys(v) for v in value]
    return value


def _dec(value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise Refused(9, f"Ошибка валидации данных: {what}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise Refused(9, f"Ошибка валидации данных: {what}") from None
    if not number.is_finite():
        raise Refused(9, f"Ошибка валидации данных: {what}")
    return number


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Refused(9, f"Ошибка валидации данных: {what}")
    return value


@dataclass
class Shift:
    number: int
    opened_at: float
    closed_at: float | None = None


@dataclass
class Registered:
    """One receipt the register made."""

    cashbox: str
    external_number: str
    operation: int
    total: Decimal
    data: Json
    body: Json  # the request, keys lower-cased
    returned: Decimal = Decimal(0)


@dataclass
class RegisterState:
    """One organisation with one cashbox and one cashier."""

    api_key: str
    login: str
    password: str
    cashbox: str = "SWK00000001"
    registration_number: str = "600400000001"
    clock: Callable[[], float] = field(default=lambda: datetime.now(UTC).timestamp())
    lock: threading.RLock = field(default_factory=threading.RLock)
    tokens: set[str] = field(default_factory=set)
    shifts: list[Shift] = field(default_factory=list)
    receipts: list[Registered] = field(default_factory=list)
    zreports: list[Json] = field(default_factory=list)
    #: Seconds since the register last reached the OFD; None: online.
    offline_since: float | None = None
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # --- control (tests, the sandbox's control endpoints) ---

    def expire_tokens(self) -> None:
        """Every token handed out is unknown from now on (code 2 until authorised again)."""
        with self.lock:
            self.tokens.clear()

    def age_shift(self, hours: float = 25.0) -> None:
        """The open shift (opened now if none) was opened `hours` ago."""
        with self.lock:
            shift = self._open_shift() or self._new_shift()
            shift.opened_at = self.clock() - hours * 3600

    def go_offline(self, hours: float = 0.0) -> None:
        """The register lost the OFD `hours` ago: receipts are made offline (72 h: refused)."""
        with self.lock:
            self.offline_since = self.clock() - hours * 3600

    def go_online(self) -> None:
        with self.lock:
            self.offline_since = None

    def by_external(self, external_number: str) -> Registered | None:
        with self.lock:
            return next(
                (
                    r
                    for r in self.receipts
                    if r.external_number == external_number and r.cashbox == self.cashbox
                ),
                None,
            )

    # --- API ---

    def authorize(self, body: Json) -> Json:
        if body.get("login") != self.login or body.get("password") != self.password:
            raise Refused(1, "Неверный логин или пароль")
        token = secrets.token_hex(16)
        with self.lock:
            self.tokens.add(token)
        return {"Token": token}

    def check_token(self, body: Json) -> None:
        token = body.get("token")
        if not isinstance(token, str) or not token:
            raise Refused(3, "Пользователь не авторизован")
        with self.lock:
            if token not in self.tokens:
                raise Refused(2, "Срок действия сессии истек. Авторизуйтесь заново")

    def check_cashbox(self, body: Json) -> None:
        if body.get("cashboxuniquenumber") != self.cashbox:
            raise Refused(6, "Касса не найдена или недоступна пользователю")

    def check(self, body: Json) -> Json:
        """Register a receipt: the local server's checks in its order, then the receipt."""
        self.check_token(body)
        self.check_cashbox(body)
        operation = _int(body.get("operationtype"), "OperationType")
        if operation not in (0, 1, 2, 3):
            raise Refused(9, "Ошибка валидации данных: OperationType")
        total = self._validate_sums(body)
        with self.lock:
            now = self.clock()
            shift = self._open_shift()
            if shift is not None and now - shift.opened_at > SHIFT_LIMIT:
                raise Refused(11, "Продолжительность смены превышает 24 часа")
            if self.offline_since is not None and now - self.offline_since > OFFLINE_LIMIT:
                raise Refused(18, "Касса находится в автономном режиме более 72 часов")
            self._check_payment_types(body)
            external = body.get("externalchecknumber")
            if external is not None and (not isinstance(external, str) or len(external) > 50):
                raise Refused(9, "Ошибка валидации данных: ExternalCheckNumber")
            original = self.by_external(external) if isinstance(external, str) else None
            if original is not None:
                raise Refused(
                    14,
                    f"Чек с внешним номером {external} уже присутствует в системе:"
                    f" {original.data['CheckNumber']}",
                    original.data,
                )
            basis = self._return_basis(body, operation, total)
            made = self._make(body, operation, total, str(external or ""), shift, now)
            if basis is not None:
                basis.returned += total
            return made.data

    def zreport(self, body: Json) -> Json:
        self.check_token(body)
        self.check_cashbox(body)
        with self.lock:
            shift = self._open_shift()
            if shift is None:
                if self.shifts:
                    raise Refused(12, "Смена уже закрыта")
                raise Refused(13, "Открытая смена не найдена")
            shift.closed_at = self.clock()
            sold = [r for r in self.receipts if r.data.get("ShiftNumber") == shift.number]
            report: Json = {
                "ReportNumber": len(self.zreports) + 1,
                "CashboxSN": self.cashbox,
                "CashboxRN": self.registration_number,
                "ShiftNumber": shift.number,
                "StartOn": _local(shift.opened_at),
                "CloseOn": _local(shift.closed_at),
                "DocumentCount": len(sold),
                "Sell": {"Count": sum(1 for r in sold if r.operation == 2)},
                "ReturnSell": {"Count": sum(1 for r in sold if r.operation == 3)},
            }
            self.zreports.append(report)
            return report

    def print_format(self, body: Json) -> Json:
        self.check_token(body)
        self.check_cashbox(body)
        external = body.get("externalchecknumber")
        found = self.by_external(external) if isinstance(external, str) else None
        if found is None:
            raise Refused(19, "Чек с указанным внешним номером не найден")
        data = found.data
        lines: list[object] = [
            {"Order": 1, "Type": 0, "Value": "ФИСКАЛЬНЫЙ ЧЕК", "Style": 1},
            {"Order": 2, "Type": 0, "Value": f"ФП: {data['CheckNumber']}", "Style": 0},
            {"Order": 3, "Type": 2, "Value": data["TicketUrl"], "Style": 0},
        ]
        return {"Lines": lines}

    def cashboxes(self, body: Json) -> Json:
        self.check_token(body)
        with self.lock:
            shift = self._open_shift()
        entry: Json = {
            "UniqueNumber": self.cashbox,
            "RegistrationNumber": self.registration_number,
            "IdentificationNumber": "1001",
            "Name": "Kiosk",
            "IsOffline": self.offline_since is not None,
            "CurrentStatus": 1,
            "Shift": shift.number if shift else None,
        }
        return {"List": [entry]}

    # --- rules ---

    def _validate_sums(self, body: Json) -> Decimal:
        positions, payments = body.get("positions"), body.get("payments")
        if not isinstance(positions, list) or not positions:
            raise Refused(9, "Ошибка валидации данных: Positions")
        if not isinstance(payments, list) or not payments:
            raise Refused(9, "Ошибка валидации данных: Payments")
        total = Decimal(0)
        for item in positions:
            if not isinstance(item, dict):
                raise Refused(9, "Ошибка валидации данных: Positions")
            name = item.get("positionname")
            if not isinstance(name, str) or not name or len(name) > 255:
                raise Refused(9, "Ошибка валидации данных: PositionName")
            _int(item.get("unitcode"), "UnitCode")
            count, price = _dec(item.get("count"), "Count"), _dec(item.get("price"), "Price")
            tax = _dec(item.get("tax"), "Tax")
            discount = _dec(item.get("discount", 0), "Discount")
            markup = _dec(item.get("markup", 0), "Markup")
            if count < 0 or price < 0 or tax < 0 or discount < 0 or markup < 0:
                raise Refused(9, "Ошибка валидации данных: отрицательное значение")
            amount = price * count - discount + markup
            if amount < 0:
                raise Refused(9, "Сумма позиции не может быть меньше 0")
            _check_vat(item, amount, tax)
            total += amount
        paid, non_cash = Decimal(0), Decimal(0)
        for pay in payments:
            if not isinstance(pay, dict):
                raise Refused(9, "Ошибка валидации данных: Payments")
            value = _dec(pay.get("sum"), "Sum")
            paid += value
            if pay.get("paymenttype") in NON_CASH:
                non_cash += value
        change = body.get("change")
        if change is not None:
            if total != paid - _dec(change, "Change"):
                raise Refused(9, "Сумма чека не равна сумме оплат за вычетом сдачи")
        elif total > paid:
            raise Refused(9, "Сумма оплат меньше суммы чека")
        if non_cash > total:
            raise Refused(9, "Безналичная часть оплаты превышает сумму чека")
        return total

    @staticmethod
    def _check_payment_types(body: Json) -> None:
        payments = body.get("payments")
        seen: set[object] = set()
        for pay in payments if isinstance(payments, list) else []:
            kind = pay.get("paymenttype") if isinstance(pay, dict) else None
            if isinstance(kind, bool) or kind not in (0, 1, 4) or kind in seen:
                raise Refused(9, "Ошибка валидации данных: PaymentType")
            seen.add(kind)

    def _return_basis(self, body: Json, operation: int, total: Decimal) -> Registered | None:
        if operation not in (1, 3):
            return None
        basis = body.get("returnbasisdetails")
        if not isinstance(basis, dict):
            raise Refused(9, "Для возврата необходимо указать данные исходного чека")
        for key in ("checknumber", "datetime", "registrationnumber", "total", "isoffline"):
            if key not in basis:
                raise Refused(9, f"Ошибка валидации данных: ReturnBasisDetails.{key}")
        original = next(
            (r for r in self.receipts if r.data["CheckNumber"] == str(basis["checknumber"])), None
        )
        if original is None or original.operation != operation - 1:
            raise Refused(16, "Исходный чек не найден")
        if _dec(basis["total"], "Total") != original.total:
            raise Refused(9, "Сумма исходного чека указана неверно")
        if original.returned + total > original.total:
            raise Refused(9, "Сумма возврата превышает сумму исходного чека")
        return original

    def _open_shift(self) -> Shift | None:
        if self.shifts and self.shifts[-1].closed_at is None:
            return self.shifts[-1]
        return None

    def _new_shift(self) -> Shift:
        shift = Shift(len(self.shifts) + 1, self.clock())
        self.shifts.append(shift)
        return shift

    def _make(
        self,
        body: Json,
        operation: int,
        total: Decimal,
        external: str,
        shift: Shift | None,
        now: float,
    ) -> Registered:
        shift = shift or self._new_shift()  # a shift opens with its first operation
        number = str(7_000_000_000 + next(self._numbers) * 7_919)
        moment = datetime.fromtimestamp(now, ALMATY)
        offline = self.offline_since is not None
        url = (
            f"http://{OFD_HOST}/consumer?i={number}&f={self.registration_number}"
            f"&s={total.quantize(CENT)}&t={moment:%Y%m%dT%H%M%S}"
        )
        order = sum(1 for r in self.receipts if r.data.get("ShiftNumber") == shift.number) + 1
        data: Json = {
            "CheckNumber": number,
            "DateTime": f"{moment:%d.%m.%Y %H:%M:%S}",
            "DateTimeUTC": f"{moment:%d.%m.%Y %H:%M:%S} +05:00",
            "OfflineMode": offline,
            "CashboxOfflineMode": offline,
            "Cashbox": {
                "UniqueNumber": self.cashbox,
                "RegistrationNumber": self.registration_number,
                "IdentityNumber": "1001",
                "Address": "Алматы, Абая 1",
                "Ofd": {"Name": "АО «Казахтелеком»", "Host": OFD_HOST, "Code": 1},
            },
            "CheckOrderNumber": order,
            "ShiftNumber": shift.number,
            "EmployeeName": self.login,
            "TicketUrl": url,
            "TicketPrintUrl": (
                f"https://emulator/spa-ui/ticket?chb={self.cashbox}&sh={shift.number}"
                f"&extnum={external}"
            ),
        }
        made = Registered(self.cashbox, external, operation, total, data, body)
        self.receipts.append(made)
        return made


def _check_vat(item: Json, amount: Decimal, tax: Decimal) -> None:
    kind = item.get("taxtype", 0)
    if kind == 0:
        if tax != 0:
            raise Refused(9, "Налог рассчитан неверно")
        return
    if kind != 100:
        raise Refused(9, "Ошибка валидации данных: TaxType")
    percent = _int(item.get("taxpercent"), "TaxPercent")
    if percent not in VAT_RATES:
        raise Refused(9, "Ставка НДС не разрешена для организации")
    expected = (amount * percent / (100 + percent)).quantize(CENT, rounding=ROUND_HALF_UP)
    if tax != expected:
        raise Refused(9, "Налог рассчитан неверно")


def _local(moment: float) -> str:
    return f"{datetime.fromtimestamp(moment, ALMATY):%d.%m.%Y %H:%M:%S}"
