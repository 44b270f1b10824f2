"""What installer/windows.py proves about the Windows build, under Wine, on Linux.

The bank is the kiosk's embedded sandbox running natively on Linux (free ports, a
temporary folder); the Windows programs reach it over loopback with mutual TLS, the
sandbox's config file read through Wine's drive Z:. The customer's phone is played
through the sandbox's own test endpoints (/test/payment/scan, /confirm) over HTTPS.

Every console program's output is a pipe: a Windows console program whose stdout is
a regular Linux file dies in init_sys_streams (WinError 6) under Wine.
"""

from __future__ import annotations

import json
import re
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import build

SALE_AMOUNT = "150"
QR_BLOCKS = set("█▀▄")
SCREENSHOT = build.ROOT / "docs" / "screenshots" / "windows-wine.png"
APP_DIR = "Program Files/Kaspi QR Kiosk"
DATA_DIR = "ProgramData/KaspiKiosk"
OPERATOR_EDIT = "# edited by the operator: must survive the upgrade and the uninstall"
STALE = "stale-file-of-the-old-version.dll"

_cleanups: list[Callable[[], None]] = []


class ProofFailed(Exception):
    """A Windows program did not do what it must; the message says what it did."""


def describe_setup(setup: Path) -> str:
    return f"{setup.name} {build.megabytes(setup.stat().st_size)}"


def cleanup() -> None:
    while _cleanups:
        try:
            _cleanups.pop()()
        except (OSError, subprocess.SubprocessError) as exc:
            print(f"[windows] cleanup: {exc}", flush=True)


class Proofs:
    def __init__(
        self,
        dist: Path,
        display: str,
        wine_env: Callable[..., dict[str, str]],
        windows_path: Callable[[Path], str],
    ) -> None:
        self.dist = dist
        self.display = display
        self.wine_env = wine_env
        self.windows_path = windows_path
        self.tmp = Path(tempfile.mkdtemp(prefix="kiosk-wine-"))
        _cleanups.append(lambda: shutil.rmtree(self.tmp, ignore_errors=True))
        self.prefix = Path(wine_env()["WINEPREFIX"])
        self.sandbox: Any = None

    # --- helpers ----------------------------------------------------------------------------

    def run_exe(
        self, exe: Path, args: list[str], *, timeout: float = 120, display: str | None = None
    ) -> tuple[int, str]:
        """A Windows program under Wine; its exit code and its output (a pipe, as UTF-8)."""
        print(f"[windows] $ wine {exe.name} {' '.join(args)}", flush=True)
        try:
            result = subprocess.run(
                ["wine", str(exe), *args],
                cwd=self.tmp,
                env=self.wine_env(display),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ProofFailed(f"{exe.name} {' '.join(args)}: no end in {timeout:.0f} s") from None
        return result.returncode, result.stdout.decode("utf-8", errors="replace")

    def cli(self, *args: str, exe: Path | None = None, timeout: float = 120) -> str:
        code, out = self.run_exe(exe or self.dist / "kiosk" / "kiosk-cli.exe", list(args))
        if code != 0 or "Traceback" in out:
            raise ProofFailed(f"kiosk-cli {' '.join(args)}: exit code {code}\n{out}")
        return out

    def start_sandbox(self) -> Any:
        if self.sandbox is None:
            from kiosk.sandbox import Sandbox
            from kiosk.sandbox.state import Behaviour

            # Wine starts a program in about 4 s: the bank waits longer than the default.
            behaviour = Behaviour(poll_interval=1, scan_timeout=120, confirm_timeout=90)
            ports = {"basic": 0, "standard": 0, "enhanced": 0}
            self.sandbox = Sandbox(self.tmp / "bank", behaviour=behaviour, ports=ports)
            self.sandbox.start()
            _cleanups.append(self.sandbox.stop)
            self.config = self.sandbox.config_path("standard")
            self.cli("--config", str(self.config), "register", "--trade-point", "1")
        return self.sandbox

    def customer(self, payment_id: int, action: str) -> None:
        """The customer's phone: POST {base}/test/payment/{action} over mutual TLS."""
        pki = self.sandbox.pki
        context = ssl.create_default_context(cafile=str(pki.ca_bundle))
        context.load_cert_chain(str(pki.client_cert), str(pki.client_key), pki.password)
        request = urllib.request.Request(
            f"{self.sandbox.base_url('standard')}/test/payment/{action}",
            data=json.dumps({"qrPaymentId": str(payment_id)}).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, context=context, timeout=30) as answer:
            body = json.load(answer)
        if body.get("StatusCode") != 0:
            raise ProofFailed(f"/test/payment/{action} for {payment_id}: {body}")

    # --- the proofs -------------------------------------------------------------------------

    def version(self) -> str:
        out = self.cli("--version").strip()
        expected = f"kiosk {build.read_version()}"
        if out != expected:
            raise ProofFailed(f"--version printed {out!r}, not {expected!r}")
        return out

    def cli_payment(self) -> str:
        """`kiosk-cli pay` with human output into a pipe, in Wine's code page (cp1252)."""
        self.start_sandbox()
        command = ["wine", str(self.dist / "kiosk" / "kiosk-cli.exe")]
        command += ["--config", str(self.config), "pay", SALE_AMOUNT]
        print(f"[windows] $ wine kiosk-cli.exe --config ... pay {SALE_AMOUNT} | (pipe)", flush=True)
        process = subprocess.Popen(
            command,
            cwd=self.tmp,
            env=self.wine_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        _cleanups.append(process.kill)
        assert process.stdout is not None
        timer = threading.Timer(180, process.kill)
        timer.start()
        output = b""
        payment_id = None
        try:
            for line in process.stdout:
                output += line
                match = re.match(rb"Payment (\d+): ", line)
                if match and payment_id is None:
                    payment_id = int(match.group(1))
                    self.customer(payment_id, "scan")
                    self.customer(payment_id, "confirm")
            code = process.wait(timeout=30)
        finally:
            timer.cancel()
        try:
            text = output.decode("utf-8")  # strictly: every console entry writes UTF-8
        except UnicodeDecodeError as exc:
            raise ProofFailed(f"pay wrote no UTF-8 ({exc}):\n{output!r}") from None
        if code != 0 or payment_id is None or "Traceback" in text:
            raise ProofFailed(f"pay: exit code {code}, payment {payment_id}:\n{text}")
        if f"{SALE_AMOUNT} ₸" not in text or not QR_BLOCKS & set(text) or "Processed" not in text:
            raise ProofFailed(f"pay printed no QR, amount in ₸ or Processed:\n{text}")
        status = self.sandbox.payment(payment_id)["status"]
        if status != "Processed":
            raise ProofFailed(f"payment {payment_id} is {status} at the bank")
        return f"payment {payment_id} Processed, QR and ₸ printed into a pipe, exit code 0"

    def gui_sale(self) -> str:
        from gui_proof import GuiSale

        self.start_sandbox()
        sale = GuiSale(self, SCREENSHOT)
        _cleanups.append(sale.stop)
        return sale.run()

    # --- install, upgrade, uninstall --------------------------------------------------------

    def setup_exe(self) -> Path:
        found = sorted(self.dist.glob("*-setup.exe"))
        if not found:
            raise ProofFailed(f"no setup in {self.dist}")
        return found[-1]

    def run_setup(self, exe: Path) -> None:
        log = self.tmp / f"{exe.stem}-{time.monotonic_ns()}.log"
        code, out = self.run_exe(
            exe,
            ["/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", f"/LOG={self.windows_path(log)}"],
            timeout=300,
            display=self.display,
        )
        # The uninstaller copies itself to a temporary folder and exits at once: wait
        # for every program in the prefix to end.
        subprocess.run(["wineserver", "-w"], env=self.wine_env(), timeout=300, check=False)
        if code != 0:
            text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
            raise ProofFailed(f"{exe.name}: exit code {code}\n{out}\n{text[-3000:]}")

    def install(self) -> str:
        from gui_proof import ensure_xvfb

        ensure_xvfb(self.display)
        app, data = self.prefix / "drive_c" / APP_DIR, self.prefix / "drive_c" / DATA_DIR
        if (app / "unins000.exe").exists():  # left by an interrupted earlier run
            self.run_setup(app / "unins000.exe")
        shutil.rmtree(app, ignore_errors=True)
        shutil.rmtree(data, ignore_errors=True)
        self.run_setup(self.setup_exe())
        for path in (app / "kiosk.exe", app / "kiosk-cli.exe", data / "kiosk.toml", data / "certs"):
            if not path.exists():
                raise ProofFailed(f"the setup made no {path}")
        out = self.cli("--version", exe=app / "kiosk-cli.exe").strip()
        return f"installed; the installed kiosk-cli says {out!r}"

    def upgrade(self) -> str:
        app, data = self.prefix / "drive_c" / APP_DIR, self.prefix / "drive_c" / DATA_DIR
        config = data / "kiosk.toml"
        config.write_text(config.read_text(encoding="utf-8") + f"\n{OPERATOR_EDIT}\n", "utf-8")
        (data / "certs" / "bank.pfx").write_bytes(b"the operator's certificate")
        (app / "_internal" / STALE).write_bytes(b"left by the old version")
        self.run_setup(self.setup_exe())
        if OPERATOR_EDIT not in config.read_text(encoding="utf-8"):
            raise ProofFailed("the upgrade overwrote the operator's kiosk.toml")
        if (app / "_internal" / STALE).exists():
            raise ProofFailed("the upgrade left the old bundle's files in _internal")
        if not (data / "kiosk.example.toml").exists():
            raise ProofFailed("the upgrade wrote no kiosk.example.toml")
        self.cli("--version", exe=app / "kiosk-cli.exe")
        return "edited kiosk.toml kept, old _internal replaced, kiosk-cli runs"

    def uninstall(self) -> str:
        app, data = self.prefix / "drive_c" / APP_DIR, self.prefix / "drive_c" / DATA_DIR
        self.run_setup(app / "unins000.exe")
        deadline = time.monotonic() + 60
        while (app / "kiosk.exe").exists() and time.monotonic() < deadline:
            time.sleep(1)
        if (app / "kiosk.exe").exists() or (app / "_internal").exists():
            raise ProofFailed(f"the uninstaller left {app}")
        config = data / "kiosk.toml"
        if not config.exists() or OPERATOR_EDIT not in config.read_text(encoding="utf-8"):
            raise ProofFailed("the uninstaller removed or changed the operator's kiosk.toml")
        if not (data / "certs" / "bank.pfx").exists():
            raise ProofFailed("the uninstaller removed the operator's certificate")
        return "program removed; kiosk.toml and certs kept"


def steps(
    dist: Path,
    display: str,
    wine_env: Callable[..., dict[str, str]],
    windows_path: Callable[[Path], str],
) -> list[tuple[str, Callable[[], object]]]:
    proofs = Proofs(dist, display, wine_env, windows_path)
    return [
        ("prove: kiosk-cli --version", proofs.version),
        ("prove: payment with piped human output", proofs.cli_payment),
        ("prove: GUI sale on Qt's Windows platform", proofs.gui_sale),
        ("prove: silent install", proofs.install),
        ("prove: upgrade over an edited config", proofs.upgrade),
        ("prove: uninstall keeps the data", proofs.uninstall),
    ]
