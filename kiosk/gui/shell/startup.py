"""The kiosk's start-up chain, link by link: config -> logs -> journal -> clients -> recovery.

Each link is a plain function the running kiosk (kiosk.gui.shell.kiosk) calls in
order; any of them may raise ConfigError or JournalError, which the kiosk shows
as out of service and retries. The bank is asked about interrupted sales
(recovery) on a worker before the first new sale, and the first health ping that
answers opens the amount screen.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from PySide6.QtCore import QObject

from kiosk.config import Config, ConfigError, kaspi_settings, load, secret_values, write_value
from kiosk.gui.kit.worker import Done, Worker
from kiosk.gui.shell.fiscal_link import FiscalLink
from kiosk.gui.shell.journal_guard import note_lost_lines
from kiosk.i18n import Message
from kiosk.journal import DiskFull, Journal, JournalError, SaleRecord
from kiosk.kaspi.bankclock import BANK_CLOCK
from kiosk.payment import pending
from kiosk.payment.sale import SaleState
from kiosk.platform import logs

if TYPE_CHECKING:
    import ssl

    from kiosk.gui.sale.controller import SaleController
    from kiosk.gui.shell.health import HealthMonitor
    from kiosk.hostapi.app import HostApiServer
    from kiosk.kaspi.client import KaspiClient, RequestHook
    from kiosk.kaspi.settings import KaspiSettings
    from kiosk.operator.certificate import CertificateCheck
    from kiosk.payment.recovery import Outcome

T = TypeVar("T")

log = logging.getLogger(__name__)

RETRY_SECONDS = 15.0  # between start-up attempts while out of service, until a config is read
FULL_RETRY_SECONDS = 2.0  # while the journal's disk is full: a cheap look, back within seconds

#: A link of the start-up chain that broke: what the out-of-service screen says, and its kind.
#: A link of the start-up chain that broke, in the operator's words (kiosk.i18n outage.*).
Broken = Message


class RecoveryStopped(Exception):
    """The kiosk is shutting down while a recovery waits for the bank."""


def recovery_interval(journal: Journal) -> float:
    """The bank's latest poll interval (5 s if unknown, as in docs/kaspi/api.md §5.1)."""
    return journal.last_poll_interval() or 5.0


def load_config(path: Path, console_level: str) -> Config:
    """Config, then logging as the config says (secrets masked in every line)."""
    config = load(path)
    logs.setup(
        level=config.logging.level,
        log_dir=config.data_dir / "logs",
        console_level=console_level,
        secrets=secret_values(config),
    )
    log.info("starting: config %s, scheme %s, %s", path, config.kaspi.scheme, config.kaspi.base_url)
    return config


def broken_link(exc: ConfigError | JournalError) -> Message:
    """The operator's words for a link that broke (its kind follows from the message)."""
    cause = "operator.outage.journal" if isinstance(exc, JournalError) else "operator.outage.config"
    return Message(cause, {"detail": str(exc)})


def health_monitor(
    parent: QObject, clients: Clients, interval: float, restart: Callable[[], None]
) -> HealthMonitor:
    """Bank pings while idle; at each, the certificate judged again (CertificateWatch), and
    `restart()` (the start-up chain again) when it has lapsed."""
    from kiosk.gui.shell.health import HealthMonitor

    health = HealthMonitor(clients.health.ping, interval, parent=parent)
    CertificateWatch(clients.certificate, health, restart)
    return health


class CertificateWatch(QObject):
    """The running kiosk's certificate, judged again at every health check: from 60 days
    before expiry a warning (log, /v1/health, service screen); when it lapses the start-up
    chain runs again, which stops at the expired certificate: out of service, saying so.
    The judgement lives on the monitor (`health.certificate`), which this object follows."""

    def __init__(
        self, check: CertificateCheck | None, health: HealthMonitor, restart: Callable[[], None]
    ) -> None:
        super().__init__(health)
        self._health = health
        self._restart = restart
        health.certificate = check
        health.checked.connect(self._on_health_checked)

    def _on_health_checked(self, *_answer: object) -> None:
        from kiosk.operator.certificate import rejudge

        self._health.certificate, lapsed = rejudge(self._health.certificate)
        if lapsed is not None:
            # The bank would refuse every call from now on: stop selling, start again.
            log.error("certificate lapsed while running: %s", lapsed)
            self._restart()


class Retrying(Protocol):
    """What decides the time between start-up attempts (kiosk.gui.shell.kiosk.KioskShell)."""

    config: Config | None  # the last config read
    retry_seconds: float | None  # set by a GUI test to override the config's


def seconds_to_retry(shell: Retrying, sooner: float | None = None) -> float:
    """Seconds to the next start-up attempt: kiosk.retry_seconds (RETRY_SECONDS before a
    config was read), or `sooner` when shorter."""
    config = shell.config
    every = shell.retry_seconds or (config.kiosk.retry_seconds if config else RETRY_SECONDS)
    return min(every, sooner or every)


def retry_after(exc: ConfigError | JournalError) -> float | None:
    """Seconds to the next start-up attempt when sooner than RETRY_SECONDS: a full disk passes
    by itself (a log rotated, an update done), and a look costs nothing."""
    return FULL_RETRY_SECONDS if isinstance(exc, DiskFull) else None


def open_journal(config: Config) -> Journal:
    journal = Journal.open(config.data_dir)
    try:
        journal.check_writable()  # a full disk refuses sales now, not mid-sale
    except JournalError:
        journal.close()  # retried every few seconds while the disk is full: no open file left
        raise
    note_lost_lines(journal)  # what kiosk.log could not take while the disk was full
    if config.storage.retention_days:
        moved = journal.archive_older_than(config.storage.retention_days)
        log.info("archived %d sales older than %d days", moved, config.storage.retention_days)
    return journal


@dataclass
class Clients:
    """One client (one session, one connection) per thread that calls the bank."""

    sale: KaspiClient  # the sale worker's
    background: KaspiClient  # registration, recovery
    health: KaspiClient  # health pings
    #: When the client certificate stops being valid (None in scheme basic: no certificate).
    not_after: datetime | None = None
    certificate: CertificateCheck | None = None  # judged when the clients were made

    # For another thread's own client (the MDB refunds): same settings, same TLS context.
    bank: KaspiSettings | None = None
    context: ssl.SSLContext | None = None

    def another(self) -> KaspiClient:
        """One more client on the shared TLS context; its user closes it."""
        from kiosk.kaspi.client import KaspiClient

        assert self.bank is not None, "made by make_clients, which keeps the settings"
        return KaspiClient(self.bank, context=self.context)

    def close(self) -> None:
        for client in (self.sale, self.background, self.health):
            client.close()


def make_clients(config: Config, on_request: RequestHook | None = None) -> Clients:
    """The three bank clients; `on_request` hears every HTTP request of each (the metrics)."""
    # Imported here, on the start-up worker: requests and cryptography are the largest
    # imports of the kiosk, and the window is built and shown before they are needed.
    from kiosk.kaspi.client import KaspiClient
    from kiosk.kaspi.tls import build_context, load_identity
    from kiosk.operator.certificate import check_certificate, log_check

    # The certificate is decoded once and one TLS context serves the three sessions
    # (an SSLContext may be shared between threads; a requests.Session may not).
    bank = kaspi_settings(config)
    identity = load_identity(bank) if bank.scheme != "basic" else None
    context = build_context(bank, identity)
    certificate = check_certificate(bank, identity=identity)
    log_check(certificate)  # the warning from 60 days before expiry, at every start
    return Clients(
        KaspiClient(bank, context=context, on_request=on_request),
        KaspiClient(bank, context=context, on_request=on_request),
        KaspiClient(bank, context=context, on_request=on_request),
        identity.info.not_after if identity is not None else None,
        certificate,
        bank,
        context,
    )


def clients_made(
    clients: Clients | None, error: BaseException | None, *, current: bool
) -> Clients | Broken | None:
    """What BankCatchUp.make_clients made: the clients, the link that broke, or None
    when the start-up they were made for has been torn down since (they are closed)."""
    if not current:
        if isinstance(clients, Clients):
            clients.close()
        return None
    if isinstance(clients, Clients):
        return clients
    if isinstance(error, ConfigError):
        return broken_link(error)
    # The certificate, the key or the TLS settings could not be used in a way
    # the config check did not foresee: the operator's side, like the config.
    log.error("bank clients not made", exc_info=error)
    return Message("operator.outage.config", {"detail": f"bank clients not made: {error}"})


class Part(Protocol):
    """A start-up's part that is stopped, then deleted by the event loop (the MDB bridge)."""

    def stop(self) -> None: ...

    def deleteLater(self) -> None: ...  # QObject's


class HostApiHolder(Protocol):
    """Where the started host API server is handed over (kiosk.gui.shell.kiosk.KioskShell)."""

    host_api: HostApiServer | None


def close_parts(
    health: HealthMonitor | None,
    controller: SaleController | None,
    clients: Clients | None,
    journal: Journal | None,
    mdb: Part | None = None,
) -> None:
    """Stop one start-up's parts, the users before what they use (the journal last).

    Not the host API: it answers across start-ups (host_bridge.start keeps or replaces it;
    its gateway reads the journal the kiosk has now), and stops when the kiosk quits.
    """
    if mdb is not None:  # kiosk.gui.shell.mdb_bridge.MdbBridge: it uses the controller and journal
        mdb.stop()
        mdb.deleteLater()
    if health is not None:
        health.stop()
        health.deleteLater()
    if controller is not None:
        for link in controller.findChildren(FiscalLink):
            link.stop()  # the receipt sender writes to the journal: stopped before it closes
        controller.shutdown()
        controller.deleteLater()
    if clients is not None:
        clients.close()
    if journal is not None:
        journal.close()


def recovery_job(
    journal: Journal,
    client: KaspiClient,
    stop: threading.Event,
    on_change: Callable[[int], None],
    budget: float,
) -> Callable[[], list[Outcome]]:
    """Resolve the interrupted sales with the bank; stops when `stop` is set.

    A budget: what the bank cannot settle in it becomes unknown for the idle re-check,
    so a sale the bank cannot decide never holds the kiosk out of service.
    """

    from kiosk.payment import recovery  # the bank's status rules: imported after the first screen

    def sleep(seconds: float) -> None:
        if stop.wait(seconds):
            raise RecoveryStopped

    return lambda: recovery.recover(
        journal,
        lambda pid: client.payment_status(pid, retry=False).status,
        interval=recovery_interval(journal),
        sleep=sleep,
        on_change=on_change,
        budget=budget,
    )


def pending_recovery(journal: Journal, *, interrupted_only: bool = False) -> list[SaleRecord]:
    """The sales to settle before selling. After a config reload only interrupted ones: the
    kiosk ran until a moment ago, so unknown and recently abandoned sales are the idle
    re-check's, off the customer's path, as they were before the reload."""
    if interrupted_only:
        return journal.unfinished()
    return pending.candidates(journal, datetime.now(UTC))


def nothing_to_recover(journal: Journal | None) -> bool:
    """No interrupted sale to settle first: the amount screen may show while the kiosk starts
    (with sales to settle, the out-of-service screen says so instead; that can take long)."""
    return journal is not None and not pending_recovery(journal)


def abandoned_filter(watched: set[int]) -> Callable[[SaleRecord], bool]:
    """Sales an idle re-check should read again.

    A sale that ended UNKNOWN because the bank did not answer until its deadline
    may well have been paid; without this it stays unknown until the next start.
    Sales the controller still follows, and unfinished ones (a sale starting now),
    are left alone; abandoned ones only while the bank can still change them.
    """

    from kiosk.payment import recovery

    def wanted(record: SaleRecord) -> bool:
        return (
            record.state.is_final
            and record.sale_id not in watched
            and (
                record.state is SaleState.UNKNOWN or BANK_CLOCK.now() < recovery.give_up_at(record)
            )
        )

    return wanted


def recheck_job(
    journal: Journal,
    client: KaspiClient,
    wanted: Callable[[SaleRecord], bool],
    on_change: Callable[[int], None],
) -> Callable[[], list[Outcome]]:
    """One pass over the abandoned sales, no waiting."""
    from kiosk.payment import recovery

    return lambda: recovery.recover(
        journal,
        lambda pid: client.payment_status(pid, retry=False).status,
        sleep=lambda _seconds: None,
        on_change=on_change,
        max_passes=1,
        select=wanted,
    )


class BankCatchUp(QObject):
    """The start-up's slow work off the GUI thread: the host API's server, the bank clients,
    registration, recovery, re-checks.

    One worker for the kiosk's life. `stop()` ends a recovery waiting for the bank
    and waits for it, so the journal and client it uses can be closed after.

    `hold()` keeps the jobs in order until `release()`: the kiosk holds them while its
    first screen is built and painted. Their imports (waitress, requests, cryptography:
    ~150 ms of CPU) would otherwise take the interpreter's lock from the GUI thread,
    which then waited for them on a loaded machine before it could paint.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = Worker("kiosk-recovery", self)
        self._stopping = threading.Event()
        self._rechecking = False
        self._generation = 0  # one per start-up: stop() makes what is still on its way stale
        self._held: list[Callable[[], object]] | None = None  # each submits one job

    def hold(self) -> None:
        """Keep new jobs until release() (in the order they came)."""
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Run the held jobs, and from now on every job at once (a second call does nothing)."""
        self._run_held()
        self._held = None

    def _run_held(self) -> None:
        held, self._held = self._held, ([] if self._held is not None else None)
        for submit in held or []:
            submit()

    def _submit(self, job: Callable[[], T], done: Done[T]) -> None:
        if self._held is not None:
            self._held.append(partial(self._worker.submit, job, done))
        else:
            self._worker.submit(job, done)

    def start_host_api(
        self, shell: HostApiHolder, start: Callable[[], HostApiServer | None]
    ) -> None:
        """Start the host API here (`start()` returns the server or None), so the window
        does not wait for waitress and its threads.

        The server is handed over by setting `shell.host_api` on this thread: the shell's
        teardown drains this worker (stop()) before it stops the parts, so it always sees it.
        """

        def job() -> None:
            shell.host_api = start()

        def done(_result: None, error: BaseException | None) -> None:
            if error is not None:
                log.error("host API not started: %s", error)

        self._submit(job, done)

    def make_clients(
        self,
        config: Config,
        on_request: RequestHook | None,
        done: Callable[[Clients | Broken], None],
    ) -> None:
        """The bank clients, made on the worker while the window shows: `done(clients)`,
        or `done((reason, cause))`; not called after a stop() (then the clients are closed).
        `on_request` hears every request of each client (the metrics)."""
        generation = self._generation

        def made(clients: Clients | None, error: BaseException | None) -> None:
            outcome = clients_made(clients, error, current=generation == self._generation)
            if outcome is not None:
                done(outcome)

        self._submit(lambda: make_clients(config, on_request), made)

    def register(
        self,
        config: Config,
        config_path: Path,
        client: KaspiClient,
        done: Callable[[str | None], None],
    ) -> None:
        """Register the device; the token goes into the config file, then `done(None)`.

        `done(error_text)` when the bank refused or did not answer. ConfigError at once
        when there is no trade point to register at.
        """
        device_id, trade_point = config.device.device_id, config.device.trade_point_id
        if not trade_point:
            raise ConfigError(
                "device.trade_point_id",
                "is 0: set the trade point to register at (kiosk tradepoints)",
            )

        def saved(token: str | None, error: BaseException | None) -> None:
            if error is not None or token is None:
                done(str(error))
                return
            write_value(config_path, "kaspi", "device_token", token)
            log.info("registered %s at trade point %s; device_token saved", device_id, trade_point)
            done(None)

        self._submit(lambda: client.register_device(device_id, trade_point), saved)

    def recover(
        self,
        journal: Journal,
        client: KaspiClient,
        on_change: Callable[[int], None],
        done: Done[list[Outcome]],
        budget: float,
    ) -> None:
        started = time.monotonic()

        def recovered(outcomes: list[Outcome] | None, error: BaseException | None) -> None:
            # The crash tests read this line from kiosk.log.
            log.info("start-up recovery took %.2f s", time.monotonic() - started)
            done(outcomes, error)

        self._submit(recovery_job(journal, client, self._stopping, on_change, budget), recovered)

    def recheck(
        self,
        journal: Journal,
        client: KaspiClient,
        controller: SaleController,
    ) -> None:
        """Idle with the bank answering: one more read of sales that may have been paid late.

        The controller's own sales are left to it; it hears of every sale the re-check changes.
        """
        if self._rechecking:
            return
        wanted = abandoned_filter(set(controller.watching))
        try:
            if not any(wanted(r) for r in pending_recovery(journal)):
                return
        except JournalError as exc:
            log.warning("idle re-check skipped: %s", exc)
            return
        self._rechecking = True

        def done(outcomes: list[Outcome] | None, error: BaseException | None) -> None:
            self._rechecking = False
            if error is not None:
                log.warning("idle re-check failed: %s", error)
            elif outcomes:
                log.warning("idle re-check changed %d sale(s)", len(outcomes))

        on_change = controller.sale_updated.emit
        self._submit(recheck_job(journal, client, wanted, on_change), done)

    def stop(self) -> None:
        self._generation += 1
        self._stopping.set()
        # A held host API start runs too, so the teardown stops what it started; the hold
        # itself stays (the start-up chain runs its teardown first, while holding).
        self._run_held()
        self._worker.drain()
        self._stopping = threading.Event()

    def close(self) -> None:
        self._worker.close(wait=True)
