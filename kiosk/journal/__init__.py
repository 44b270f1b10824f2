"""The payment journal: every sale and every change to it, committed before the kiosk acts on it.

store.py holds the Journal (the SQLite file and its transactions), records.py
the SaleRecord and which state may follow which, schema.py the tables and
migrations, errors.py the errors in an operator's words, identity.py which
journal this is (kept outside it) and the highest sale id issued.
"""

from kiosk.journal.attention import Attention
from kiosk.journal.errors import DiskFull, JournalError, SaleNotFound
from kiosk.journal.identity import JournalRefused
from kiosk.journal.receipts import (
    Answer,
    ReceiptBook,
    ReceiptKind,
    ReceiptRecord,
    ReceiptState,
)
from kiosk.journal.records import SOURCES, EventRecord, SaleRecord, can_move
from kiosk.journal.refunds import (
    DayTotals,
    RefundBook,
    RefundPending,
    RefundRecord,
    RefundRepeated,
    RefundState,
)
from kiosk.journal.schema import MIGRATIONS
from kiosk.journal.store import FILE_NAME, Journal, accept

__all__ = [
    "FILE_NAME",
    "MIGRATIONS",
    "SOURCES",
    "Answer",
    "Attention",
    "DayTotals",
    "DiskFull",
    "EventRecord",
    "Journal",
    "JournalError",
    "JournalRefused",
    "ReceiptBook",
    "ReceiptKind",
    "ReceiptRecord",
    "ReceiptState",
    "RefundBook",
    "RefundPending",
    "RefundRecord",
    "RefundRepeated",
    "RefundState",
    "SaleNotFound",
    "SaleRecord",
    "accept",
    "can_move",
]
