"""The running kiosk: boots through the start-up chain, then routes the sale events to screens.

Start-up is a chain that any link can break (kiosk.gui.shell.startup): config -> logs
-> journal -> certificate and clients -> recovery of unfinished sales. A broken
link shows the out-of-service screen with the reason and the whole chain is tried
again a little later, so an operator who fixes the config file or plugs the
network back in needs no restart. Whether a sale may start is the mode's answer
(kiosk.payment.mode), never the name of the page on the screen.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from kiosk.config import Config, ConfigError, SaleSection, readable_pin
from kiosk.gui.sale.view import SaleView
from kiosk.gui.screens.navigator import Page
from kiosk.gui.screens.window import KioskWindow, Overlay
from kiosk.gui.shell import fiscal_link, host_bridge, startup
from kiosk.gui.shell.journal_guard import JournalGuard
from kiosk.gui.shell.metrics_link import MetricsLink
from kiosk.i18n import Message, outage_cause, outage_code
from kiosk.journal import Journal, JournalError
from kiosk.operator.access import PinLock
from kiosk.payment.mode import KioskMode, Mode
from kiosk.payment.sale import Busy, OutOfService, SaleState

if TYPE_CHECKING:
    # The sale's parts are imported when the bank clients are made, after the first
    # screen is up (_on_clients): nothing the amount screen needs waits for them.
    from kiosk.gui.sale.controller import SaleController, SaleEnd
    from kiosk.gui.shell.gateway import HealthInfo, KioskGateway, StateInfo
    from kiosk.gui.shell.health import HealthMonitor
    from kiosk.gui.shell.mdb_bridge import MdbBridge
    from kiosk.hostapi.app import HostApiServer
    from kiosk.kaspi.client import KaspiClient
    from kiosk.payment.recovery import Outcome

log = logging.getLogger(__name__)


class KioskShell(QObject):
    """The running kiosk: window, mode, controller, health checks, host API, service mode.

    Signals:
        ready(): the amount screen is up and sales can start (tests and benchmarks wait on it).
    """

    ready = Signal()

    def __init__(
        self,
        config_path: Path,
        *,
        demo_bar: Callable[[KioskShell], Overlay] | None = None,
        console_level: str = "WARNING",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.config_path = config_path
        self._console_level = console_level
        self._clock = clock
        self.config: Config | None = None
        self.journal: Journal | None = None
        self._clients: startup.Clients | None = None
        self.controller: SaleController | None = None
        self.health: HealthMonitor | None = None
        self.host_api: HostApiServer | None = None  # set on the start-up worker
        self.gateway: KioskGateway | None = None  # one for the kiosk's life, once enabled
        self.mdb: MdbBridge | None = None  # when [mdb] is enabled
        # One lock for the kiosk's life: leaving service mode does not end a lock-out.
        self.pin_lock = PinLock("", clock=clock)
        self.journal_guard = JournalGuard(self)  # the journal file deleted or replaced meanwhile
        self.retry_seconds: float | None = None  # None: the config's kiosk.retry_seconds
        low, high = SaleSection().min_amount, SaleSection().max_amount
        bar = demo_bar(self) if demo_bar else None
        self.window = KioskWindow(low, high, bar)
        self.metrics = MetricsLink(self.window)  # Prometheus: screen, mode, bank
        self.mode = KioskMode(self.metrics.mode_changed)
        self._closed = False
        self._catch_up = startup.BankCatchUp(self)
        self._boot_count = 0
        self._reloading = False
        self._bank_answered = False  # at the last check before this start-up's teardown
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.boot)
        self.view = SaleView(self.window, self)
        self.view.result_done.connect(self.back_to_start)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(self.window.amount_screen.reset)
        w = self.window
        w.amount_screen.pay_requested.connect(self._on_amount_pay_requested)
        w.amount_screen.activity.connect(self._on_amount_activity)
        w.amount_screen.language_changed.connect(self.view.retranslate)
        w.qr_cancel_requested.connect(self._on_qr_cancel_requested)
        w.service_requested.connect(self._on_window_service_requested)
        w.quit_requested.connect(self.quit)

    @property
    def problem(self) -> str | None:
        """Why the kiosk does not sell now (None when it can, or a sale runs)."""
        return self.mode.reason

    # --- booting -----------------------------------------------------------------------------

    def start(self, *, show: bool = True, windowed: bool = False) -> None:
        app = QApplication.instance()
        if app is not None:
            self.window.install_gesture(app)
        # The worker's jobs wait for the first paint: their imports would hold the GIL.
        self._catch_up.hold()
        self.boot()
        if self.mode.mode is Mode.STARTING and startup.nothing_to_recover(self.journal):
            self.window.move_to(Page.AMOUNT)  # digits can be typed at once; Pay waits for IDLE
        if show:
            kiosk = self.config.kiosk if self.config is not None else None
            fullscreen = not windowed and (kiosk.fullscreen if kiosk else True)
            self.window.show_kiosk(fullscreen, bool(kiosk and kiosk.hide_cursor))
        self.window.after_first_paint(self._catch_up.release)

    def recover_screen(self) -> None:
        """After an unexpected error: a running sale keeps its screen, otherwise back to start."""
        running = self.controller is not None and self.controller.current is not None
        if not running and self.mode.mode in (Mode.IDLE, Mode.SELLING):
            self.back_to_start()

    def boot(self, *, reload: bool = False) -> None:
        """Run the start-up chain; any failure shows out-of-service and retries later.

        `reload`: the operator re-read the config of a kiosk that was running; only
        sales interrupted by it are settled before selling (none, normally).
        """
        self._teardown()
        self._reloading = reload
        if self.mode.mode is not Mode.SERVICE:
            self.mode.start()
        self.window.amount_screen.set_waiting(True)  # until back_to_start finds it can sell
        try:
            self._boot()
        except (ConfigError, JournalError) as exc:
            if isinstance(exc, ConfigError) and self.config is None:
                self.pin_lock.set_pin(readable_pin(self.config_path))  # service mode can open
            self._failed(startup.broken_link(exc), startup.retry_after(exc))

    def _boot(self) -> None:
        config = startup.load_config(self.config_path, self._console_level)
        self.config = config
        self.metrics.apply(config)
        self.pin_lock.set_pin(config.kiosk.service_pin)
        self.window.follow_config(config.sale, config.kiosk.tap_guard_seconds)
        # Before the journal: a journal refused is reported on /v1/health, not a closed port.
        self.gateway = host_bridge.start(self, config, self.gateway, self._catch_up)
        self.journal = startup.open_journal(config)
        self._catch_up.make_clients(
            config, self.metrics.on_request, lambda made: self._on_clients(config, made)
        )

    def _on_clients(self, config: Config, made: startup.Clients | startup.Broken) -> None:
        from kiosk.gui.sale.controller import SaleController
        from kiosk.gui.shell import mdb_bridge

        if not isinstance(made, startup.Clients):
            return self._failed(made)
        self._clients = clients = made
        self.metrics.certificate_expires(clients.not_after)
        assert self.journal is not None
        if not config.kaspi.device_token:
            if config.device.registration_removed:
                # The operator removed it: registering again is the operator's decision.
                return self._failed(Message("operator.outage.unregistered", {}))
            return self._register(config, clients.background)
        self.controller = SaleController(
            config, self.journal, clients.sale, clock=self._clock, parent=self
        )
        self.view.follow(self.controller, config.sale.result_seconds)
        self.controller.sale_ended.connect(self._on_controller_sale_ended)
        host_bridge.follow(self.controller, self.gateway, clients)
        self.mdb = mdb_bridge.attach(self, config, clients, parent=self)
        fiscal_link.attach(self, config)  # a child of the controller, stopped with it
        self.health = startup.health_monitor(self, clients, config.kiosk.health_interval, self.boot)
        self.health.checked.connect(self.journal_guard.on_health_checked)  # first: it wins
        self.health.checked.connect(self._on_health_checked)
        self._recover_then_check()

    def _register(self, config: Config, client: KaspiClient) -> None:
        """No device token yet: the kiosk registers itself, saves the token and boots again."""
        boot = self._boot_count

        def done(problem: str | None) -> None:
            if boot != self._boot_count:
                return
            if problem is not None:
                return self._failed(Message("operator.outage.register_failed", {"detail": problem}))
            self.boot()

        self._catch_up.register(config, self.config_path, client, done)
        device = {"device": config.device.device_id, "trade_point": config.device.trade_point_id}
        self._out_of_service(Message("operator.outage.registering", device))

    def _recover_then_check(self) -> None:
        """Resolve interrupted sales with the bank before the first new sale, then check health."""
        journal, clients, controller = self.journal, self._clients, self.controller
        assert journal is not None and clients is not None and controller is not None
        pending = startup.pending_recovery(journal, interrupted_only=self._reloading)
        if not pending:
            self._on_recovered([], None)
            return
        self._out_of_service(Message("operator.outage.recovering", {"n": len(pending)}))
        boot = self._boot_count
        self._catch_up.recover(
            journal,
            clients.background,
            controller.sale_updated.emit,
            lambda outcomes, error: self._on_recovered(outcomes, error, boot),
            budget=self.config.kiosk.recovery_seconds if self.config else 5.0,
        )

    def _on_recovered(
        self, outcomes: list[Outcome] | None, error: BaseException | None, boot: int | None = None
    ) -> None:
        if boot is not None and boot != self._boot_count:
            return  # a recovery of an earlier boot, stopped by the teardown
        if error is not None:
            # The journal failed under the recovery: do not take sales.
            self._failed(Message("operator.outage.recovery_failed", {"detail": str(error)}))
            return
        if outcomes:
            log.warning("recovery changed %d sale(s)", len(outcomes))
        # Nothing is left unresolved. On a cold start the first ping that answers opens
        # the amount screen; on a restart of the parts (crash loop, retried start-up) a
        # bank that answered moments ago is not waited for again.
        if self._bank_answered and self.mode.mode is not Mode.SERVICE:
            self.back_to_start()
        if self.health is not None:
            self.health.check_now()

    def _teardown(self) -> None:
        self._retry.stop()
        # Stop a recovery still waiting for the bank; it ends before its journal and client close.
        self._catch_up.stop()
        self._boot_count += 1
        if self.health is not None:
            self._bank_answered = self.health.reachable is True
        startup.close_parts(self.health, self.controller, self._clients, self.journal, self.mdb)
        self.health = self.controller = None
        self._clients = self.journal = self.mdb = None

    def quit(self, *, exit_app: bool = True) -> None:
        """Stop everything and close the window; a second call (two ways to quit) does nothing."""
        if self._closed:
            return
        self._closed = True
        log.info("kiosk exiting")
        self.view.stop_result()
        self._idle.stop()
        self._teardown()
        host_bridge.stop(self)
        self._catch_up.close()
        self.metrics.close()
        self.window.quit()
        app = QApplication.instance()
        if app is not None and exit_app:
            app.quit()

    # --- health --------------------------------------------------------------------------------

    def _on_health_checked(self, reachable: bool, reason: str) -> None:
        if reachable and self.mode.mode in (Mode.STARTING, Mode.OUT_OF_SERVICE):
            self.back_to_start()
        elif reachable and self.mode.waiting and self.journal and self._clients and self.controller:
            # Idle with the bank answering: one more read of sales that may have been paid late.
            self._catch_up.recheck(self.journal, self._clients.background, self.controller)
        elif not reachable and self.mode.interruptible:  # a customer's result is read first
            self._out_of_service(Message("operator.outage.bank", {"detail": reason}))

    def _failed(self, problem: Message, retry: float | None = None) -> None:
        """Out of service; start-up runs again in kiosk.retry_seconds (`retry`: sooner)."""
        self._out_of_service(problem)
        if not self._retry.isActive():  # said again at each health check: never put it off
            self._retry.start(int(startup.seconds_to_retry(self, retry) * 1000))

    def _out_of_service(self, problem: Message) -> None:
        """Stop selling; the log and the mode get the cause, the customer only its code."""
        reason = problem.render("en")
        # The code the customer reads (never a key, path or value of config) is in the log too.
        log.warning("out of service [%s]: %s", outage_code(problem), reason)
        self.mode.out_of_service(reason, outage_cause(problem))
        self.window.out_of_service_screen.show_outage(problem, startup.seconds_to_retry(self))
        if self.mode.mode is not Mode.SERVICE:
            self.window.move_to(Page.OUT_OF_SERVICE)

    def back_to_start(self) -> None:
        """The amount screen if the kiosk can sell; otherwise out of service, saying why."""
        self.view.stop_result()
        c = self.controller
        if self.mode.mode is Mode.SERVICE:
            return
        if c is not None and c.journal_problem:
            # Sales stop until the disk is writable again: boot retries open + write probe.
            self._failed(Message("operator.outage.journal", {"detail": c.journal_problem}))
            return
        if c is None:
            self.window.move_to(Page.OUT_OF_SERVICE)
            return
        if self.health is not None and self.health.reachable is False:
            self._out_of_service(
                Message("operator.outage.bank", {"detail": self.health.last_error})
            )
            return
        if self.mode.mode is Mode.SELLING:
            self.mode.sale_ended()
        was_ready = self.mode.can_sell and self.mode.waiting
        if not self.mode.ready():  # a hold (the MDB adapter away): out of service, saying why
            return self._out_of_service(Message("operator.outage.adapter"))
        self.window.amount_screen.set_waiting(False)
        self.window.move_to(Page.AMOUNT)
        if self.health is not None:
            self.health.pause(False)
        if not was_ready:
            self.ready.emit()
            QTimer.singleShot(0, self.window.build_sale_screens)  # after the first "ready"

    # --- sales -----------------------------------------------------------------------------------

    def _on_amount_pay_requested(self, amount: Decimal) -> None:
        try:
            self.start_sale(amount, None, "keypad")
        except (Busy, OutOfService) as exc:
            log.info("pay pressed, no sale: %s", exc)

    def start_sale(
        self, amount: Decimal, external_id: str | None, source: str, product: str | None = None
    ) -> int:
        """Start a sale if the mode allows it (GUI thread): Busy or OutOfService when not."""
        refused = self.mode.refusal()
        if refused is not None:
            raise refused
        assert self.controller is not None  # IDLE is only reached with a controller
        self.view.stop_result()
        if self.health is not None:
            self.health.pause(True)
        try:
            sale_id = self.controller.start_sale(amount, external_id, source, product)
        except OutOfService:
            self.back_to_start()  # the journal cannot be written: out of service, retried
            raise
        self.mode.sale_started(sale_id)
        return sale_id

    def _on_qr_cancel_requested(self) -> None:
        if self.controller is not None:
            self.controller.cancel()

    def _on_controller_sale_ended(self, end: SaleEnd) -> None:
        if self.mode.mode is Mode.SELLING:
            self.mode.sale_ended()
        if end.state is SaleState.CANCELLED:
            self.back_to_start()
        else:
            self.view.show_result(end)

    def _on_amount_activity(self) -> None:
        if self.config is not None:
            self._idle.start(int(self.config.sale.idle_seconds * 1000))

    # --- what the host API and service mode read -------------------------------------------------

    def health_info(self) -> HealthInfo:
        self.journal_guard.check()  # before `problem` is read: a lost journal is not ok
        return host_bridge.health_info(self)

    def state_info(self) -> StateInfo:
        return host_bridge.state_info(self)

    # --- service mode ---------------------------------------------------------------------

    def _on_window_service_requested(self) -> None:
        from kiosk.gui.shell.service_bridge import enter_service_mode

        enter_service_mode(self, self._on_service_exit_requested, parent=self)

    def _on_service_exit_requested(self) -> None:
        was_fine = self.problem is None and self.controller is not None
        self.mode.leave_service()
        self.window.move_to(Page.OUT_OF_SERVICE)
        if was_fine:
            self.back_to_start()
        else:
            self.boot()
