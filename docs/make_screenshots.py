"""Screenshots of the real kiosk against the embedded sandbox, every screen at every size.

    .venv/bin/python docs/make_screenshots.py --out DIR [--langs ru,kk,en]
        [--sizes 800x480,1024x768,1280x800,1920x1080,1080x1920] [--curate docs/screenshots]

Writes DIR/<lang>/<W>x<H>/<screen>.png for the screens amount, qr, awaiting,
success, error, out_of_service and service (the PIN pad), and service-<tab>.png
for each tab of service mode, and checks them (a catalogue text on show in
another language, then check()) and exits 1 if one is wrong. Runs offscreen:
the real window and shell, the real sandbox over HTTPS on free ports, real
sales driven by taps on the keypad and the sandbox's customer emulation; each
page is shot at every size and language while it shows. Service mode is shot
while the bank answers, out of service once the sandbox is stopped.
`--curate` also writes the README's selection (every screen and tab once, each
size and language several times, small palette PNGs at half size) and prints the
README's tables for it.
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
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QPushButton, QWidget

from kiosk import config as cfg
from kiosk.gui.kit.theme import apply_theme
from kiosk.gui.service.screen import TABS, ServiceScreen
from kiosk.gui.shell.kiosk import KioskShell
from kiosk.i18n import TEXTS, tr
from kiosk.kaspi.client import KaspiClient
from kiosk.operator.access import hash_pin
from kiosk.sandbox import Behaviour, Sandbox

LANGS = ("ru", "kk", "en")
SIZES = ("800x480", "1024x768", "1280x800", "1920x1080", "1080x1920")
PIN = "1234"
#: Every file each language and size gets.
SCREENS = (
    "amount",
    "qr",
    "awaiting",
    "success",
    "error",
    "out_of_service",
    "service",
    *(f"service-{tab}" for tab in TABS),
)
#: The README's selection (screen, language, size): every screen and every service tab once,
#: each language and size several times; Kazakh, the longest, at the smallest sizes.
CURATED = (
    ("amount", "kk", "800x480"),
    ("qr", "ru", "1080x1920"),
    ("awaiting", "en", "1024x768"),
    ("success", "kk", "1280x800"),
    ("error", "ru", "1920x1080"),
    ("out_of_service", "en", "800x480"),
    ("service", "kk", "1024x768"),
    ("service-status", "ru", "1280x800"),
    ("service-attention", "kk", "800x480"),
    ("service-refunds", "en", "1280x800"),
    ("service-sales", "en", "1920x1080"),
    ("service-device", "ru", "1080x1920"),
    ("service-certificate", "kk", "1920x1080"),
    ("service-system", "ru", "1024x768"),
)
#: How the README's captions name screens and languages.
CAPTION = {"qr": "QR", "out_of_service": "out of service", "service": "service PIN"}
LANG_CAPTION = {"ru": "RU", "kk": "ҚАЗ", "en": "EN"}


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


def languages_of_texts() -> dict[str, set[str]]:
    """Each whole text of the catalogue (no {fields}) and the languages that say it so."""
    langs: dict[str, set[str]] = {}
    for texts in TEXTS.values():
        for lang, text in texts.items():
            if "{" not in text:
                langs.setdefault(text, set()).add(lang)
    return langs


class Shooter:
    """Drives one kiosk through its screens and saves what it shows."""

    def __init__(self, shell: KioskShell, sandbox: Sandbox, out: Path) -> None:
        self.shell = shell
        self.window = shell.window
        self.sandbox = sandbox
        self.out = out
        self.count = 0
        self.problems: list[str] = []
        self._languages = languages_of_texts()

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
        for text in self.other_languages(lang):
            self.problems.append(f"{path}: {text!r} is not in {lang}")
        path.parent.mkdir(parents=True, exist_ok=True)
        image = self.window.grab().toImage()
        image.save(str(path), quality=0)
        self.count += 1

    def other_languages(self, lang: str) -> list[str]:
        """Catalogue texts on show that `lang` does not say (a text left from another one)."""
        widgets = [
            *self.window.findChildren(QLabel),
            *self.window.findChildren(QAbstractButton),
        ]
        return [
            widget.text()
            for widget in widgets
            if widget.isVisible() and lang not in self._languages.get(widget.text(), {lang})
        ]

    def resize(self, size: str) -> None:
        width, height = (int(v) for v in size.split("x"))
        self.window.resize(width, height)
        settle(0.2)

    def every(
        self, sizes: list[str], langs: list[str], screen: str, show: Callable[[str], None]
    ) -> None:
        """`screen` at every size in every language; `show(lang)` puts the language on it."""
        for size in sizes:
            self.resize(size)
            for lang in langs:
                show(lang)
                self.shot(lang, size, screen)

    def sale_screens(self, sizes: list[str], langs: list[str]) -> None:
        """amount, qr, awaiting, success (one sale); error (a second, declined in the app).
        Each page is shot at every size and language while it shows: two sales, not thirty."""
        amount = self.window.amount_screen
        view = self.shell.view

        def result(lang: str) -> None:
            view.retranslate(lang)
            self.window.result_screen.set_seconds_left(5)

        for digits, ending in (("1250", "success"), ("500", "error")):
            wait(lambda: self.window.screen_name == "amount")
            for digit in digits:
                self.tap(amount, f"key_{digit}")
            if ending == "success":
                # The customer's own language buttons, as a customer changes it.
                self.every(sizes, langs, "amount", lambda lang: self.tap(amount, f"lang_{lang}"))
            self.tap(amount, "pay_button")
            wait(lambda: self.window.qr_screen.has_qr())
            controller = self.shell.controller
            assert controller is not None and controller.current is not None
            assert controller.current.payment is not None
            payment_id = controller.current.payment.payment_id
            if ending == "success":
                # The first tick of the countdown comes a moment after the QR.
                wait(lambda: bool(self.window.qr_screen.countdown.time.text()))
                self.every(sizes, langs, "qr", view.retranslate)
                self.sandbox.scan(payment_id)
                wait(lambda: self.window.screen_name == "awaiting")
                self.every(sizes, langs, "awaiting", view.retranslate)
                self.sandbox.confirm(payment_id)
            else:
                self.sandbox.scan_error(payment_id)
            wait(lambda ending=ending: self.window.screen_name == ending)  # type: ignore[misc]
            view.stop_result()  # every shot says "5 s", not wherever the countdown has got to
            self.every(sizes, langs, ending, result)
            self.tap(self.window.result_screen, "done_button")

    def service_screens(self, sizes: list[str], langs: list[str]) -> None:
        """Service mode while the bank answers (PIN pad, every tab), then leave it."""
        wait(lambda: self.window.screen_name == "amount")
        self.window.service_requested.emit()
        wait(lambda: self.window.screen_name == "service")
        service = self.window.service_screen
        assert isinstance(service, ServiceScreen)
        self.every(sizes, langs, "service", service.retranslate)
        for digit in PIN:
            self.tap(service, f"pin_{digit}")
        self.tap(service, "pin_ok")
        tabs = list(getattr(service, "tab_buttons", {}))
        for size in sizes:
            self.resize(size)
            for lang in langs:
                service.retranslate(lang)
                working = tr("svc.working", lang)
                for tab in tabs:
                    # The tab button's own slot: a tap would wait out the guard every time.
                    service.show_tab(tab)
                    message = getattr(getattr(service, f"{tab}_page"), "message", None)
                    if message is not None:  # a page that asks the bank: its answer is in
                        wait(lambda m=message, working=working: m.text() != working)
                    self.shot(lang, size, f"service-{tab}")
        self.tap(service, "service_exit")
        wait(lambda: self.window.screen_name == "amount")

    def out_of_service(self, sizes: list[str], langs: list[str]) -> None:
        """The customer's notice once the bank stops answering (the sandbox is stopped)."""
        self.sandbox.stop()
        health = self.shell.health
        assert health is not None
        health.check_now()
        wait(lambda: self.window.screen_name == "out_of_service")
        self.every(sizes, langs, "out_of_service", self.shell.view.retranslate)


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
    cfg.write_value(path, "kiosk", "service_pin", hash_pin(PIN))
    cfg.write_value(path, "kiosk", "health_interval", 300)
    cfg.write_value(path, "sale", "result_seconds", 60)
    return sandbox, path


def curated_name(screen: str, lang: str, size: str) -> str:
    return f"{screen}-{lang}-{size}.png"


def curate(full: Path, target: Path) -> list[Path]:
    """The README's selection: half size, a 64-colour palette (a tenth of the bytes). Earlier
    selections' files (any screen's name) go: the README shows only what CURATED names."""
    from PIL import Image  # pillow: a build and docs tool here, never imported by the kiosk

    target.mkdir(parents=True, exist_ok=True)
    written = []
    for screen, lang, size in CURATED:
        with Image.open(full / lang / size / f"{screen}.png") as image:
            half = image.convert("RGB").resize(
                (image.width // 2, image.height // 2), Image.Resampling.LANCZOS
            )
        small = half.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        path = target / curated_name(screen, lang, size)
        small.save(path, optimize=True)
        written.append(path)
    ours = {screen.split("-")[0] for screen in SCREENS}  # amount, qr, …, service
    for old in target.glob("*.png"):
        if old not in written and old.stem.split("-")[0] in ours:
            old.unlink()
    return written


def readme_table(entries: tuple[tuple[str, str, str], ...], columns: int = 4) -> str:
    """A Markdown table of `entries`, captions over pictures, as the README has it."""
    rows = []
    for start in range(0, len(entries), columns):
        chunk = entries[start : start + columns]
        pad = [""] * (columns - len(chunk))
        captions = [
            f"{CAPTION.get(screen, screen.replace('-', ' '))} · {LANG_CAPTION[lang]} · "
            f"{size.replace('x', '×')}"
            for screen, lang, size in chunk
        ]
        pictures = [f"![](docs/screenshots/{curated_name(*entry)})" for entry in chunk]
        if start:
            captions = [f"**{caption}**" for caption in captions]
        rows.append("| " + " | ".join(captions + pad) + " |")
        if not start:
            rows.append("|" + "---|" * columns)
        rows.append("| " + " | ".join(pictures + pad) + " |")
    return "\n".join(row.replace("  |", " |") for row in rows)


def readme_tables() -> tuple[str, str]:
    """The README's two tables: the screens at its top, service mode's tabs in its section."""
    screens = tuple(entry for entry in CURATED if not entry[0].startswith("service-"))
    tabs = tuple(entry for entry in CURATED if entry[0].startswith("service-"))
    return readme_table(screens), readme_table(tabs)


def check(out: Path, langs: list[str], sizes: list[str]) -> list[str]:
    """What is wrong with a run's files: missing, another size, blank, or a screen that looks
    the same in two languages (not translated) or as another screen (a tab that never opened)."""
    from PIL import Image, ImageChops

    problems = []
    images: dict[tuple[str, str, str], Image.Image] = {}
    for size in sizes:
        width, height = (int(v) for v in size.split("x"))
        for lang in langs:
            for screen in SCREENS:
                path = out / lang / size / f"{screen}.png"
                if not path.is_file():
                    problems.append(f"missing {path}")
                    continue
                with Image.open(path) as image:
                    rgb = image.convert("RGB")
                if rgb.size != (width, height):
                    problems.append(f"{path}: {rgb.width}x{rgb.height}, not {size}")
                elif rgb.getcolors(1) is not None:  # a list only when one colour fills it
                    problems.append(f"{path}: blank")
                else:
                    images[lang, size, screen] = rgb
    for (lang, size, screen), image in images.items():
        for other_lang in langs[langs.index(lang) + 1 :]:
            other = images.get((other_lang, size, screen))
            if other is not None and ImageChops.difference(image, other).getbbox() is None:
                problems.append(f"{screen} at {size}: the same in {lang} and {other_lang}")
        for other_screen in SCREENS[SCREENS.index(screen) + 1 :]:
            other = images.get((lang, size, other_screen))
            if other is not None and ImageChops.difference(image, other).getbbox() is None:
                problems.append(f"{lang} {size}: {screen} is the same as {other_screen}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--langs", default=",".join(LANGS))
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--curate", type=Path, help="also write the README's selection here")
    args = parser.parse_args(argv)
    langs, sizes = args.langs.split(","), args.sizes.split(",")
    if args.curate and not all(lang in langs and size in sizes for _, lang, size in CURATED):
        parser.error("--curate needs every language and size it picks from (the defaults)")
    started = time.monotonic()
    app = QApplication.instance() or QApplication([])
    apply_theme(app)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        sandbox, path = start(Path(tmp))
        shell = KioskShell(path)
        try:
            shell.start(windowed=True)
            shooter = Shooter(shell, sandbox, args.out)
            wait(lambda: shell.window.screen_name in ("amount", "out_of_service"))
            if shell.window.screen_name != "amount":
                raise SystemExit("the kiosk went out of service at start: its log above says why")
            shooter.sale_screens(sizes, langs)
            shooter.service_screens(sizes, langs)
            shooter.out_of_service(sizes, langs)
        finally:
            shell.quit(exit_app=False)
            sandbox.stop()
    print(f"wrote {shooter.count} screenshots to {args.out} in {time.monotonic() - started:.0f} s")
    problems = shooter.problems + check(args.out, langs, sizes)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    if args.curate:
        for written in curate(args.out, args.curate):
            print("curated", written)
        print("The README's tables (top, then service mode):", *readme_tables(), sep="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
