"""What waits for the operator, in one place: the CLI, service mode and /v1/health all ask here.

Today two kinds of case: a paid sale the customer got nothing for (refund it or hand
the goods over), and a refund whose outcome is not known (the operator checks it in
Kaspi Pay and says whether it went through). A new kind (the fiscal register's receipts
that could not be printed) is one more field of `Attention`, read in `attention()` and
counted in `Attention.count`: every place that shows the list or its count follows.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any, Protocol

from kiosk.journal.records import SaleRecord, amount_text
from kiosk.journal.refunds import RefundBook, RefundRecord


class _Cases(Protocol):
    """What the cases are read from (kiosk.journal.store.Journal)."""

    @property
    def refunds(self) -> RefundBook: ...

    def unsettled(self) -> builtins.list[SaleRecord]: ...


@dataclass(frozen=True)
class Attention:
    """Every case waiting for the operator, oldest first within each kind."""

    sales: builtins.list[SaleRecord]  # paid, nothing handed over: refund or hand over
    refunds: builtins.list[RefundRecord]  # sent, outcome unknown: check it went through

    @property
    def count(self) -> int:
        """How many cases wait (the number /v1/health and the service tab show)."""
        return len(self.sales) + len(self.refunds)

    def to_json(self) -> builtins.list[dict[str, Any]]:
        """One list, each case with its `kind`: a sale as the journal's record, a refund with
        its own fields; amounts as decimal text."""
        cases = [{"kind": "sale", **sale.to_json()} for sale in self.sales]
        cases += [{"kind": "refund", **refund_json(r)} for r in self.refunds]
        return cases


def refund_json(record: RefundRecord) -> dict[str, Any]:
    out = {name: getattr(record, name) for name in RefundRecord.__dataclass_fields__}
    out.update(
        amount=amount_text(record.amount),
        available=amount_text(record.available) if record.available is not None else None,
        state=record.state.value,
    )
    return out


def attention(journal: _Cases) -> Attention:
    """The cases waiting for the operator now (JournalError when the journal cannot be read)."""
    return Attention(sales=journal.unsettled(), refunds=journal.refunds.all_open())
