"""Widget look-ups, a fake clock and fake service backends for the screen tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from kiosk.gui.kit.worker import Worker
from kiosk.journal import SaleRecord
from kiosk.payment.sale import Reason, SaleState

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
TOKEN = "https://qr.kaspi.kz/0123456789abcdef0123"
T = "\u2009"  # thin space between thousands
NB = "\u00a0"  # no-break space before the sign


def shown(qtbot: QtBot, widget: QWidget, size: tuple[int, int] = PORTRAIT) -> None:
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)


def button(widget: QWidget, name: str) -> QPushButton:
    found = widget.findChild(QPushButton, name)
    assert found is not None, name
    return found


def label(widget: QWidget, name: str) -> QLabel:
    found = widget.findChild(QLabel, name)
    assert found is not None, name
    return found


def cell(table: QTableWidget, row: int, col: int) -> str:
    item = table.item(row, col)
    assert item is not None, (row, col)
    return item.text()


def click(qtbot: QtBot, widget: QWidget, name: str) -> None:
    qtbot.mouseClick(button(widget, name), Qt.MouseButton.LeftButton)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def sale_record(
    sale_id: int,
    amount: str,
    state: SaleState,
    reason: Reason | None,
    qr_payment_id: int | None,
    created_at: str = "2025-10-22T09:10:50+00:00",
    note: str | None = None,
    needs_refund: bool = False,
) -> SaleRecord:
    return SaleRecord(
        sale_id=sale_id,
        created_at=created_at,
        updated_at=created_at,
        amount=Decimal(amount),
        external_id=None,
        source="keypad",
        scheme="standard",
        device_id="kiosk-1",
        state=state,
        reason=reason,
        last_status=None,
        qr_payment_id=qr_payment_id,
        expire_date=None,
        needs_refund=needs_refund,
        recovered=False,
        resolved_at=None,
        refunded_amount=Decimal(0),
        note=note,
    )


class FakeBackend:
    """Records calls; `run` uses the kiosk's real worker thread, as the app does.

    It has no operator desk (as a kiosk before its config loaded): the pages that need
    one say so; the flows against a real desk are in tests/gui/test_service_flows.py.
    """

    idle_seconds = 120.0

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.worker = Worker("test-service")
        self.attention_rows = [
            sale_record(
                44,
                "1250",
                SaleState.PROCESSED,
                Reason.PAID_AFTER_CANCEL,
                1000044,
                needs_refund=True,
            ),
            sale_record(
                39,
                "99990.00",
                SaleState.PROCESSED,
                Reason.AMOUNT_MISMATCH,
                1000039,
                created_at="2025-10-21T09:01:00+00:00",
                note="TotalAmount 99000",
                needs_refund=True,
            ),
        ]
        self.fail_check = False

    def run(
        self, job: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None]
    ) -> None:
        self.worker.submit(job, on_done)

    def _record(self, *call: Any) -> None:
        assert threading.current_thread() is not threading.main_thread(), "blocked the GUI"
        self.calls.append(call)

    def info(self) -> dict[str, str]:
        self._record("info")
        return {
            "Scheme": "standard",
            "Base URL": "https://mtokentest.kaspi.kz:8544/r2/v01",
            "Key password": "hunter2",
            "device_token": "2be4cc91",
            "Version": "0.1.0",
        }

    def recent_sales(self) -> list[SaleRecord]:
        self._record("recent_sales")
        return [
            sale_record(i, "1250.50", SaleState.FAILED, Reason.SCAN_TIMEOUT, 10 + i)
            for i in range(50, 0, -1)
        ]

    def attention(self) -> list[SaleRecord]:
        self._record("attention")
        return list(self.attention_rows)

    def resolve(self, sale_id: int, note: str) -> None:
        self._record("resolve", sale_id, note)
        self.attention_rows = [r for r in self.attention_rows if r.sale_id != sale_id]

    def check_connection(self) -> str:
        self._record("check_connection")
        if self.fail_check:
            raise ConnectionError("connection refused")
        return "The bank answers (84 ms)"

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]

    def desk(self) -> Any:
        return None

    def bank_reach(self) -> Any:
        from kiosk.operator.status import BankReach

        return BankReach(True)

    def apply(self, reloaded: Any) -> None:
        self.calls.append(("apply", reloaded))


class ManualBackend(FakeBackend):
    """Holds every job until the test answers it, to see late answers arrive."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[tuple[Callable[[], Any], Callable[[Any, BaseException | None], None]]]
        self.pending = []

    def run(
        self, job: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None]
    ) -> None:
        self.pending.append((job, on_done))

    def _record(self, *call: Any) -> None:
        self.calls.append(call)

    def answer_all(self) -> None:
        jobs, self.pending = self.pending, []
        for job, on_done in jobs:
            on_done(job(), None)
