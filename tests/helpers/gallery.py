"""Every screen of the kiosk window filled with its widest content, for layout tests.

`Gallery` builds one KioskWindow (no shell, no bank) and puts each screen into
its worst case: the largest amount, the longest error sentence, a full sales
table with long payment ids, two cards needing attention. `states()` lists the
screens by name; service tabs come from the service screen's own tab registry,
so a tab added there is checked without touching this file.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from PySide6.QtWidgets import QApplication

from kiosk.gui.screens import service as service_module
from kiosk.gui.screens.service import ServiceScreen
from kiosk.gui.window import KioskWindow
from kiosk.i18n import LANGS, Message, reason_text
from kiosk.sale import Reason, SaleState

T = TypeVar("T")

SIZES: tuple[tuple[int, int], ...] = (
    (800, 480),
    (1024, 768),
    (1280, 800),
    (1920, 1080),
    (1080, 1920),
)
PIN = "1234"
#: The widest amount the keypad can type when the maximum has nine digits.
WIDEST_AMOUNT = Decimal(999_999_999)
QR_PAYLOAD = "https://pay.kaspi.kz/pay/" + "x" * 60


class CannedBackend:
    """Service data of the widest kind, answered at once on the GUI thread."""

    def run(
        self, job: Callable[[], T], on_done: Callable[[T | None, BaseException | None], None]
    ) -> None:
        on_done(job(), None)

    def info(self) -> dict[str, Any]:
        return {
            "status.version": "0.1.0",
            "status.config_file": r"C:\ProgramData\KaspiKiosk\kiosk.toml",
            "status.scheme": "standard",
            "status.base_url": "https://mtokentest.kaspi.kz:8545/r2/v01",
            "status.device": Message(
                "status.device_value", {"device": "KIOSK-VENDING-001", "trade_point": 1234567}
            ),
            "status.registered": Message("status.yes"),
            "status.journal": r"C:\ProgramData\KaspiKiosk\journal.sqlite3",
            "status.problem": Message("status.no_problem"),
            "status.bank": Message("status.bank_yes", {"time": "14:03:07"}),
            "status.certificate": Message(
                "status.certificate_value",
                {"subject": "CN=KIOSK-VENDING-001, O=Test", "date": "2030-10-22", "days": 1795},
            ),
            "status.host_api": "http://127.0.0.1:8765/v1/",
        }

    def recent_sales(self) -> list[dict[str, Any]]:
        return [
            {
                "sale_id": 100_000 + i,
                "created_at": "2025-10-22T09:10:50+00:00",
                "amount": "499999.50",
                "state": "failed" if i % 2 else "processed",
                "reason": "interrupted" if i % 2 else None,
                "qr_payment_id": 502_000_000_000 + i,
            }
            for i in range(50, 0, -1)
        ]

    def attention(self) -> list[dict[str, Any]]:
        return [
            {
                "sale_id": 100_044,
                "created_at": "2025-10-22T09:10:50+00:00",
                "amount": "499999",
                "state": "processed",
                "reason": "paid_after_cancel",
                "qr_payment_id": 502_000_000_044,
                "note": None,
            },
            {
                "sale_id": 100_039,
                "created_at": "2025-10-21T09:01:00+00:00",
                "amount": "99990.00",
                "state": "processed",
                "reason": "amount_mismatch",
                "qr_payment_id": 502_000_000_039,
                "note": "TotalAmount 99000",
            },
        ]

    def resolve(self, sale_id: int, note: str) -> None:
        pass

    def check_connection(self) -> Message:
        return Message("service.check_ok", {"ms": 84})


def longest_reason(lang: str) -> str:
    texts = [reason_text(r, SaleState.FAILED, lang) for r in Reason]
    texts += [reason_text(None, s, lang) for s in (SaleState.PROCESSED, SaleState.UNKNOWN)]
    return max(texts, key=len)


class Gallery:
    """One kiosk window and a way to put it into each screen's worst case."""

    def __init__(self) -> None:
        self.window = KioskWindow(Decimal(1), WIDEST_AMOUNT)
        self.service = ServiceScreen(CannedBackend(), PIN)
        self.window.set_service_screen(self.service)
        self.lang = LANGS[0]

    def set_language(self, lang: str) -> None:
        self.lang = lang
        w = self.window
        for screen in (
            w.amount_screen,
            w.qr_screen,
            w.awaiting_screen,
            w.result_screen,
            w.out_of_service_screen,
            self.service,
        ):
            screen.retranslate(lang)

    def states(self) -> dict[str, Callable[[], None]]:
        """Screen name -> a function that shows it with its widest content."""
        states: dict[str, Callable[[], None]] = {
            "amount": self._amount,
            "qr": self._qr,
            "awaiting": self._awaiting,
            "success": self._success,
            "error": self._error,
            "out_of_service": self._out_of_service,
            "service": self._service_pin,
        }
        for tab in service_module.TABS:
            states[f"service-{tab}"] = lambda tab=tab: self._service_tab(tab)
        return states

    def _move(self, name: str) -> None:
        self.window.move_to(name)
        QApplication.processEvents()

    def _amount(self) -> None:
        self._move("amount")
        screen = self.window.amount_screen
        screen.retranslate(self.lang)  # entering the amount screen resets the language
        screen.clear()
        for digit in str(WIDEST_AMOUNT):
            screen.press_digit(digit)

    def _qr(self) -> None:
        self.window.qr_screen.show_payment(QR_PAYLOAD, WIDEST_AMOUNT, ["Gold", "Red", "Loan"])
        self.window.qr_screen.set_seconds_left(165, 180)
        self._move("qr")

    def _awaiting(self) -> None:
        self.window.awaiting_screen.show_amount(WIDEST_AMOUNT)
        self.window.awaiting_screen.set_seconds_left(59, 65)
        self._move("awaiting")

    def _success(self) -> None:
        self.window.result_screen.show_success(WIDEST_AMOUNT)
        self.window.result_screen.set_seconds_left(6)
        self._move("success")

    def _error(self) -> None:
        self.window.result_screen.show_error(longest_reason(self.lang))
        self.window.result_screen.set_seconds_left(6)
        self._move("error")

    def _out_of_service(self) -> None:
        self.window.out_of_service_screen.show_reason("the bank does not answer", 15)
        self._move("out_of_service")

    def _service_pin(self) -> None:
        self.service.lock()
        for digit in PIN[:3]:
            self.service.press_pin_digit(digit)
        self._move("service")

    def _service_tab(self, tab: str) -> None:
        self._move("service")
        if not self.service.is_unlocked():
            self.service.lock()
            for digit in PIN:
                self.service.press_pin_digit(digit)
            self.service.submit_pin()
        self.service.show_tab(tab)
        QApplication.processEvents()
