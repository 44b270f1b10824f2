"""What the service screen's status page shows, collected in one typed record.

Bank reachability comes from the kiosk's health pings (last ping and its
latency), the totals from the journal (today: since local midnight), the
certificate from kiosk.operator.certificate. Nothing secret is in it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kiosk import __version__
from kiosk.config import Config
from kiosk.journal import DayTotals, Journal, JournalError
from kiosk.kaspi.bankclock import BANK_CLOCK
from kiosk.kaspi.client import KaspiClient
from kiosk.operator.certificate import CertificateCheck


@dataclass(frozen=True)
class BankReach:
    reachable: bool | None  # None: not asked yet
    last_check: datetime | None = None
    latency_ms: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class KioskStatus:
    version: str
    scheme: str
    base_url: str
    device_id: str
    trade_point_id: int
    registered: bool
    bank: BankReach
    certificate: CertificateCheck
    totals: DayTotals | None  # None when the journal could not be read
    journal_problem: str | None
    attention: int | None  # cases waiting for the operator: paid sales, refunds to check
    #: The kiosk's clock minus the bank's, seconds (kiosk.kaspi.bankclock); None: not known.
    clock_skew_seconds: float | None = None


def start_of_day(now: datetime) -> datetime:
    """Local midnight of `now`'s day (the operator's "today")."""
    local = now.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def timed_ping(client: KaspiClient, clock: Callable[[], float] = time.monotonic) -> float:
    """health/ping; the round trip in milliseconds (KaspiError if the bank does not answer)."""
    started = clock()
    client.ping()
    return (clock() - started) * 1000


def collect(
    config: Config,
    journal: Journal | None,
    bank: BankReach,
    certificate: CertificateCheck,
    now: datetime,
) -> KioskStatus:
    totals: DayTotals | None = None
    attention: int | None = None
    problem: str | None = None if journal is not None else "not open"
    if journal is not None:
        try:
            totals = journal.refunds.totals(start_of_day(now))
            attention = journal.attention().count
        except JournalError as exc:
            problem = str(exc)
    return KioskStatus(
        version=__version__,
        scheme=config.kaspi.scheme,
        base_url=config.kaspi.base_url,
        device_id=config.device.device_id,
        trade_point_id=config.device.trade_point_id,
        registered=bool(config.kaspi.device_token),
        bank=bank,
        certificate=certificate,
        totals=totals,
        journal_problem=problem,
        attention=attention,
        clock_skew_seconds=BANK_CLOCK.skew_seconds,
    )
