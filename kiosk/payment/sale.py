"""What a sale can be, in one place: the kiosk's states and the reasons a sale ends.

The API's payment statuses (QrTokenCreated / Wait / Processed / Error) are read
by kiosk.payment.flow.meaning_of alone and turned into these by flow.classify (a live
sale) and recovery.judge (an interrupted one); the GUI, the host API and the
journal only ever see these.
"""

from __future__ import annotations

from enum import StrEnum


class SaleState(StrEnum):
    CREATING = "creating"  # written before qr/create is sent; the host API calls it "pending"
    QR = "qr"  # QR on screen, waiting for the scan
    AWAITING = "awaiting"  # scanned, waiting for the customer to confirm
    PROCESSED = "processed"  # paid (final)
    FAILED = "failed"  # not paid: declined, timed out, refused (final)
    CANCELLED = "cancelled"  # cancelled before the scan, nothing paid (final)
    UNKNOWN = "unknown"  # the outcome could not be learnt from the bank (final for the screen)

    @property
    def is_final(self) -> bool:
        return self in _FINAL


_FINAL = frozenset({SaleState.PROCESSED, SaleState.FAILED, SaleState.CANCELLED, SaleState.UNKNOWN})


class Reason(StrEnum):
    """Why a sale ended the way it did (or why it needs the operator)."""

    SCAN_TIMEOUT = "scan_timeout"  # the QR was not scanned in time
    CONFIRM_TIMEOUT = "confirm_timeout"  # scanned, not confirmed in time; the bank cancels
    DECLINED = "declined"  # the bank answered Error: cancelled by the customer or failed
    CANCELLED = "cancelled"  # the customer (or the host) cancelled before the scan
    BANK_UNREACHABLE = "bank_unreachable"  # no answer until the deadline: outcome unknown
    CREATE_FAILED = "create_failed"  # qr/create was refused or failed; nothing to pay
    AMOUNT_MISMATCH = "amount_mismatch"  # paid, but TotalAmount differs from the sale's amount
    PAID_AFTER_CANCEL = "paid_after_cancel"  # paid after the kiosk gave up: refund or hand over
    INTERRUPTED = "interrupted"  # the kiosk stopped before qr/create answered
    NOT_DISPENSED = "not_dispensed"  # paid, but the vending machine did not dispense: refund


class SaleRefused(Exception):
    """The kiosk will not start (or cancel) a sale now; the message says why, for a log line."""


class Busy(SaleRefused):
    """Another sale is running, or the operator is in service mode."""

    def __init__(self, message: str, sale_id: int | None = None) -> None:
        super().__init__(message)
        self.sale_id = sale_id


class OutOfService(SaleRefused):
    """The kiosk cannot sell: the bank, the certificate or the journal is not usable."""


class NotCancellable(SaleRefused):
    """The sale can no longer be cancelled: it was scanned, or it has ended."""
