"""Every screen of the kiosk window filled with its widest content, for layout tests.

`Gallery` builds one KioskWindow (no shell, no bank) and puts each screen into
its worst case: the largest amount, the longest error sentence, a full sales
table with long payment ids, two cards needing attention. `states()` lists the
screens by name; service tabs come from the service screen's own tab registry,
so a tab added there is checked without touching this file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, TypeVar

from PySide6.QtWidgets import QApplication

from kiosk.gui.screens.navigator import Page
from kiosk.gui.screens.window import KioskWindow
from kiosk.gui.service.screen import ServiceScreen
from kiosk.i18n import LANGS, Message, reason_text
from kiosk.journal import SaleRecord
from kiosk.journal.refunds import DayTotals, RefundRecord, RefundState
from kiosk.kaspi import tls
from kiosk.kaspi.models import TradePoint
from kiosk.operator.access import PinLock, hash_pin
from kiosk.operator.certificate import CertificateCheck, CertState
from kiosk.operator.status import BankReach, KioskStatus
from kiosk.payment.sale import Reason, SaleState

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


class CannedDesk:
    """The operator desk's answers of the widest kind (scheme enhanced: the refunds tab lists
    the journal's purchases), without a bank or a journal."""

    scheme = "enhanced"
    journal = None
    config = SimpleNamespace(
        device=SimpleNamespace(device_id="KIOSK-VENDING-001", trade_point_id=1234567),
        kaspi=SimpleNamespace(device_token="2be4cc91-0000-4000-8000-00000000abcd"),
    )

    def __init__(self) -> None:
        info = tls.CertificateInfo(
            subject="CN=KIOSK-VENDING-001, O=Test Vending LLP, C=KZ",
            issuer="CN=Kaspi Test Issuing CA, O=Kaspi Bank JSC, C=KZ",
            serial="5A3F9C0E21D4B7",
            not_before=datetime(2025, 10, 22, tzinfo=UTC),
            not_after=datetime(2030, 10, 22, tzinfo=UTC),
            sha256="ab" * 32,
        )
        self.check = CertificateCheck(CertState.WARNING, info, 45)

    def status(self, bank: BankReach, now: datetime) -> KioskStatus:
        return KioskStatus(
            version="0.1.0",
            scheme=self.scheme,
            base_url="https://mtokentest.kaspi.kz:8545/r2/v01",
            device_id="KIOSK-VENDING-001",
            trade_point_id=1234567,
            registered=True,
            bank=bank,
            certificate=self.check,
            totals=DayTotals(9999, Decimal("99999999.50"), 999, Decimal("9999999.50")),
            journal_problem=None,
            attention=2,
        )

    def ping(self) -> float:
        return 84.0

    def attention(self) -> list[SaleRecord]:
        return [
            record(100_044, "499999", SaleState.PROCESSED, Reason.PAID_AFTER_CANCEL),
            record(
                100_039,
                "99990.00",
                SaleState.PROCESSED,
                Reason.AMOUNT_MISMATCH,
                "TotalAmount 99000",
            ),
        ]

    def open_refunds(self) -> list[RefundRecord]:
        return [
            RefundRecord(
                refund_id=100_007,
                requested_at="2025-10-22T09:20:50+00:00",
                finished_at=None,
                qr_payment_id=502_000_100_041,
                sale_id=100_041,
                amount=Decimal("499999.50"),
                available=Decimal("499999.50"),
                return_id=None,
                scheme=self.scheme,
                source="service",
                state=RefundState.UNKNOWN,
                return_operation_id=None,
                error="connection reset " * 4,
                checked_note=None,
            )
        ]

    def refundable_sales(self, limit: int = 30) -> list[SaleRecord]:
        return [
            record(100_000 + i, "499999.50", SaleState.PROCESSED, None) for i in range(limit, 0, -1)
        ]

    def trade_points(self) -> list[TradePoint]:
        return [
            TradePoint(1_234_560 + i, "ТОО Вендинг Сервис, ТЦ Мега Алматы " * 2) for i in range(8)
        ]

    def certificate(self, now: datetime | None = None) -> CertificateCheck:
        return self.check


class CannedBackend:
    """Service mode's backend over the canned desk, answered at once on the GUI thread."""

    idle_seconds = 3600.0

    def __init__(self) -> None:
        self._desk = CannedDesk()

    def run(
        self, job: Callable[[], T], on_done: Callable[[T | None, BaseException | None], None]
    ) -> None:
        on_done(job(), None)

    def recent_sales(self) -> list[SaleRecord]:
        return [
            record(
                100_000 + i,
                "499999.50",
                SaleState.FAILED if i % 2 else SaleState.AWAITING,
                Reason.INTERRUPTED if i % 2 else None,
            )
            for i in range(50, 0, -1)
        ]

    def desk(self) -> Any:
        return self._desk

    def bank_reach(self) -> BankReach:
        last = datetime(2025, 10, 22, 9, 10, 50, tzinfo=UTC)
        return BankReach(True, last, 84.0)

    def apply(self, reloaded: Any) -> None:
        pass


def record(
    sale_id: int, amount: str, state: SaleState, reason: Reason | None, note: str | None = None
) -> SaleRecord:
    """A journal row as wide as they come: six-digit number, long payment id."""
    return SaleRecord(
        sale_id=sale_id,
        created_at="2025-10-22T09:10:50+00:00",
        updated_at="2025-10-22T09:11:50+00:00",
        amount=Decimal(amount),
        external_id=None,
        source="keypad",
        scheme="standard",
        device_id="KIOSK-VENDING-001",
        state=state,
        reason=reason,
        last_status=None,
        qr_payment_id=502_000_000_000 + sale_id,
        expire_date=None,
        needs_refund=state is SaleState.PROCESSED,
        recovered=False,
        resolved_at=None,
        refunded_amount=Decimal(0),
        note=note,
    )


def longest_reason(lang: str) -> str:
    texts = [reason_text(r, SaleState.FAILED, lang) for r in Reason]
    texts += [reason_text(None, s, lang) for s in (SaleState.PROCESSED, SaleState.UNKNOWN)]
    return max(texts, key=len)


class Gallery:
    """One kiosk window and a way to put it into each screen's worst case."""

    def __init__(self) -> None:
        self.window = KioskWindow(Decimal(1), WIDEST_AMOUNT)
        self.service = ServiceScreen(CannedBackend(), PinLock(hash_pin(PIN)))
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
        # The service screen's own tab registry: a tab added there is checked here too.
        for tab in self.service.tab_buttons:
            states[f"service-{tab}"] = lambda tab=tab: self._service_tab(tab)
        return states

    def _move(self, name: Page) -> None:
        self.window.move_to(name)
        QApplication.processEvents()

    def _amount(self) -> None:
        self._move(Page.AMOUNT)
        screen = self.window.amount_screen
        screen.retranslate(self.lang)  # entering the amount screen resets the language
        screen.clear()
        for digit in str(WIDEST_AMOUNT):
            screen.press_digit(digit)

    def _qr(self) -> None:
        self.window.qr_screen.show_payment(QR_PAYLOAD, WIDEST_AMOUNT, ["Gold", "Red", "Loan"])
        self.window.qr_screen.set_seconds_left(165, 180)
        self._move(Page.QR)

    def _awaiting(self) -> None:
        self.window.awaiting_screen.show_amount(WIDEST_AMOUNT)
        self.window.awaiting_screen.set_seconds_left(59, 65)
        self._move(Page.AWAITING)

    def _success(self) -> None:
        self.window.result_screen.show_success(WIDEST_AMOUNT)
        self.window.result_screen.set_seconds_left(6)
        self._move(Page.SUCCESS)

    def _error(self) -> None:
        self.window.result_screen.show_error(longest_reason(self.lang))
        self.window.result_screen.set_seconds_left(6)
        self._move(Page.ERROR)

    def _out_of_service(self) -> None:
        problem = Message("outage.bank", {"detail": "connection refused " * 10})
        self.window.out_of_service_screen.show_outage(problem, 15)
        self._move(Page.OUT_OF_SERVICE)

    def _service_pin(self) -> None:
        self.service.lock()
        for digit in PIN[:3]:
            self.service.press_pin_digit(digit)
        self._move(Page.SERVICE)

    def _service_tab(self, tab: str) -> None:
        self._move(Page.SERVICE)
        if not self.service.is_unlocked():
            self.service.lock()
            for digit in PIN:
                self.service.press_pin_digit(digit)
            self.service.submit_pin()
        # Checked, not assumed: a PIN the lock refuses would leave every tab unchecked.
        if not self.service.is_unlocked():
            raise RuntimeError(f"service mode did not open: {self.service.pin_message.text()}")
        self.service.show_tab(tab)
        if tab == "device":
            self.service.device_page.load_points()  # the trade points' list, the widest state
        QApplication.processEvents()
