"""`kiosk run`: the kiosk on its screen, with the configured bank.

The config is loaded by the kiosk itself, so a broken one shows the
out-of-service screen (and is re-read until it is fixed) instead of exiting.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.gui.screens.window import Overlay
    from kiosk.gui.shell.kiosk import KioskShell

log = logging.getLogger("kiosk.app.run")

#: More unexpected errors than this within CRASH_WINDOW seconds is a crash loop.
CRASH_LIMIT = 5
CRASH_WINDOW = 60.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--windowed",
        action="store_true",
        help="a normal window instead of full screen (development)",
    )


def run(args: argparse.Namespace) -> int:
    from kiosk.cli.common import config_path

    return run_kiosk(
        config_path(args.config),
        windowed=args.windowed,
        console_level="INFO" if args.verbose else "WARNING",
    )


def install_excepthook(shell: KioskShell) -> None:
    """Unexpected errors are logged with context and the kiosk returns to a safe screen."""
    recent: list[float] = []

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            shell.quit()
            return
        now = time.monotonic()
        recent[:] = [t for t in recent if now - t < CRASH_WINDOW] + [now]
        log.critical(
            "unexpected error on screen %s (sale %s)",
            shell.window.screen_name,
            shell.state_info().get("sale_id"),
            exc_info=(kind, exc, tb),
        )
        if len(recent) > CRASH_LIMIT:
            log.critical(
                "crash loop: %d unexpected errors in %.0f s; restarting the kiosk's parts",
                len(recent),
                CRASH_WINDOW,
            )
            recent.clear()
            shell.boot()
            return
        try:
            shell.recover_screen()
        except Exception:
            log.critical("could not return to a safe screen", exc_info=True)

    sys.excepthook = hook


def run_kiosk(
    path: Path,
    *,
    windowed: bool = False,
    console_level: str = "WARNING",
    demo_bar: Callable[[KioskShell], Overlay] | None = None,
) -> int:
    from PySide6.QtWidgets import QApplication

    from kiosk.gui.kit.theme import apply_theme
    from kiosk.gui.shell.kiosk import KioskShell
    from kiosk.platform import winsys

    try:
        lock = winsys.single_instance(path)
    except winsys.AlreadyRunning as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return winsys.EXIT_ALREADY_RUNNING
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Kaspi QR kiosk")
    apply_theme(app)
    shell = KioskShell(path, demo_bar=demo_bar, console_level=console_level)
    install_excepthook(shell)
    shell.start(windowed=windowed)
    if winsys.keep_display_awake():
        log.info("display kept on while the kiosk runs")
    code = app.exec()
    shell.quit()
    lock.release()
    return int(code)
