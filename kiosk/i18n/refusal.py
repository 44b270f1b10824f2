"""A refusal that reads as a catalogue message, raised before any bank call is made.

It lives beside the catalogue, not in kiosk.operator, so the refund steps (kiosk.refund)
can refuse without depending on the operator's desk that calls them.
"""

from __future__ import annotations

from kiosk.i18n import tr


class OperatorError(Exception):
    """An operator's action refused before any bank call; `text(lang)` says why."""

    def __init__(self, message_id: str, **values: object) -> None:
        self.message_id = message_id
        self.values = values
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        return tr(self.message_id, lang, **self.values)
