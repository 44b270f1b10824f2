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
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

from helpers.journal import sale_record
from PySide6.QtWidgets import QApplication

from kiosk.gui.demo.mdb import MdbDemoStrip
from kiosk.gui.demo.panel import DemoPanel, DemoStrip
from kiosk.gui.screens.navigator import Page
from kiosk.gui.screens.window import KioskWindow
from kiosk.gui.service.sales import SaleLine
from kiosk.gui.service.screen import ServiceScreen
from kiosk.i18n import LANGS, Message, format_amount, reason_text, tr
from kiosk.journal import ReceiptKind, ReceiptRecord, ReceiptState, SaleRecord
from kiosk.journal.refunds import DayTotals, RefundRecord, RefundState
from kiosk.kaspi import tls
from kiosk.kaspi.models import TradePoint
from kiosk.mdb.emulator import AdapterEmulator
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
#: A fiscal receipt's OFD link of the usual length (the QR under a success).
RECEIPT_URL = (
    "http://consumer.oofd.kz/consumer?i=7000007919&f=600400000001&s=500000.00&t=20261203T140000"
)


class CannedDesk:
    """The operator desk's answers of the widest kind (scheme enhanced: the refunds tab lists
    the journal's purchases), without a bank or a journal."""

    scheme = "enhanced"
    journal = None
    config = SimpleNamespace(
        device=SimpleNamespace(device_id="KIOSK-VENDING-001", trade_point_id=1234567),
        kaspi=SimpleNamespace(device_token="2be4cc91-0000-4000-8000-00000000abcd"),
        fiscal=SimpleNamespace(enabled=True),  # the System tab's Z-report button shows
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

    def receipts_waiting(self) -> list[ReceiptRecord]:
        """One receipt the register refused (with its longest text) and one still pending."""
        return [
            receipt(100_031, ReceiptState.FAILED, "9: Ошибка валидации данных: " + "Tax " * 20),
            receipt(100_033, ReceiptState.PENDING, "no answer from 127.0.0.1:8590 " * 3),
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
        #: Why the config did not load; the gallery's config-problem state sets it.
        self.problem: str | None = None

    def run(
        self, job: Callable[[], T], on_done: Callable[[T | None, BaseException | None], None]
    ) -> None:
        on_done(job(), None)

    def recent_sales(self) -> list[SaleLine]:
        # Every third sale paid and refunded twice: the widest state cell (two refund lines).
        refunds = tuple(CannedDesk().open_refunds()) * 2
        return [
            SaleLine(
                record(
                    100_000 + i,
                    "499999.50",
                    SaleState.PROCESSED if i % 3 == 0 else SaleState.FAILED,
                    None if i % 3 == 0 else Reason.INTERRUPTED,
                ),
                refunds if i % 3 == 0 else (),
            )
            for i in range(50, 0, -1)
        ]

    def desk(self) -> Any:
        return self._desk

    def config_problem(self) -> str | None:
        return self.problem

    def bank_reach(self) -> BankReach:
        last = datetime(2025, 10, 22, 9, 10, 50, tzinfo=UTC)
        return BankReach(True, last, 84.0)

    def apply(self, reloaded: Any) -> None:
        pass


def receipt(sale_id: int, state: ReceiptState, error: str) -> ReceiptRecord:
    return ReceiptRecord(
        receipt_id=sale_id - 100_000,
        created_at="2025-10-22T09:20:50+00:00",
        updated_at="2025-10-22T09:21:50+00:00",
        kind=ReceiptKind.SALE,
        sale_id=sale_id,
        refund_id=None,
        amount=Decimal("499999.50"),
        external_number="5cbf10b1-9697-4d3e-bfda-10e8c9b7f70d",
        state=state,
        attempts=7,
        error=error,
        check_number=None,
        ticket_url=None,
        date_time=None,
        registration_number=None,
        offline=False,
        answer=None,
        done_at=None,
    )


def record(
    sale_id: int, amount: str, state: SaleState, reason: Reason | None, note: str | None = None
) -> SaleRecord:
    """A journal row as wide as they come: six-digit number, long payment id."""
    return sale_record(
        sale_id=sale_id,
        created_at="2025-10-22T09:10:50+00:00",
        updated_at="2025-10-22T09:11:50+00:00",
        amount=Decimal(amount),
        device_id="KIOSK-VENDING-001",
        state=state,
        reason=reason,
        qr_payment_id=502_000_000_000 + sale_id,
        needs_refund=state is SaleState.PROCESSED,
        note=note,
    )


def longest_reason(lang: str) -> str:
    texts = [reason_text(r, SaleState.FAILED, lang) for r in Reason]
    texts += [reason_text(None, s, lang) for s in (SaleState.PROCESSED, SaleState.UNKNOWN)]
    return max(texts, key=len)


#: The demo strips a gallery can carry: the customer's phone, or the vending machine + phone.
STRIPS = ("phone", "mdb")


class Gallery:
    """One kiosk window and a way to put it into each screen's worst case.

    `strip`: the window carries demo mode's strip ("phone", or "mdb": the vending machine's
    buttons and the phone), which takes room from the pages while it shows; only the
    customer's screens are shown then (the strips keep away from service mode).
    """

    def __init__(self, strip: str | None = None) -> None:
        self.strip: DemoStrip | None = None
        if strip is not None:
            shell = SimpleNamespace(controller=None, config=None)
            phone = DemoPanel(shell)  # type: ignore[arg-type]
            self.strip = phone
            if strip == "mdb":
                # Never started: the strip only reads the emulator's outcomes.
                emulator = AdapterEmulator(Path("/nonexistent/mdb"))
                self.strip = MdbDemoStrip(shell, emulator, phone)  # type: ignore[arg-type]
        self.window = KioskWindow(Decimal(1), WIDEST_AMOUNT, self.strip)
        self.backend = CannedBackend()
        self.service = ServiceScreen(self.backend, PinLock(hash_pin(PIN)))
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
        if self.strip is not None:
            self.strip.retranslate(lang)

    def states(self) -> dict[str, Callable[[], None]]:
        """Screen name -> a function that shows it with its widest content."""
        states: dict[str, Callable[[], None]] = {
            "amount": self._amount,
            "qr": self._qr,
            "awaiting": self._awaiting,
            "success": self._success,
            "success-receipt": lambda: self._success(RECEIPT_URL),
            "success-receipt-pending": lambda: self._success(""),
            "error": self._error,
            "out_of_service": self._out_of_service,
            "service": self._service_pin,
        }
        if self.strip is not None:
            return states
        # The service screen's own tab registry: a tab added there is checked here too.
        for tab in self.service.tab_buttons:
            states[f"service-{tab}"] = lambda tab=tab: self._service_tab(tab)
        states["service-config-problem"] = self._config_problem
        # The refunds tab's steps behind its first one: the keypads, the question, the end.
        for step in ("type_id", "customer", "amount", "confirm", "result"):
            states[f"service-refunds-{step}"] = lambda step=step: self._refund_step(step)
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

    def _success(self, receipt: str | None = None) -> None:
        """A success; with `receipt` ("" on its way) as with an online register."""
        self.window.result_screen.show_success(WIDEST_AMOUNT)
        if receipt is not None:
            self.window.result_screen.show_receipt(receipt or None)
        self.window.result_screen.set_seconds_left(6)
        self._move(Page.SUCCESS)

    def _error(self) -> None:
        self.window.result_screen.show_error(longest_reason(self.lang))
        self.window.result_screen.set_seconds_left(6)
        self._move(Page.ERROR)

    def _out_of_service(self) -> None:
        problem = Message("operator.outage.bank", {"detail": "connection refused " * 10})
        self.window.out_of_service_screen.show_outage(problem, 15)
        self._move(Page.OUT_OF_SERVICE)

    def _service_pin(self) -> None:
        self.service.lock()
        for digit in PIN[:3]:
            self.service.press_pin_digit(digit)
        self._move(Page.SERVICE)

    def _config_problem(self) -> None:
        """Service mode open on a config that did not load: the problem above the tabs."""
        problem = (
            "config: kaspi.key_password: must be at most 1024 characters (it has 200000)"
            " (line 12 of C:\\ProgramData\\KaspiKiosk\\kiosk.toml)"
        )
        self._service_tab("status", problem)

    def _refund_step(self, step: str) -> None:
        self._service_tab("refunds")
        page = self.service.refunds_page
        page.confirm.hide()
        lang = self.lang
        widest = format_amount(WIDEST_AMOUNT, lang)
        if step == "type_id":
            page.id_entry.set_text("9" * 18)
        elif step == "customer":
            page.customer.set_items(
                [(500_000_000 + i, f"{500_000_000 + i} · {widest} · 22.10 09:10") for i in range(6)]
            )
        elif step == "result":
            page.result_label.setText(
                tr("problem.refund.done", lang, amount=widest, operation=9_999_999_999)
            )
        else:
            page.details_label.setText(f"№ 502000100050 · {widest}")
            page.amount_entry.set_text("999999999.99")
        page.show_step("amount" if step == "confirm" else step)
        if step == "confirm":
            question = tr("service.refund.confirm", lang, amount=widest, payment=502_000_100_050)
            page.confirm.ask(question, lambda: None, lang)
        QApplication.processEvents()

    def _service_tab(self, tab: str, problem: str | None = None) -> None:
        self.backend.problem = problem
        self.service.show_config_problem()
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
