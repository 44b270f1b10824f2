"""A sale on the kiosk's screen: kiosk.exe on Qt's Windows platform, under Wine and Xvfb.

The kiosk runs in a window (--windowed) against the Linux-native sandbox. xdotool
clicks into the amount screen and types the amount and Enter, as a customer with
the kiosk's hardware keypad would (the amount screen takes digits and Enter; keys,
not keypad coordinates, keep this proof independent of the screen's layout). The
customer's phone scans and confirms through the sandbox's test endpoints; the
screenshot of the success screen goes to docs/screenshots/windows-wine.png, and the
journal, read by the Windows kiosk-cli, must hold the sale as processed.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import wine_proofs

WINDOW_NAME = "^Kaspi QR$"
EXIT_ALREADY_RUNNING = 6  # kiosk.platform.winsys.EXIT_ALREADY_RUNNING
SCREENSHOT_WIDTH = 480
#: What the screen showed when the sale could not start (not committed: build/ is ignored).
FAILURE_SCREENSHOT = wine_proofs.build.ROOT / "build" / "windows" / "gui-failure.png"


def ensure_xvfb(display: str) -> None:
    """Xvfb on the display unless one already listens there (stopped by cleanup)."""
    socket = Path(f"/tmp/.X11-unix/X{display.lstrip(':')}")
    if socket.exists():
        return
    process = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wine_proofs._cleanups.append(process.terminate)
    deadline = time.monotonic() + 20
    while not socket.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise wine_proofs.ProofFailed(f"Xvfb did not start on {display}")
        time.sleep(0.2)


class GuiSale:
    def __init__(self, proofs: Any, screenshot: Path) -> None:
        self.proofs = proofs
        self.screenshot = screenshot
        self.display = proofs.display
        self.process: subprocess.Popen[bytes] | None = None

    def xdotool(self, *args: str, timeout: float = 30) -> str:
        result = subprocess.run(
            ["xdotool", *args],
            env={"DISPLAY": self.display, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise wine_proofs.ProofFailed(f"xdotool {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def wait_for(self, what: str, check: Any, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise wine_proofs.ProofFailed(f"kiosk.exe ended ({self.process.returncode})")
            found = check()
            if found:
                return found
            time.sleep(0.5)
        raise wine_proofs.ProofFailed(f"no {what} in {timeout:.0f} s")

    def log_text(self) -> str:
        logs = self.proofs.config.parent / "kiosk-data-standard" / "logs"
        return "".join(
            p.read_text(encoding="utf-8", errors="replace") for p in sorted(logs.glob("*.log*"))
        )

    def status_polls(self) -> list[int]:
        """Payment ids the kiosk asked the bank about, in order."""
        ids = []
        for record in self.proofs.sandbox.requests:
            match = re.search(r"/payment/status/(\d+)$", record.path)
            if match:
                ids.append(int(match.group(1)))
        return ids

    def run(self) -> str:
        ensure_xvfb(self.display)
        exe = self.proofs.dist / "kiosk" / "kiosk.exe"
        print(f"[windows] $ wine kiosk.exe --config ... --windowed (DISPLAY={self.display})")
        # Output to a pipe even for a windowed program: a Linux file handle kills its start.
        self.process = subprocess.Popen(
            ["wine", str(exe), "--config", str(self.proofs.config), "--windowed"],
            cwd=self.proofs.tmp,
            env=self.proofs.wine_env(self.display),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        window = self.xdotool(
            "search", "--sync", "--onlyvisible", "--name", WINDOW_NAME, timeout=120
        ).split()[0]
        self.wait_for(
            "'bank reachable' in the kiosk's log", lambda: "bank reachable" in self.log_text(), 90
        )
        try:
            payment_id = self.start_sale(window)
        except wine_proofs.ProofFailed:
            self.take_screenshot(window, FAILURE_SCREENSHOT)
            raise
        self.proofs.customer(payment_id, "scan")
        self.proofs.customer(payment_id, "confirm")
        self.wait_for(
            "Processed in the kiosk's log",
            lambda: re.search(r"sale \d+: \w+ -> processed", self.log_text()),
            60,
        )
        time.sleep(1.5)  # the success screen is painted
        self.take_screenshot(window)
        sale = self.journal_sale(payment_id)
        self.check_windows_behaviour()
        self.stop()
        return (
            f"sale {sale['sale_id']}: payment {payment_id} {sale['state']} on the screen; "
            f"{self.screenshot.relative_to(wine_proofs.build.ROOT)}"
        )

    def start_sale(self, window: str) -> int:
        """Type the amount and Enter; the payment id the kiosk then polls."""
        before = set(self.status_polls())
        time.sleep(2)  # the amount screen replaces the start-up screen
        # No window manager under Xvfb: focus by click and XSetInputFocus, not activation.
        self.xdotool("mousemove", "--window", window, "360", "300", "click", "1")
        self.xdotool("windowfocus", "--sync", window)
        self.xdotool("key", "--delay", "250", *wine_proofs.SALE_AMOUNT)
        time.sleep(1)
        self.xdotool("key", "Return")
        return int(
            self.wait_for(
                "payment on the screen",
                lambda: next((i for i in self.status_polls() if i not in before), None),
                60,
            )
        )

    def check_windows_behaviour(self) -> None:
        """kiosk/platform/winsys.py on Windows: the display kept on, a second kiosk refused."""
        if "display kept on while the kiosk runs" not in self.log_text():
            raise wine_proofs.ProofFailed("SetThreadExecutionState did not succeed (kiosk log)")
        code, out = self.proofs.run_exe(
            self.proofs.dist / "kiosk" / "kiosk-cli.exe",
            ["--config", str(self.proofs.config), "run", "--windowed"],
            display=self.display,
        )
        if code != EXIT_ALREADY_RUNNING or "already running" not in out:
            raise wine_proofs.ProofFailed(f"a second kiosk on the same config: {code}\n{out}")

    def take_screenshot(self, window: str, path: Path | None = None) -> None:
        from PIL import ImageGrab

        geometry = dict(
            line.split("=", 1)
            for line in self.xdotool("getwindowgeometry", "--shell", window).split()
        )
        x, y = int(geometry["X"]), int(geometry["Y"])
        box = (x, y, x + int(geometry["WIDTH"]), y + int(geometry["HEIGHT"]))
        screen = ImageGrab.grab(xdisplay=self.display)
        # Without a window manager a window may reach below the screen's edge.
        box = (box[0], box[1], min(box[2], screen.width), min(box[3], screen.height))
        image = screen.crop(box).convert("RGB")
        height = round(image.height * SCREENSHOT_WIDTH / image.width)
        image = image.resize((SCREENSHOT_WIDTH, height)).quantize(colors=64)
        path = path or self.screenshot
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, optimize=True)

    def journal_sale(self, payment_id: int) -> dict[str, Any]:
        """The sale as the Windows kiosk-cli reads it from the journal the kiosk wrote."""
        out = self.proofs.cli("--config", str(self.proofs.config), "journal", "--json")
        sales = [s for s in json.loads(out) if s.get("qr_payment_id") == payment_id]
        if not sales or sales[0]["state"] != "processed":
            raise wine_proofs.ProofFailed(f"the journal has no processed sale {payment_id}: {out}")
        return dict(sales[0])

    def stop(self) -> None:
        if self.process is None:
            return
        # The kiosk has no close button on purpose; end every program of our own prefix.
        subprocess.run(["wineserver", "-k"], env=self.proofs.wine_env(), timeout=60, check=False)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
