"""The one place the kiosk turns fiscal receipts on: the sender only when a register is named.

With `[fiscal] provider = "none"` nothing here imports the client or the sender,
so a kiosk without a register runs, and starts, exactly as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.fiscal.settings import FiscalSettings

if TYPE_CHECKING:
    from kiosk.fiscal.sender import ReceiptHook, ReceiptSender
    from kiosk.journal import Journal


def start_for(
    settings: FiscalSettings, journal: Journal | None, on_done: ReceiptHook | None = None
) -> ReceiptSender | None:
    """The running sender for these settings ([fiscal]) and journal; None when receipts are off."""
    if not settings.enabled or journal is None:
        return None
    from kiosk.fiscal.sender import ReceiptSender

    return ReceiptSender(journal, settings, on_done=on_done).start()
