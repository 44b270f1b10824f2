"""The kiosk's metrics: what the running kiosk tells them, and what a scrape reads.

The app reports events through a few calls and never waits on them; a scrape
runs on the exporter's thread, reads the latest values and the journal, and
never touches the GUI thread. The metric names are a contract with the
operators' alert rules and dashboards (docs/ops/): rename none of them.
"""

from __future__ import annotations

import ipaddress
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    InfoMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from kiosk import __version__
from kiosk.config import Config
from kiosk.journal import FILE_NAME
from kiosk.metrics import labels
from kiosk.metrics.journal_counts import FINAL_STATES, NO_REASON, JournalCounts, SaleCounts
from kiosk.metrics.server import MetricsServer
from kiosk.payment.mode import Mode, OutOfServiceReason
from kiosk.payment.sale import Reason, SaleState

log = logging.getLogger("kiosk.metrics")

#: Seconds; the bank's read timeout is 15 s by default, loopback answers in milliseconds.
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0)
#: The modes in which the kiosk is out of service (kiosk_out_of_service shows why). Service
#: mode is not: the operator chose it, and kiosk_screen{screen="service"} shows it.
NOT_SELLING = (Mode.STARTING, Mode.OUT_OF_SERVICE)


@dataclass(frozen=True)
class _Exporter:
    bind: str
    port: int
    token: str


@dataclass(frozen=True)
class _State:
    """What the app last told, as one scrape sees it."""

    info: dict[str, str] | None
    screens: tuple[str, ...]
    screen: str
    mode: Mode
    reason: OutOfServiceReason | None
    certificate_expiry: float | None
    bank_up: bool | None
    last_ping: float | None

    @property
    def out_of_service(self) -> bool:
        return self.mode in NOT_SELLING


# Ends every kiosk sees, shown from 0 so that the first of each is a visible increase.
_USUAL_ENDINGS = (
    (SaleState.PROCESSED, None),
    (SaleState.FAILED, Reason.DECLINED),
    (SaleState.FAILED, Reason.SCAN_TIMEOUT),
    (SaleState.FAILED, Reason.CONFIRM_TIMEOUT),
    (SaleState.FAILED, Reason.CREATE_FAILED),
    (SaleState.CANCELLED, Reason.CANCELLED),
    (SaleState.UNKNOWN, Reason.BANK_UNREACHABLE),
)


class KioskMetrics:
    """The registry, the exporter and the kiosk's latest state; every method is thread-safe.

    What the app calls (each call is one wiring point, see docs/ops/README.md):
      apply(config)                    each start-up, after the config loaded
      certificate_expires(not_after)   after the client certificate loaded
      on_request(path, error, seconds) the Kaspi client's hook, once per HTTP request
      screen_changed(screen)           the navigator changed pages
      mode_changed(mode, reason)       the mode owner's listener (kiosk.payment.mode.KioskMode)
      close()                          the kiosk exits
    """

    def __init__(self, screens: Sequence[str], screen: str) -> None:
        self.registry = CollectorRegistry()
        self._lock = threading.Lock()
        self._screens = list(dict.fromkeys([*screens, screen]))
        self._screen = screen
        self._mode = Mode.STARTING
        self._reason: OutOfServiceReason | None = OutOfServiceReason.STARTING
        self._info: dict[str, str] | None = None
        self._journal: JournalCounts | None = None
        self._certificate_expiry: float | None = None
        self._bank_up: bool | None = None
        self._last_ping: float | None = None
        self._server: MetricsServer | None = None
        self._exporter: _Exporter | None = None
        self._latency = Histogram(
            "kiosk_bank_request_duration_seconds",
            "Time of each HTTP request to the bank, by route template and outcome",
            ["endpoint", "outcome"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._status_failures = Counter(
            "kiosk_status_read_failures",
            "payment/status reads that got no usable answer, by kind (resets at restart)",
            ["kind"],
            registry=self.registry,
        )
        for kind in labels.FAILURES:
            self._status_failures.labels(kind)  # a series from 0, so the first failure shows
        self.registry.register(_KioskCollector(self))
        ProcessCollector(registry=self.registry)  # memory, CPU, start time (Linux only)
        PlatformCollector(registry=self.registry)  # python_info

    # --- what the app calls ------------------------------------------------------------------

    def apply(self, config: Config) -> None:
        """A (re)loaded config: the kiosk's labels, its journal, the exporter on or off.

        The exporter is restarted only when its address or token changed. A port that
        cannot be had is one log line and no exporter: the kiosk sells on without it.
        """
        info = {
            "version": __version__,
            "scheme": config.kaspi.scheme,
            "device_id": config.device.device_id,
            "trade_point": str(config.device.trade_point_id),
        }
        path = journal_path(config)
        m = config.metrics
        wanted = _Exporter(m.bind, m.port, m.token) if m.enabled else None
        with self._lock:
            self._info = info
            if self._journal is None or self._journal.path != path:
                self._journal = JournalCounts(path)
            if wanted == self._exporter:
                return
            old, self._server, self._exporter = self._server, None, None
        if old is not None:
            old.stop()
        if wanted is None:
            return
        server = MetricsServer(
            self.registry, bind=wanted.bind, port=wanted.port, token=wanted.token
        )
        try:
            server.start()
        except (OSError, ValueError) as exc:
            log.error(
                "metrics not served on %s:%s (%s); the kiosk runs on without them",
                wanted.bind,
                wanted.port,
                exc.strerror if isinstance(exc, OSError) and exc.strerror else exc,
            )
            return
        if not wanted.token and not ipaddress.ip_address(wanted.bind).is_loopback:
            log.warning("metrics served on %s without a token (set metrics.token)", wanted.bind)
        log.info("metrics on %s", server.url)
        with self._lock:
            self._server, self._exporter = server, wanted

    def certificate_expires(self, not_after: datetime | None) -> None:
        """The client certificate's end of validity; None when the scheme uses none."""
        with self._lock:
            self._certificate_expiry = not_after.timestamp() if not_after else None

    def on_request(self, path: str, error: BaseException | None, seconds: float) -> None:
        """One HTTP request to the bank ended (called on the client's thread)."""
        route, outcome = labels.route(path), labels.outcome(error)
        self._latency.labels(route, outcome).observe(seconds)
        if route == labels.STATUS_ROUTE and error is not None:
            self._status_failures.labels(outcome).inc()
        elif route == labels.PING_ROUTE:
            with self._lock:
                self._bank_up = error is None
                self._last_ping = time.time()

    def screen_changed(self, screen: str) -> None:
        with self._lock:
            if screen not in self._screens:
                self._screens.append(screen)
            self._screen = screen

    def mode_changed(self, mode: Mode, reason: OutOfServiceReason | None) -> None:
        """The kiosk's mode, and why it does not sell (shown while starting or out of service)."""
        with self._lock:
            self._mode = Mode(mode)
            self._reason = None if reason is None else OutOfServiceReason(reason)

    def close(self) -> None:
        with self._lock:
            server, self._server, self._exporter = self._server, None, None
        if server is not None:
            server.stop()

    @property
    def server(self) -> MetricsServer | None:
        """The running exporter (its port, its URL), if any."""
        return self._server

    # --- what a scrape reads -------------------------------------------------------------------

    def _snapshot(self) -> tuple[_State, JournalCounts | None]:
        with self._lock:
            state = _State(
                info=self._info,
                screens=tuple(self._screens),
                screen=self._screen,
                mode=self._mode,
                reason=self._reason,
                certificate_expiry=self._certificate_expiry,
                bank_up=self._bank_up,
                last_ping=self._last_ping,
            )
            return state, self._journal


class _KioskCollector(Collector):
    """The kiosk's state and the journal's counts, gathered when Prometheus scrapes."""

    def __init__(self, metrics: KioskMetrics) -> None:
        self._metrics = metrics
        self._journal_failing = False  # logged once when it starts, not at every scrape

    def describe(self) -> Iterable[Metric]:
        # Names only: the registry must not run a journal query just to register this.
        return list(_families(None, None, journal_ok=False))

    def collect(self) -> Iterator[Metric]:
        state, journal = self._metrics._snapshot()
        counts, journal_ok = None, False
        if journal is not None:
            try:
                counts, journal_ok = journal.read(), True
            except (sqlite3.Error, OSError) as exc:
                if not self._journal_failing:
                    log.warning("metrics: the journal %s cannot be read: %s", journal.path, exc)
                counts = journal.last
            self._journal_failing = not journal_ok
        if state.out_of_service and state.reason is OutOfServiceReason.JOURNAL:
            journal_ok = False
        yield from _families(state, counts, journal_ok=journal_ok)


def _families(
    state: _State | None, counts: SaleCounts | None, *, journal_ok: bool
) -> Iterator[Metric]:
    """Every family of _KioskCollector; with state None, the empty families for describe()."""
    info = InfoMetricFamily("kiosk", "This kiosk: version, scheme, device id, trade point")
    if state is not None and state.info is not None:
        info.add_metric([], state.info)
    yield info

    screen = GaugeMetricFamily(
        "kiosk_screen", "The screen the kiosk shows: 1 for the current one", labels=["screen"]
    )
    oos = GaugeMetricFamily(
        "kiosk_out_of_service",
        "1 for why the kiosk is out of service; all 0 while it can sell, sells or is in service",
        labels=["reason"],
    )
    if state is not None:
        for name in state.screens:
            screen.add_metric([name], float(name == state.screen))
        for reason in OutOfServiceReason:
            oos.add_metric([reason.value], float(state.out_of_service and reason is state.reason))
    yield screen
    yield oos

    bank_up = GaugeMetricFamily("kiosk_bank_up", "1 if the bank answered the last health ping")
    last_ping = GaugeMetricFamily(
        "kiosk_bank_last_ping_timestamp_seconds", "When the last health ping ended (Unix time)"
    )
    if state is not None and state.bank_up is not None and state.last_ping is not None:
        bank_up.add_metric([], float(state.bank_up))
        last_ping.add_metric([], state.last_ping)
    yield bank_up
    yield last_ping

    expiry = GaugeMetricFamily(
        "kiosk_certificate_expiry_timestamp_seconds",
        "When the client certificate stops being valid (Unix time; absent in scheme basic)",
    )
    if state is not None and state.certificate_expiry is not None:
        expiry.add_metric([], state.certificate_expiry)
    yield expiry

    ok = GaugeMetricFamily(
        "kiosk_journal_ok", "1 if the journal can be read and the kiosk is not stopped by it"
    )
    if state is not None:
        ok.add_metric([], float(journal_ok))
    yield ok
    yield from _sale_families(counts)


def _sale_families(counts: SaleCounts | None) -> Iterator[Metric]:
    sales = CounterMetricFamily(
        "kiosk_sales",
        "Sales that ended, by final state and reason, from the journal (a sale found paid"
        " after it ended also counts as processed)",
        labels=["state", "reason"],
    )
    amounts = CounterMetricFamily(
        "kiosk_sales_amount_tenge",
        "Amounts of the sales in kiosk_sales_total, by final state, tenge",
        labels=["state"],
    )
    refunds = CounterMetricFamily("kiosk_refunds", "Refunds the bank made, from the journal")
    refunded = CounterMetricFamily(
        "kiosk_refunds_amount_tenge", "Amounts refunded, from the journal, tenge"
    )
    attention = GaugeMetricFamily(
        "kiosk_sales_needing_attention",
        "Paid sales the customer got nothing for: refund or hand over, then resolve",
    )
    unknown = GaugeMetricFamily(
        "kiosk_sales_unknown", "Sales whose outcome the bank has not told yet"
    )
    if counts is not None:
        ended = {(s.value, r.value if r else NO_REASON): 0 for s, r in _USUAL_ENDINGS}
        ended.update(counts.ended)
        for (state, reason), n in sorted(ended.items()):
            sales.add_metric([state, reason], n)
        for state in FINAL_STATES:
            amounts.add_metric([state], counts.ended_tiyn.get(state, 0) / 100)
        refunds.add_metric([], counts.refunds)
        refunded.add_metric([], counts.refunded_tiyn / 100)
        attention.add_metric([], counts.needing_attention)
        unknown.add_metric([], counts.unknown)
    yield from (sales, amounts, refunds, refunded, attention, unknown)


def journal_path(config: Config) -> Path:
    """The journal file the metrics count from."""
    return config.data_dir / FILE_NAME
