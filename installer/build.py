"""Build the kiosk with PyInstaller, smoke-test the frozen executables, then make the installer.

    python installer/build.py                 # build into build/ and dist/, smoke-test, package
    python installer/build.py --skip-smoke    # build only
    python installer/build.py --dist D --work W --no-installer

The smoke test runs the frozen programs the way an operator would, from a
temporary folder and with the source tree out of reach: `kiosk-cli --version`
and `--help` (every command is there); `kiosk-cli sandbox` on free ports;
`kiosk-cli register` and `ping` against it over mutual TLS; the windowed `kiosk`
on the offscreen Qt platform until its log says the bank is reachable, and a
few seconds more; `kiosk-cli journal` on the journal the kiosk made. Anything
else (an exit, a traceback, a timeout) fails the build before it is packaged. On
Windows, Inno Setup's `iscc` then makes the installer.

Exit codes: 0 built (and smoke-tested); 1 the build or the smoke test failed;
2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "kiosk.spec"
ISS = HERE / "kiosk.iss"
ASSETS = ROOT / "assets"
WINDOWS = sys.platform == "win32"
EXE_SUFFIX = ".exe" if WINDOWS else ""

sys.path.insert(0, str(HERE))
from version_info import read_version, windows_version  # noqa: E402

#: The line the kiosk logs when its first health ping to the bank succeeded.
READY_MARK = "bank reachable"
#: Lines that must not appear in the output or the log of a smoke-tested program.
BAD_MARKS = ("Traceback (most recent call last)", "CRITICAL")
SANDBOX_SCHEME = "standard"
ISCC_PLACES = (
    Path(os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)")) / "Inno Setup 6",
    Path(os.environ.get("PROGRAMFILES", r"C:\Program Files")) / "Inno Setup 6",
    Path(os.environ.get("LOCALAPPDATA", "")) / "Programs" / "Inno Setup 6",
)


class BuildError(Exception):
    """A step failed; the message says which and why."""


def say(message: str) -> None:
    print(f"[build] {message}", flush=True)


# --- icons ----------------------------------------------------------------------------------


def ensure_icons(assets: Path = ASSETS) -> None:
    """assets/kiosk.png and assets/kiosk.ico, drawn with pillow if missing."""
    png, ico = assets / "kiosk.png", assets / "kiosk.ico"
    if png.exists() and ico.exists():
        return
    from PIL import Image, ImageDraw

    size = 256
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, size - 8, size - 8), radius=48, fill=(241, 70, 53, 255))
    white, red = (255, 255, 255, 255), (241, 70, 53, 255)
    # Three finder squares of a QR code: reads as "QR" even at 16 pixels.
    for x, y in ((44, 44), (140, 44), (44, 140)):
        draw.rectangle((x, y, x + 72, y + 72), fill=white)
        draw.rectangle((x + 14, y + 14, x + 58, y + 58), fill=red)
        draw.rectangle((x + 26, y + 26, x + 46, y + 46), fill=white)
    for x, y in ((148, 148), (184, 148), (148, 184), (184, 184), (166, 166)):
        draw.rectangle((x, y, x + 20, y + 20), fill=white)
    assets.mkdir(parents=True, exist_ok=True)
    image.save(png)
    image.save(ico, sizes=[(n, n) for n in (16, 24, 32, 48, 64, 128, 256)])
    say(f"drew {png.relative_to(assets.parent)} and {ico.relative_to(assets.parent)}")


# --- the PyInstaller build ------------------------------------------------------------------


def bundle_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def run_pyinstaller(
    dist: Path, work: Path, *, clean: bool, debug_console: bool, trim: bool
) -> Path:
    """Run the spec; the bundle folder (dist/kiosk)."""
    env = dict(os.environ)
    env.pop("KIOSK_DEBUG_CONSOLE", None)
    env.pop("KIOSK_NO_TRIM", None)
    if debug_console:
        env["KIOSK_DEBUG_CONSOLE"] = "1"
    if not trim:
        env["KIOSK_NO_TRIM"] = "1"
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        str(SPEC),
    ]
    if clean:
        command.insert(3, "--clean")
    say("$ " + " ".join(command))
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        raise BuildError(f"PyInstaller failed with exit code {result.returncode} (output above)")
    bundle = dist / "kiosk"
    for name in ("kiosk", "kiosk-cli"):
        if not (bundle / f"{name}{EXE_SUFFIX}").is_file():
            raise BuildError(f"PyInstaller made no {bundle / name}{EXE_SUFFIX}")
    return bundle


# --- the smoke test -------------------------------------------------------------------------


def smoke_env(home: Path) -> dict[str, str]:
    """The environment of a frozen program: no Python of ours, no operator config, data in home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "KIOSK_"))}
    env.pop("VIRTUAL_ENV", None)
    # Wherever a default data folder would be used, it is inside the smoke test's folder.
    env["XDG_DATA_HOME"] = str(home / "xdg-data")
    env["PROGRAMDATA"] = str(home / "programdata")
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def check_output_clean(what: str, text: str) -> None:
    for mark in BAD_MARKS:
        if mark in text:
            raise BuildError(f"{what} printed {mark!r}:\n{text}")


def run_cli(exe: Path, args: list[str], env: dict[str, str], cwd: Path, timeout: float = 90) -> str:
    """Run kiosk-cli and return its output; BuildError unless it exits 0 with no traceback."""
    command = [str(exe), *args]
    say("$ " + " ".join(Path(command[0]).name if i == 0 else a for i, a in enumerate(command)))
    try:
        result = subprocess.run(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BuildError(f"{' '.join(args)}: no answer in {timeout:.0f} s") from None
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise BuildError(f"{' '.join(args)}: exit code {result.returncode}:\n{output}")
    check_output_clean(" ".join(args), output)
    return output


def stop_process(process: subprocess.Popen[bytes], *, gently: bool) -> None:
    """Ctrl+C first where it can be sent (the sandbox closes its sockets), then kill."""
    if process.poll() is not None:
        return
    if gently and not WINDOWS:
        process.send_signal(signal.SIGINT)
    else:
        process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


@contextmanager
def running_sandbox(
    exe: Path, directory: Path, env: dict[str, str], timeout: float = 90
) -> Iterator[Path]:
    """`kiosk-cli sandbox` on free ports; the config it wrote for SANDBOX_SCHEME."""
    log_path = directory.parent / "sandbox.out"
    args = [
        "sandbox",
        "--dir",
        str(directory),
        "--port-basic",
        "0",
        "--port-standard",
        "0",
        "--port-enhanced",
        "0",
    ]
    say("$ kiosk-cli " + " ".join(args))
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            [str(exe), *args],
            cwd=directory.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # The sandbox writes its configs after its ports listen, each atomically; the
        # folder is new, so the last config appearing means the sandbox is serving.
        configs = [directory / f"kiosk-{s}.toml" for s in ("basic", "standard", "enhanced")]
        deadline = time.monotonic() + timeout
        while not all(p.exists() for p in configs):
            if process.poll() is not None:
                raise BuildError(
                    f"the sandbox exited with code {process.returncode}:\n{read_text(log_path)}"
                )
            if time.monotonic() > deadline:
                raise BuildError(
                    f"the sandbox wrote no configs in {timeout:.0f} s:\n{read_text(log_path)}"
                )
            time.sleep(0.2)
        yield directory / f"kiosk-{SANDBOX_SCHEME}.toml"
        if process.poll() is not None:
            raise BuildError(f"the sandbox died during the smoke test:\n{read_text(log_path)}")
    finally:
        stop_process(process, gently=True)
    check_output_clean("the sandbox", read_text(log_path))


def config_log(config: Path, env: dict[str, str]) -> Path:
    """The kiosk.log the config writes to: storage.data_dir, else the default data folder."""
    import tomllib

    data = tomllib.loads(config.read_text(encoding="utf-8"))
    data_dir = str(data.get("storage", {}).get("data_dir", ""))
    if not data_dir:  # as kiosk.config.default_data_dir(), in the smoke test's environment
        base = (
            Path(env["PROGRAMDATA"]) / "KaspiKiosk"
            if WINDOWS
            else Path(env["XDG_DATA_HOME"]) / "kaspi-kiosk"
        )
    else:
        base = Path(data_dir) if Path(data_dir).is_absolute() else config.parent / data_dir
    return base / "logs" / "kiosk.log"


def smoke_gui(
    exe: Path, config: Path, env: dict[str, str], *, ready_timeout: float, linger: float
) -> None:
    """The windowed kiosk runs on `config` until the bank is reachable, and `linger` s more."""
    log_path = config_log(config, env)
    out_path = config.parent.parent / "kiosk-gui.out"
    say(f"$ kiosk --config {config} (QT_QPA_PLATFORM=offscreen)")
    with out_path.open("wb") as out:
        process = subprocess.Popen(
            [str(exe), "--config", str(config)],
            cwd=config.parent.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + ready_timeout
        while READY_MARK not in read_text(log_path):
            if process.poll() is not None:
                raise BuildError(
                    f"the kiosk exited with code {process.returncode} before {READY_MARK!r}:\n"
                    f"{read_text(out_path)}{read_text(log_path)}"
                )
            if time.monotonic() > deadline:
                raise BuildError(
                    f"the kiosk did not log {READY_MARK!r} in {ready_timeout:.0f} s:\n"
                    f"{read_text(out_path)}{read_text(log_path)}"
                )
            time.sleep(0.2)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=linger)
            raise BuildError(
                f"the kiosk exited with code {process.returncode} {linger:.0f} s after start:\n"
                f"{read_text(out_path)}{read_text(log_path)}"
            )
    finally:
        stop_process(process, gently=False)
    check_output_clean("the kiosk", read_text(out_path))
    check_output_clean("the kiosk's log", read_text(log_path))
    if "out of service" in read_text(log_path):
        raise BuildError(f"the kiosk went out of service:\n{read_text(log_path)}")


def optional_commands() -> dict[str, str]:
    """The commands kiosk/cli/__init__.py adds only when their module imports (sandbox, run ...)."""
    source = (ROOT / "kiosk" / "cli" / "__init__.py").read_text(encoding="utf-8")
    found = re.findall(r'_add_optional\(\s*sub,\s*"([\w-]+)",\s*"([\w.]+)"', source)
    if not found:
        raise BuildError(
            "kiosk/cli/__init__.py adds no command with _add_optional(): update build.py"
        )
    return dict(found)


def smoke_test(bundle: Path, *, linger: float = 3.0, keep: bool = False) -> None:
    """Run the frozen programs against the frozen sandbox; BuildError on any failure."""
    cli = bundle / f"kiosk-cli{EXE_SUFFIX}"
    gui = bundle / f"kiosk{EXE_SUFFIX}"
    version = read_version()
    home = Path(tempfile.mkdtemp(prefix="kiosk-smoke-"))
    env = smoke_env(home)
    ok = False
    try:
        out = run_cli(cli, ["--version"], env, home)
        if out.strip() != f"kiosk {version}":
            raise BuildError(f"kiosk-cli --version printed {out.strip()!r}, not 'kiosk {version}'")
        # kiosk.cli drops a command whose module cannot be imported: a module the
        # bundle lacks would make `sandbox` or `run` vanish instead of failing.
        listed = run_cli(cli, ["--help"], env, home)
        missing = [c for c in optional_commands() if not re.search(rf"^\s+{c}\s", listed, re.M)]
        if missing:
            raise BuildError(f"kiosk-cli --help lacks {', '.join(missing)}:\n{listed}")
        with running_sandbox(cli, home / "sandbox", env) as config:
            run_cli(cli, ["--config", str(config), "register", "--trade-point", "1"], env, home)
            run_cli(cli, ["--config", str(config), "ping"], env, home)
            smoke_gui(gui, config, env, ready_timeout=60, linger=linger)
            # The journal the frozen kiosk made, read by the frozen operator tool.
            run_cli(cli, ["--config", str(config), "journal"], env, home)
        ok = True
    finally:
        if ok and not keep:
            shutil.rmtree(home, ignore_errors=True)
        else:
            say(f"smoke-test files kept in {home}")


# --- the installer --------------------------------------------------------------------------


def find_iscc() -> Path | None:
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return Path(found)
    for place in ISCC_PLACES:
        if (place / "ISCC.exe").is_file():
            return place / "ISCC.exe"
    return None


def iscc_command(
    iscc: Path,
    bundle: Path,
    output: Path,
    version: str,
    *,
    root: str = str(ROOT),
    iss: str = str(ISS),
) -> list[str]:
    """The iscc command line; root and iss as iscc sees them (Wine: Z:\\...)."""
    return [
        str(iscc),
        f"/DAppVersion={version}",
        f"/DAppVersionNumeric={windows_version(version)}",
        f"/DDistDir={bundle}",
        f"/DRootDir={root}",
        f"/O{output}",
        iss,
    ]


def package_installer(bundle: Path, output: Path, version: str) -> Path | None:
    """Run iscc (Windows only); the setup file, or None when it could not be made here."""
    if not WINDOWS:
        say("the Windows installer is made on Windows (installer/README.md); skipped here")
        return None
    iscc = find_iscc()
    if iscc is None:
        say("Inno Setup 6 not found: install it (winget install JRSoftware.InnoSetup), then run")
        say("  " + " ".join(iscc_command(Path("iscc"), bundle, output, version)))
        return None
    command = iscc_command(iscc, bundle, output, version)
    say("$ " + " ".join(command))
    result = subprocess.run(command, cwd=ROOT, check=False)
    if result.returncode != 0:
        raise BuildError(f"iscc failed with exit code {result.returncode} (output above)")
    made = sorted(output.glob(f"*{version}*setup.exe"), key=lambda p: p.stat().st_mtime)
    if not made:
        raise BuildError(f"iscc made no setup file in {output}")
    return made[-1]


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-smoke", action="store_true", help="build without the smoke test")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="default: dist/")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="default: build/")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument("--no-installer", action="store_true", help="do not run iscc")
    parser.add_argument(
        "--setup-dir", type=Path, help="where iscc writes the setup (default: DIST/installer)"
    )
    parser.add_argument(
        "--debug-console",
        action="store_true",
        help="the GUI executable gets a console (KIOSK_DEBUG_CONSOLE=1)",
    )
    parser.add_argument(
        "--no-trim",
        action="store_true",
        help="keep every Qt plugin and translation (to measure the trimming)",
    )
    parser.add_argument(
        "--linger",
        type=float,
        default=3.0,
        help="seconds the kiosk must stay up after it is ready (default 3)",
    )
    parser.add_argument("--keep-smoke-files", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    version = read_version()
    say(f"kiosk {version}, Python {sys.version.split()[0]}, {sys.platform}")
    started = time.monotonic()
    try:
        ensure_icons()
        bundle = run_pyinstaller(
            args.dist.resolve(),
            args.work.resolve(),
            clean=args.clean,
            debug_console=args.debug_console,
            trim=not args.no_trim,
        )
        built = time.monotonic()
        say(f"bundle {bundle}: {megabytes(bundle_size(bundle))}, built in {built - started:.0f} s")
        if args.skip_smoke:
            say("smoke test skipped (--skip-smoke)")
        else:
            smoke_test(bundle, linger=args.linger, keep=args.keep_smoke_files)
            say(f"smoke test passed in {time.monotonic() - built:.0f} s")
        if not args.no_installer:
            setup_dir = args.setup_dir or args.dist / "installer"
            setup = package_installer(bundle, setup_dir.resolve(), version)
            if setup is not None:
                say(f"installer {setup}: {megabytes(setup.stat().st_size)}")
    except BuildError as exc:
        say(f"FAILED: {exc}")
        return 1
    say(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
