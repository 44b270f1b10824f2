"""Screenshots of the real kiosk against the embedded sandbox, every screen at every size.

    .venv/bin/python docs/make_screenshots.py --out DIR [--langs ru,kk,en]
        [--sizes 800x480,1024x768,1280x800,1920x1080,1080x1920] [--curate docs/screenshots]

Writes DIR/<lang>/<W>x<H>/<screen>.png for the screens amount, qr, awaiting,
success, error, out_of_service and service (the PIN pad), and service-<tab>.png
for each tab of service mode. Runs offscreen: the real window and shell, the
real sandbox over HTTPS on free ports, real sales driven by taps on the keypad
and the sandbox's customer emulation. `--curate` also writes the README's
selection (every screen once, each size and language more than once, small
palette PNGs at half size).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from kiosk import config as cfg
from kiosk.gui.kiosk import KioskShell
from kiosk.gui.screens.service import ServiceScreen
from kiosk.gui.theme import apply_theme
from kiosk.kaspi.client import KaspiClient
from kiosk.sandbox import Behaviour, Sandbox

LANGS = ("ru", "kk", "en")
SIZES = ("800x480", "1024x768", "1280x800", "1920x1080", "1080x1920")
PIN = "1234"
#: The README's table: (screen, language, size) — every screen once, sizes and languages mixed.
CURATED = (
    ("amount", "kk", "800x480"),
    ("qr", "ru", "1080x1920"),
    ("awaiting", "en", "1024x768"),
    ("success", "kk", "1280x800"),
    ("error", "ru", "1920x1080"),
    ("out_of_service", "en", "800x480"),
    ("service", "kk", "1024x768"),
    ("service-status", "ru", "1280x800"),
    ("service-sales", "en", "1920x1080"),
    ("service-attention", "kk", "1080x1920"),
)


def wait(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the kiosk did not get there in time")
        QCoreApplication.processEvents()
        time.sleep(0.01)


def settle(seconds: float = 0.15) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.01)


class Shooter:
    """Drives one kiosk through its screens and saves what it shows."""

    def __init__(self, shell: KioskShell, sandbox: Sandbox, out: Path) -> None:
        self.shell = shell
        self.window = shell.window
        self.sandbox = sandbox
        self.out = out
        self.count = 0

    def tap(self, parent: QWidget, name: str) -> None:
        """A finger on a button, after the moment a new page ignores taps (TapGuard)."""
        wait(lambda: not self.window.tap_guard.is_armed())
        button = parent.findChild(QPushButton, name)
        if button is None:
            raise LookupError(f"no button {name}")
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)

    def shot(self, lang: str, size: str, screen: str) -> None:
        settle()
        path = self.out / lang / size / f"{screen}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        image = self.window.grab().toImage()
        image.save(str(path), quality=0)
        self.count += 1

    def resize(self, size: str) -> None:
        width, height = (int(v) for v in size.split("x"))
        self.window.resize(width, height)
        settle(0.2)

    def sale_screens(self, lang: str, size: str) -> None:
        """amount, qr, awaiting, success (one sale); error (a second, declined in the app)."""
        amount = self.window.amount_screen
        for digits, end in (("1250", "success"), ("500", "error")):
            ending = end
            wait(lambda: self.window.screen_name == "amount")
            self.tap(amount, f"lang_{lang}")
            for digit in digits:
                self.tap(amount, f"key_{digit}")
            if ending == "success":
                self.shot(lang, size, "amount")
            self.tap(amount, "pay_button")
            wait(lambda: self.window.qr_screen.has_qr())
            controller = self.shell.controller
            assert controller is not None and controller.current is not None
            assert controller.current.payment is not None
            payment_id = controller.current.payment.payment_id
            if ending == "success":
                self.shot(lang, size, "qr")
                self.sandbox.scan(payment_id)
                wait(lambda: self.window.screen_name == "awaiting")
                self.shot(lang, size, "awaiting")
                self.sandbox.confirm(payment_id)
            else:
                self.sandbox.scan_error(payment_id)
            wait(lambda ending=ending: self.window.screen_name == ending)  # type: ignore[misc]
            self.window.result_screen.set_seconds_left(5)
            self.shot(lang, size, ending)
            self.tap(self.window.result_screen, "done_button")

    def service_screens(self, sizes: list[str], langs: list[str]) -> None:
        """out_of_service (the bank stopped), then service mode: PIN pad and every tab."""
        self.sandbox.stop()
        health = self.shell.health
        assert health is not None
        health.check_now()
        wait(lambda: self.window.screen_name == "out_of_service")
        for size in sizes:
            self.resize(size)
            for lang in langs:
                self.shell.view.retranslate(lang)
                self.shot(lang, size, "out_of_service")
        self.window.service_requested.emit()
        wait(lambda: self.window.screen_name == "service")
        service = self.window.service_screen
        assert isinstance(service, ServiceScreen)
        for size in sizes:
            self.resize(size)
            for lang in langs:
                service.retranslate(lang)
                self.shot(lang, size, "service")
        for digit in PIN:
            self.tap(service, f"pin_{digit}")
        self.tap(service, "pin_ok")
        tabs = list(getattr(service, "tab_buttons", {}))
        for size in sizes:
            self.resize(size)
            for lang in langs:
                service.retranslate(lang)
                for tab in tabs:
                    self.tap(service, f"tab_{tab}")
                    settle(0.3)  # the tab loads off the GUI thread
                    self.shot(lang, size, f"service-{tab}")


def start(tmp: Path) -> tuple[Sandbox, Path]:
    """A sandbox on free ports with 1 s polls, and a registered kiosk config for it."""
    behaviour = Behaviour(poll_interval=1, scan_timeout=120, confirm_timeout=120)
    sandbox = Sandbox(tmp, behaviour=behaviour, ports={"basic": 0, "standard": 0, "enhanced": 0})
    sandbox.start()
    path = sandbox.config_path("standard")
    config = cfg.load(path)
    with KaspiClient(cfg.kaspi_settings(config)) as client:
        token = client.register_device(config.device.device_id, config.device.trade_point_id)
    cfg.write_value(path, "kaspi", "device_token", token)
    cfg.write_value(path, "kiosk", "service_pin", PIN)
    cfg.write_value(path, "kiosk", "health_interval", 300)
    cfg.write_value(path, "sale", "result_seconds", 60)
    return sandbox, path


def curate(full: Path, target: Path) -> list[Path]:
    """The README's selection: half size, a 64-colour palette (a tenth of the bytes)."""
    from PIL import Image  # pillow: a build and docs tool here, never imported by the kiosk

    target.mkdir(parents=True, exist_ok=True)
    written = []
    for screen, lang, size in CURATED:
        with Image.open(full / lang / size / f"{screen}.png") as image:
            half = image.convert("RGB").resize(
                (image.width // 2, image.height // 2), Image.Resampling.LANCZOS
            )
        small = half.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        path = target / f"{screen}-{lang}-{size}.png"
        small.save(path, optimize=True)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--langs", default=",".join(LANGS))
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--curate", type=Path, help="also write the README's selection here")
    args = parser.parse_args(argv)
    langs, sizes = args.langs.split(","), args.sizes.split(",")
    started = time.monotonic()
    app = QApplication.instance() or QApplication([])
    apply_theme(app)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        sandbox, path = start(Path(tmp))
        shell = KioskShell(path)
        try:
            shell.start(windowed=True)
            shooter = Shooter(shell, sandbox, args.out)
            wait(lambda: shell.window.screen_name == "amount")
            for size in sizes:
                shooter.resize(size)
                for lang in langs:
                    shooter.sale_screens(lang, size)
            shooter.service_screens(sizes, langs)
        finally:
            shell.quit(exit_app=False)
            sandbox.stop()
    print(f"wrote {shooter.count} screenshots to {args.out} in {time.monotonic() - started:.0f} s")
    if args.curate:
        for written in curate(args.out, args.curate):
            print("curated", written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
