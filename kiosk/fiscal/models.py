"""The receipts the kiosk sends to Webkassa, and the answers it keeps.

A kiosk receipt is one line (the amount typed, or the vend's product) paid in
one payment: `Positions` and `Payments` both total the sale's amount exactly,
which is what the register demands of a receipt paid only by phone or card.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum
from urllib.parse import parse_qs, urlsplit

from kiosk.fiscal.errors import ProtocolError

CENT = Decimal("0.01")
#: UnitCode 796: piece (шт / дана).
PIECE = 796
#: TaxType: 0 no VAT, 100 VAT (the collection's comment "1 - НДС" is wrong; examples send 100).
NO_VAT, VAT = 0, 100
#: RoundType 0, none: how the register rounds under 2 or 3 (whole tenge or tiyn) is uncertain,
#: so the kiosk sends exact amounts and asks for no rounding; the totals then equal the sale.
NO_ROUNDING = 0
#: Most JSON values the register sends; narrowed with isinstance where used.
Json = dict[str, object]


def field(data: object, name: str) -> object:
    """An answer's field by its documented name, in any letter case; None when absent.

    The register reads request names case-insensitively (ASP.NET); whether its answers
    may come camelCased is not documented, so both spellings are read.
    """
    if not isinstance(data, dict):
        return None
    if name in data:
        return data[name]
    lowered = name.lower()
    return next((v for k, v in data.items() if str(k).lower() == lowered), None)


class Operation(IntEnum):
    SALE = 2
    SALE_RETURN = 3


def money(value: Decimal) -> float:
    """A tenge amount as the JSON number the register reads (2 decimals, exact in a float)."""
    return float(value.quantize(CENT))


def vat_of(amount: Decimal, percent: int) -> Decimal:
    """The VAT inside `amount`, as the register checks it: sum × p / (100 + p), half up."""
    if percent == 0:
        return Decimal("0.00")
    return (amount * percent / (100 + percent)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ReturnBasis:
    """The original sale receipt a return receipt must name (OFD protocol 2.0.3)."""

    check_number: str
    date_time: str
    registration_number: str
    total: Decimal
    is_offline: bool

    def to_json(self) -> Json:
        return {
            "CheckNumber": self.check_number,
            # Uncertain which formats the cloud accepts (the example is ISO 8601 UTC); sent as
            # the original answer's DateTime, unchanged, as the production Delphi client does.
            "DateTime": self.date_time,
            "RegistrationNumber": self.registration_number,
            "Total": money(self.total),
            "IsOffline": self.is_offline,
        }


@dataclass(frozen=True)
class ReceiptRequest:
    """One receipt: its own ExternalCheckNumber, one position, one payment."""

    external_number: str
    operation: Operation
    amount: Decimal
    position_name: str
    payment_type: int
    vat_percent: int
    order_number: str | None = None  # ExternalOrderNumber: the kiosk's sale id
    basis: ReturnBasis | None = None  # a return's original receipt

    def body(self, token: str, cashbox: str) -> Json:
        amount = self.amount.quantize(CENT)
        position: Json = {
            "Count": 1,
            "Price": money(amount),
            "Tax": money(vat_of(amount, self.vat_percent)),
            "TaxType": VAT if self.vat_percent else NO_VAT,
            "PositionName": self.position_name[:255],
            "UnitCode": PIECE,
        }
        if self.vat_percent:
            position["TaxPercent"] = self.vat_percent
        body: Json = {
            "Token": token,
            "CashboxUniqueNumber": cashbox,
            "OperationType": int(self.operation),
            "Positions": [position],
            "Payments": [{"Sum": money(amount), "PaymentType": self.payment_type}],
            # Given as 0: the total must then equal the payments exactly (no change by phone).
            "Change": 0,
            "RoundType": NO_ROUNDING,
            "ExternalCheckNumber": self.external_number,
        }
        if self.order_number:
            body["ExternalOrderNumber"] = self.order_number
        if self.basis is not None:
            body["ReturnBasisDetails"] = self.basis.to_json()
        return body


@dataclass(frozen=True)
class Receipt:
    """The register's answer to a receipt: what the customer's QR and a return need."""

    number: str  # CheckNumber: the fiscal sign
    date_time: str  # dd.MM.yyyy HH:mm:ss, the register's local time
    registration_number: str | None  # РНМ of the register (Cashbox.RegistrationNumber)
    ticket_url: str | None  # the OFD's link: the content of the receipt's QR
    offline: bool  # made offline: the fiscal sign comes from Webkassa, not the OFD
    shift_number: int | None = None
    answer: str = "{}"  # the Data object as JSON text, kept in the journal

    @classmethod
    def from_data(cls, data: object, path: str) -> Receipt:
        if not isinstance(data, dict):
            raise ProtocolError(f"{path}: the answer's Data is not an object")
        number = field(data, "CheckNumber")
        if isinstance(number, bool) or not isinstance(number, str | int) or not str(number):
            raise ProtocolError(f"{path}: the answer has no CheckNumber")
        cashbox = field(data, "Cashbox")
        registration = field(cashbox, "RegistrationNumber")
        url = field(data, "TicketUrl")
        from_url = TicketLink.parse(url) if isinstance(url, str) else None
        if registration is None and from_url is not None:
            registration = from_url.registration_number
        when = field(data, "DateTime")
        shift = field(data, "ShiftNumber")
        return cls(
            number=str(number),
            date_time=str(when) if when is not None else "",
            registration_number=str(registration) if registration is not None else None,
            ticket_url=url if isinstance(url, str) and url else None,
            offline=field(data, "OfflineMode") is True,
            shift_number=shift if isinstance(shift, int) and not isinstance(shift, bool) else None,
            answer=json.dumps(data, ensure_ascii=False, sort_keys=True),
        )


@dataclass(frozen=True)
class TicketLink:
    """What the OFD's TicketUrl carries: i fiscal sign, f РНМ, s total, t yyyyMMddTHHmmss."""

    check_number: str
    registration_number: str | None
    total: str | None
    date_time: str | None  # as dd.MM.yyyy HH:mm:ss, the answer's own DateTime shape

    @classmethod
    def parse(cls, url: str) -> TicketLink | None:
        query = parse_qs(urlsplit(url).query)
        number = (query.get("i") or [""])[0]
        if not number:
            return None
        stamp = (query.get("t") or [""])[0]
        when = None
        if len(stamp) == 15 and stamp[8] == "T" and (stamp[:8] + stamp[9:]).isdigit():
            day, clock = f"{stamp[6:8]}.{stamp[4:6]}.{stamp[:4]}", stamp[9:]
            when = f"{day} {clock[:2]}:{clock[2:4]}:{clock[4:]}"
        registration, total = query.get("f", []), query.get("s", [])
        return cls(
            number, registration[0] if registration else None, total[0] if total else None, when
        )

    def receipt(self, url: str, answer: str) -> Receipt:
        """A receipt known only from its link (the look-up by ExternalCheckNumber)."""
        return Receipt(
            number=self.check_number,
            date_time=self.date_time or "",
            registration_number=self.registration_number,
            ticket_url=url,
            # The printed form's offline mark is not parsed: read as made online (uncertain).
            offline=False,
            answer=answer,
        )
