"""Boots the kiosk and routes the controller's requests to the screens.

Start-up is a chain that any link can break: config -> logs -> journal ->
certificate and client -> recovery of unfinished sales -> is the bank
reachable. A broken link shows the out-of-service screen with the reason and
the whole chain is tried again a little later, so an operator who fixes the
config file or plugs the network back in needs no restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from kiosk import logs
from kiosk.config import (
    Config,
    ConfigError,
    SaleSection,
    kaspi_settings,
    load,
    secret_values,
    write_value,
)
from kiosk.gui.controller import Busy, SaleController, Unavailable
from kiosk.gui.health import HealthMonitor
from kiosk.gui.texts import reason_text
from kiosk.gui.window import KioskWindow
from kiosk.gui.worker import Worker
from kiosk.journal import Journal, JournalError, SaleRecord
from kiosk.kaspi.client import KaspiClient
from kiosk.kaspi.tls import load_identity
from kiosk.pinlock import Lockout
from kiosk.problems import problem_code
from kiosk.sale import SaleState

log = logging.getLogger("kiosk.shell")

RETRY_SECONDS = 15.0  # between start-up attempts while out of service


class RecoveryStopped(Exception):
    """The kiosk is shutting down while a recovery waits for the bank."""


def recovery_interval(journal: Journal) -> float:
    """The poll interval the bank gave most recently (5 s, the guide's example, if unknown)."""
    return journal.last_poll_interval() or 5.0


class KioskShell(QObject):
    """The running kiosk: window, controller, health checks, host API, service mode.

    Signals:
        ready(): the amount screen is up and sales can start (tests and benchmarks wait on it).
    """

    ready = Signal()

    def __init__(
        self,
        config_path: Path,
        *,
        demo_bar: Callable[[KioskShell], QWidget] | None = None,
        console_level: str = "WARNING",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.config_path = config_path
        self._console_level = console_level
        self._clock = clock
        self.config: Config | None = None
        self.journal: Journal | None = None
        self.client: KaspiClient | None = None  # the sale worker's
        self._background_client: KaspiClient | None = None  # registration, recovery
        self._health_client: KaspiClient | None = None  # health pings
        self.controller: SaleController | None = None
        self.health: HealthMonitor | None = None
        self.host_api: Any = None
        self.gateway: Any = None
        self.lang = "ru"
        self.problem: str | None = None
        self.retry_seconds = RETRY_SECONDS
        # One for the kiosk's whole run: closing service mode does not reset the wrong tries.
        self.pin_lockout = Lockout()
        self._result_left = 0
        defaults = SaleSection()
        self.window = KioskWindow(
            Decimal(str(defaults.min_amount)),
            Decimal(str(defaults.max_amount)),
            demo_bar(self) if demo_bar else None,
        )
        self._recovery_worker = Worker("kiosk-recovery", self)
        self._stopping = threading.Event()
        self._boot_count = 0
        self._rechecking = False
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.boot)
        self._result_timer = QTimer(self)
        self._result_timer.setInterval(1000)
        self._result_timer.timeout.connect(self._on_result_timer_timeout)
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(self.window.amount_screen.reset)
        w = self.window
        w.amount_screen.pay_requested.connect(self._on_amount_pay_requested)
        w.amount_screen.activity.connect(self._on_amount_activity)
        w.amount_screen.language_changed.connect(self._on_amount_language_changed)
        w.qr_screen.cancel_requested.connect(self._on_qr_cancel_requested)
        w.result_screen.done.connect(self.back_to_start)
        w.service_requested.connect(self._on_window_service_requested)
        w.quit_requested.connect(self.quit)

    # --- booting -----------------------------------------------------------------------------

    def start(self, *, show: bool = True, windowed: bool = False) -> None:
        app = QApplication.instance()
        if app is not None:
            self.window.install_gesture(app)
        self.boot()
        if show:
            kiosk = self.config.kiosk if self.config is not None else None
            fullscreen = not windowed and (kiosk.fullscreen if kiosk else True)
            self.window.show_kiosk(fullscreen, bool(kiosk and kiosk.hide_cursor))

    def recover_screen(self) -> None:
        """After an unexpected error: a running sale keeps its screen, otherwise back to start."""
        c = self.controller
        if c is not None and c.current is not None:
            return
        if self.window.screen_name in ("success", "error", "qr", "awaiting", "amount"):
            self.back_to_start()

    def boot(self) -> None:
        """Run the start-up chain; any failure shows out-of-service and retries later."""
        self._teardown()
        try:
            self._boot()
        except (ConfigError, JournalError) as exc:
            self._out_of_service(str(exc) if isinstance(exc, JournalError) else f"config: {exc}")
            self._retry.start(int(self.retry_seconds * 1000))

    def _boot(self) -> None:
        config = load(self.config_path)
        self.config = config
        logs.setup(
            level=config.logging.level,
            log_dir=config.data_dir / "logs",
            console_level=self._console_level,
            secrets=secret_values(config),
        )
        log.info(
            "starting: config %s, scheme %s, %s",
            self.config_path,
            config.kaspi.scheme,
            config.kaspi.base_url,
        )
        self.window.amount_screen.set_range(
            Decimal(str(config.sale.min_amount)), Decimal(str(config.sale.max_amount))
        )
        # Before the journal: a refused journal is reported on /v1/health, not a closed port.
        self._start_host_api(config)
        self.journal = Journal.open(config.data_dir)
        self.journal.check_writable()  # a full disk refuses sales now, not mid-sale
        if config.storage.retention_days:
            moved = self.journal.archive_older_than(config.storage.retention_days)
            log.info("archived %d sales older than %d days", moved, config.storage.retention_days)
        # One client (one session, one connection) per thread that calls the bank: a
        # requests.Session is not shared between threads. The certificate is read once.
        bank = kaspi_settings(config)
        identity = load_identity(bank) if bank.scheme != "basic" else None
        self.client = KaspiClient(bank, identity=identity)
        self._background_client = KaspiClient(bank, identity=identity)
        if not config.kaspi.device_token:
            self._register(config, self._background_client)
            return
        self.controller = SaleController(
            config, self.journal, self.client, clock=self._clock, parent=self
        )
        self.controller.screen_requested.connect(self._on_controller_screen_requested)
        self.controller.countdown.connect(self._on_controller_countdown)
        if self.gateway is not None:
            self.controller.sale_updated.connect(self.gateway.notify)
        self._health_client = KaspiClient(bank, identity=identity)
        self.health = HealthMonitor(
            self._health_client.ping, config.kiosk.health_interval, parent=self
        )
        self.health.checked.connect(self._on_health_checked)
        self._recover_then_check()

    def _register(self, config: Config, client: KaspiClient) -> None:
        """No device token yet: the kiosk registers itself, saves the token and boots again."""
        device_id, trade_point = config.device.device_id, config.device.trade_point_id
        if not trade_point:
            raise ConfigError(
                "device.trade_point_id",
                "is 0: set the trade point to register at (kiosk tradepoints)",
            )
        self._out_of_service(f"registering {device_id} at trade point {trade_point}")
        boot = self._boot_count

        def done(token: object, error: BaseException | None) -> None:
            if boot != self._boot_count:
                return
            if error is not None or not isinstance(token, str):
                self._out_of_service(f"registration failed: {error}")
                self._retry.start(int(self.retry_seconds * 1000))
                return
            write_value(self.config_path, "kaspi", "device_token", token)
            log.info("registered %s at trade point %s; device_token saved", device_id, trade_point)
            self.boot()

        self._recovery_worker.submit(lambda: client.register_device(device_id, trade_point), done)

    def _recover_then_check(self) -> None:
        """Resolve interrupted sales with the bank before the first new sale, then check health."""
        from kiosk import recovery

        journal, client = self.journal, self._background_client
        assert journal is not None and client is not None
        pending = recovery.candidates(journal, datetime.now(UTC))
        if not pending:
            self._on_recovered([], None)
            return
        self._out_of_service(f"checking {len(pending)} earlier payment(s) with the bank")
        notify = self.controller.sale_updated.emit if self.controller else (lambda _i: None)
        stop, boot = self._stopping, self._boot_count

        def sleep(seconds: float) -> None:
            if stop.wait(seconds):
                raise RecoveryStopped

        self._recovery_worker.submit(
            lambda: recovery.recover(
                journal,
                lambda pid: client.payment_status(pid, retry=False).status,
                interval=recovery_interval(journal),
                sleep=sleep,
                on_change=notify,
            ),
            lambda outcomes, error: self._on_recovered(outcomes, error, boot),
        )

    def _on_recovered(
        self, outcomes: object, error: BaseException | None, boot: int | None = None
    ) -> None:
        if boot is not None and boot != self._boot_count:
            return  # a recovery of an earlier boot, stopped by the teardown
        if error is not None:
            # The journal failed under the recovery: do not take sales.
            self._out_of_service(f"recovery failed: {error}")
            self._retry.start(int(self.retry_seconds * 1000))
            return
        if outcomes:
            log.warning("recovery changed %d sale(s)", len(outcomes))  # type: ignore[arg-type]
        if self.health is not None:
            self.health.check_now()

    def _recheck_abandoned(self) -> None:
        """Idle with the bank answering: one more read of sales that may have been paid late.

        A sale that ended UNKNOWN because the bank did not answer until its deadline
        may well have been paid; without this it stays unknown until the next start.
        Sales the controller still follows, and unfinished ones (a sale starting now),
        are left alone; abandoned ones only while the bank can still change them.
        """
        from kiosk import recovery

        journal, client, controller = self.journal, self._background_client, self.controller
        if self._rechecking or journal is None or client is None or controller is None:
            return
        watched = set(controller.watching)

        def wanted(record: SaleRecord) -> bool:
            return (
                record.state.is_final
                and record.sale_id not in watched
                and (
                    record.state is SaleState.UNKNOWN
                    or datetime.now(UTC) < recovery.give_up_at(record)
                )
            )

        try:
            if not any(wanted(r) for r in recovery.candidates(journal, datetime.now(UTC))):
                return
        except JournalError as exc:
            log.warning("idle re-check skipped: %s", exc)
            return
        self._rechecking = True
        notify = controller.sale_updated.emit

        def done(outcomes: object, error: BaseException | None) -> None:
            self._rechecking = False
            if error is not None:
                log.warning("idle re-check failed: %s", error)
            elif outcomes:
                log.warning("idle re-check changed %d sale(s)", len(outcomes))  # type: ignore[arg-type]

        self._recovery_worker.submit(
            lambda: recovery.recover(
                journal,
                lambda pid: client.payment_status(pid, retry=False).status,
                sleep=lambda _seconds: None,
                on_change=notify,
                max_passes=1,
                select=wanted,
            ),
            done,
        )

    def _start_host_api(self, config: Config) -> None:
        if not config.host_api.enabled:
            return
        from kiosk.gui.gateway import KioskGateway
        from kiosk.hostapi import HostApiServer

        if self.gateway is None:
            self.gateway = KioskGateway(self)
        server = HostApiServer(self.gateway, token=config.host_api.token, port=config.host_api.port)
        try:
            server.start()
        except OSError as exc:
            log.error("host API not started on 127.0.0.1:%s: %s", config.host_api.port, exc)
            return
        self.host_api = server
        log.info("host API on http://127.0.0.1:%s/v1/", server.port)

    def _teardown(self) -> None:
        self._retry.stop()
        # Stop a recovery still waiting for the bank, and let it finish before the
        # journal and the client it uses are closed.
        self._stopping.set()
        self._recovery_worker.drain()
        self._stopping = threading.Event()
        self._boot_count += 1
        if self.host_api is not None:
            self.host_api.stop()
            self.host_api = None
        if self.health is not None:
            self.health.stop()
            self.health.deleteLater()
            self.health = None
        if self.controller is not None:
            self.controller.shutdown()
            self.controller.deleteLater()
            self.controller = None
        for client in (self.client, self._background_client, self._health_client):
            if client is not None:
                client.close()
        self.client = self._background_client = self._health_client = None
        if self.journal is not None:
            self.journal.close()
            self.journal = None

    def quit(self, *, exit_app: bool = True) -> None:
        log.info("kiosk exiting")
        self._result_timer.stop()
        self._idle.stop()
        self._teardown()
        self._recovery_worker.close(wait=True)
        self.window.quit()
        app = QApplication.instance()
        if app is not None and exit_app:
            app.quit()

    # --- health --------------------------------------------------------------------------------

    def _check_journal_file(self) -> None:
        """The journal file deleted or replaced under the running kiosk: no more sales."""
        c, j = self.controller, self.journal
        problem = j.file_problem() if j is not None else None
        if problem is None or c is None or c.journal_problem:
            return
        c.journal_problem = problem
        log.critical("%s", problem)
        if c.current is None:
            self.back_to_start()  # out of service; start-up retried, which refuses the file

    def _on_health_checked(self, reachable: bool, reason: str) -> None:
        self._check_journal_file()
        if reachable:
            if self.window.screen_name == "out_of_service":
                self.problem = None
                self.back_to_start()
            if self.window.screen_name == "amount":
                self._recheck_abandoned()
        elif self.window.screen_name in ("amount", "out_of_service"):
            self._out_of_service(f"the bank does not answer: {reason}")

    def _out_of_service(self, reason: str) -> None:
        self.problem = reason  # the operator's: service mode and /v1/health
        code = problem_code(reason)
        log.warning("out of service [%s]: %s", code, reason)
        # The customer sees the code only: no key, path or value of the configuration.
        self.window.out_of_service_screen.show_reason(code, self.retry_seconds)
        if self.window.screen_name != "service":
            self.window.move_to("out_of_service")

    def back_to_start(self) -> None:
        self._result_timer.stop()
        c = self.controller
        if c is not None and c.journal_problem:
            # Sales stop until the disk is writable again: boot retries open + write probe.
            self._out_of_service(f"the journal cannot be written: {c.journal_problem}")
            self._retry.start(int(self.retry_seconds * 1000))
            return
        if c is None or (self.health is not None and self.health.reachable is False):
            self.window.move_to("out_of_service")
            return
        was = self.window.screen_name
        self.window.move_to("amount")
        if self.health is not None:
            self.health.pause(False)
        if was != "amount":
            self.ready.emit()

    # --- sales -----------------------------------------------------------------------------------

    def _on_amount_pay_requested(self, amount: Decimal) -> None:
        try:
            self._start_sale(amount, None, "keypad")
        except Busy:
            log.info("pay pressed while a sale runs; ignored")
        except Unavailable:
            self.back_to_start()  # the journal problem shows out of service and retries

    def _start_sale(self, amount: Decimal, external_id: str | None, source: str) -> int:
        if self.controller is None or self.window.screen_name not in ("amount", "success", "error"):
            if self.controller is not None and self.controller.current is not None:
                raise Busy("another sale is running", self.controller.current.sale_id)
            raise Unavailable(
                f"the kiosk is {self.window.screen_name.replace('_', ' ')}: "
                f"{self.problem or 'not ready'}"
            )
        self._result_timer.stop()
        if self.health is not None:
            self.health.pause(True)
        return self.controller.start_sale(amount, external_id, source)

    def start_host_sale(self, amount: Decimal, external_id: str | None) -> int:
        """For the host API (on the GUI thread): GatewayBusy / GatewayUnavailable on refusal."""
        from kiosk.hostapi import GatewayBusy, GatewayUnavailable

        try:
            return self._start_sale(amount, external_id, "host")
        except Busy as exc:
            raise GatewayBusy(str(exc), exc.sale_id) from None
        except Unavailable as exc:
            if self.window.screen_name == "service":
                raise GatewayBusy("the kiosk is in service mode") from None
            if self.controller is not None and self.controller.journal_problem:
                # As for the keypad: out of service, and start-up retried until it is writable.
                self.back_to_start()
            raise GatewayUnavailable(str(exc)) from None

    def cancel_host_sale(self, sale_id: int) -> bool:
        return self.controller is not None and self.controller.cancel(sale_id)

    def _on_qr_cancel_requested(self) -> None:
        if self.controller is not None:
            self.controller.cancel()

    def _on_controller_screen_requested(self, screen: str, data: dict[str, Any]) -> None:
        w = self.window
        if screen == "qr":
            if data.get("preparing"):
                w.qr_screen.show_preparing(data["amount"])
            else:
                w.qr_screen.show_payment(data["qr"], data["amount"], data["methods"])
            w.move_to("qr")
        elif screen == "qr_expired":
            w.qr_screen.hide_qr()
        elif screen == "awaiting":
            w.awaiting_screen.show_amount(data["amount"])
            w.move_to("awaiting")
        elif screen == "success":
            w.result_screen.show_success(data["amount"])
            self._show_result("success")
        elif screen == "error":
            state = data.get("state")
            w.result_screen.show_error(reason_text(data.get("reason"), state, self.lang))
            self._show_result("error")
        elif screen == "amount":
            self.back_to_start()

    def _show_result(self, screen: str) -> None:
        assert self.config is not None
        self._result_left = max(1, round(self.config.sale.result_seconds))
        self.window.result_screen.set_seconds_left(self._result_left)
        self.window.move_to(screen)
        self._result_timer.start()

    def _on_result_timer_timeout(self) -> None:
        self._result_left -= 1
        if self._result_left <= 0:
            self.back_to_start()
        else:
            self.window.result_screen.set_seconds_left(self._result_left)

    def _on_controller_countdown(self, seconds: float, total: float) -> None:
        if self.window.screen_name == "qr":
            self.window.qr_screen.set_seconds_left(seconds, total)
        elif self.window.screen_name == "awaiting":
            self.window.awaiting_screen.set_seconds_left(seconds, total)

    def _on_amount_activity(self) -> None:
        if self.config is not None:
            self._idle.start(int(self.config.sale.idle_seconds * 1000))

    def _on_amount_language_changed(self, lang: str) -> None:
        self.lang = lang
        w = self.window
        for screen in (w.qr_screen, w.awaiting_screen, w.result_screen, w.out_of_service_screen):
            screen.retranslate(lang)

    # --- what the host API and service mode read -------------------------------------------------

    def health_info(self) -> dict[str, Any]:
        self._check_journal_file()
        h = self.health
        return {
            "ok": self.problem is None and self.controller is not None,
            "bank_reachable": h.reachable if h else None,
            "last_check": h.last_check.isoformat() if h and h.last_check else None,
            "last_error": h.last_error if h else None,
            "screen": self.window.screen_name,
            "journal_ok": self.controller is not None and not self.controller.journal_problem,
            "problem": self.problem,
            "attention": len(self.journal.unsettled()) if self.journal else None,
        }

    def state_info(self) -> dict[str, Any]:
        c = self.controller
        current = c.current.sale_id if c is not None and c.current is not None else None
        return {"screen": self.window.screen_name, "sale_id": current}

    # --- service mode ---------------------------------------------------------------------

    def _on_window_service_requested(self) -> None:
        if self.config is None or not self.config.kiosk.service_pin:
            log.info("service gesture ignored: kiosk.service_pin is not set")
            return
        if self.controller is not None and self.controller.current is not None:
            log.info("service gesture ignored: a sale is running")
            return
        from kiosk.gui.screens.service import ServiceScreen
        from kiosk.gui.service_backend import ShellServiceBackend

        screen = ServiceScreen(
            ShellServiceBackend(self), self.config.kiosk.service_pin, lockout=self.pin_lockout
        )
        screen.exit_requested.connect(self._on_service_exit_requested)
        screen.quit_requested.connect(self.quit)
        self.window.set_service_screen(screen)
        if self.health is not None:
            self.health.pause(True)
        self.window.move_to("service")

    def _on_service_exit_requested(self) -> None:
        self.window.move_to("out_of_service")
        if self.problem is None and self.controller is not None:
            self.back_to_start()
        else:
            self.boot()

    def sale_state(self, sale_id: int) -> SaleState | None:
        record = self.journal.get(sale_id) if self.journal else None
        return record.state if record else None
