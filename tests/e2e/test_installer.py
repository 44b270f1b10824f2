"""Packaging: the PyInstaller spec, its Qt hook, the launchers, the Inno Setup script, the build.

The fast tests execute the real spec with recording stand-ins for PyInstaller's
build classes and check what it asks for; the slow one runs installer/build.py
for real, which freezes the kiosk and smoke-tests the frozen programs against
the frozen sandbox over mutual TLS.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import runpy
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
SPEC = INSTALLER / "kiosk.spec"
ISS = INSTALLER / "kiosk.iss"
HOOK = INSTALLER / "hooks" / "hook-PySide6.QtGui.py"


def load(name: str) -> ModuleType:
    """A module of installer/ (not a package) by file name."""
    spec = importlib.util.spec_from_file_location(f"installer_{name}", INSTALLER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the spec, executed with stand-ins -----------------------------------------------------


class Recorded:
    """Stands in for PYZ, EXE and COLLECT: keeps what the spec passed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs


class FakeAnalysis(Recorded):
    """What Analysis would hold after a run: a runtime hook, the scripts, some data files."""

    def __init__(self, scripts: list[str], **kwargs: Any) -> None:
        super().__init__(scripts, **kwargs)
        rth = ("pyi_rth_pyside6", "/pyinstaller/rthooks/pyi_rth_pyside6.py", "PYSOURCE")
        self.scripts = [rth] + [(Path(s).stem, s, "PYSOURCE") for s in scripts]
        self.pure: list[tuple[str, str, str]] = []
        self.binaries = [
            (r"PySide6\opengl32sw.dll", r"C:\site\PySide6\opengl32sw.dll", "BINARY"),
            (r"PySide6\Qt6Gui.dll", r"C:\site\PySide6\Qt6Gui.dll", "BINARY"),
        ]
        self.datas = [
            (f"PySide6/Qt/translations/{name}", f"/qt/translations/{name}", "DATA")
            for name in (
                "qtbase_ru.qm",
                "qtbase_kk.qm",
                "qt_help_en.qm",
                "qtbase_de.qm",
                "qtbase_zh_CN.qm",
                "qt_ja.qm",
            )
        ] + [("certifi/cacert.pem", "/site/certifi/cacert.pem", "DATA")]


def run_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    pytest.importorskip("PyInstaller", reason="PyInstaller comes with the `build` extra")
    for name in ("KIOSK_DEBUG_CONSOLE", "KIOSK_NO_TRIM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the spec puts installer/ on it
    namespace: dict[str, Any] = {
        "SPECPATH": str(INSTALLER),
        "workpath": str(tmp_path / "work"),
        "DISTPATH": str(tmp_path / "dist"),
        "Analysis": FakeAnalysis,
        "PYZ": Recorded,
        "EXE": Recorded,
        "COLLECT": Recorded,
    }
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    return namespace


def kiosk_imports() -> set[str]:
    """Every module name the kiosk's source imports (absolute imports)."""
    names: set[str] = set()
    for path in (ROOT / "kiosk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_spec_builds_one_folder_with_a_windowed_kiosk_and_a_console_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ns = run_spec(tmp_path, monkeypatch)
    gui, cli, coll = ns["gui"], ns["cli"], ns["coll"]
    assert (gui.kwargs["name"], cli.kwargs["name"], coll.kwargs["name"]) == (
        "kiosk",
        "kiosk-cli",
        "kiosk",
    )
    assert gui.kwargs["console"] is False
    assert cli.kwargs["console"] is True
    for exe in (gui, cli):
        assert exe.kwargs["exclude_binaries"] is True  # one folder: binaries go to COLLECT
        assert exe.kwargs["upx"] is False
    assert coll.kwargs["upx"] is False
    assert gui in coll.args and cli in coll.args
    # Each executable runs PyInstaller's runtime hooks and its own entry script only.
    assert [s[0] for s in gui.args[1]] == ["pyi_rth_pyside6", "kiosk_gui"]
    assert [s[0] for s in cli.args[1]] == ["pyi_rth_pyside6", "kiosk_cli"]
    assert ns["VERSION"] == load("version_info").read_version()

    debug = run_spec(tmp_path, monkeypatch, KIOSK_DEBUG_CONSOLE="1")
    assert debug["gui"].kwargs["console"] is True


def test_spec_excludes_unused_qt_and_stdlib_but_nothing_the_kiosk_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ns = run_spec(tmp_path, monkeypatch)
    excludes = set(ns["a"].kwargs["excludes"])
    assert {
        "PySide6.QtNetwork",
        "PySide6.QtQml",
        "PySide6.QtQuick",
        "PySide6.QtSvg",
        "PySide6.QtPdf",
        "PySide6.QtWebEngineCore",
        "tkinter",
        "unittest",
        "pydoc",
        "test",
    } <= excludes
    imported = kiosk_imports()
    # An excluded module (or a parent package of one) the kiosk imports would be
    # missing from the frozen kiosk: a crash on the kiosk's screen, not at build time.
    clash = {
        name for name in imported if any(name == ex or name.startswith(f"{ex}.") for ex in excludes)
    }
    assert not clash, f"the spec excludes modules the kiosk imports: {sorted(clash)}"
    assert {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"} & imported


def test_spec_collects_commands_imported_by_name_and_the_example_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    analysis = run_spec(tmp_path, monkeypatch)["a"]
    hidden = set(analysis.kwargs["hiddenimports"])
    by_name = load("build").optional_commands()
    assert {"sandbox", "run"} <= set(by_name)
    for module in by_name.values():
        if importlib.util.find_spec(module) is not None:
            assert module in hidden, f"{module} is imported by name and must be a hidden import"
    datas = analysis.kwargs["datas"]
    assert (str(ROOT / "config" / "kiosk.example.toml"), "config") in datas
    assert all(Path(src).exists() for src, _dest in datas)
    # The bundled font and its licence travel with the kiosk (kiosk/gui/kit/fonts.py).
    fonts = {
        Path(src).name for src, dest in datas if dest.replace("\\", "/") == "kiosk/assets/fonts"
    }
    assert {"Inter-Regular.otf", "Inter-Bold.otf", "OFL.txt"} <= fonts
    assert (Path(analysis.kwargs["hookspath"][0]) / HOOK.name).is_file()


def test_spec_drops_foreign_qt_translations_and_software_opengl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    analysis = run_spec(tmp_path, monkeypatch)["a"]
    kept = {d[0].rsplit("/", 1)[-1] for d in analysis.datas}
    assert kept == {"qtbase_ru.qm", "qtbase_kk.qm", "qt_help_en.qm", "cacert.pem"}
    assert [b[0] for b in analysis.binaries] == [r"PySide6\Qt6Gui.dll"]
    untrimmed = run_spec(tmp_path, monkeypatch, KIOSK_NO_TRIM="1")["a"]
    assert (len(untrimmed.datas), len(untrimmed.binaries)) == (7, 2)


# --- the QtGui hook ------------------------------------------------------------------------

QT_BINARIES = [
    ("/qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms"),
    ("/qt/plugins/platforms/libqoffscreen.so", "PySide6/Qt/plugins/platforms"),
    (r"C:\qt\plugins\platforms\qwindows.dll", r"PySide6\plugins\platforms"),
    ("/qt/plugins/platforms/libqvnc.so", "PySide6/Qt/plugins/platforms"),
    ("/qt/plugins/platforms/libqwayland.so", "PySide6/Qt/plugins/platforms"),
    ("/qt/plugins/platformthemes/libqgtk3.so", "PySide6/Qt/plugins/platformthemes"),
    ("/qt/plugins/generic/libqevdevtouchplugin.so", "PySide6/Qt/plugins/generic"),
    ("/qt/plugins/imageformats/libqico.so", "PySide6/Qt/plugins/imageformats"),
    ("/qt/plugins/imageformats/libqsvg.so", "PySide6/Qt/plugins/imageformats"),
    (
        "/qt/plugins/xcbglintegrations/libqxcb-glx-integration.so",
        "PySide6/Qt/plugins/xcbglintegrations",
    ),
    ("/qt/lib/libQt6Gui.so.6", "PySide6/Qt/lib"),
]


def run_hook(monkeypatch: pytest.MonkeyPatch, **env: str) -> set[str]:
    qt = pytest.importorskip("PyInstaller.utils.hooks.qt")
    monkeypatch.delenv("KIOSK_NO_TRIM", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(qt, "add_qt6_dependencies", lambda _hook: ([], list(QT_BINARIES), []))
    binaries = runpy.run_path(str(HOOK))["binaries"]
    return {re.split(r"[/\\]", src)[-1] for src, _dest in binaries}


def test_qtgui_hook_keeps_only_the_plugins_the_kiosk_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run_hook(monkeypatch) == {
        "libqxcb.so",
        "libqoffscreen.so",
        "qwindows.dll",
        "libqico.so",
        "libqxcb-glx-integration.so",
        "libQt6Gui.so.6",
    }
    assert len(run_hook(monkeypatch, KIOSK_NO_TRIM="1")) == len(QT_BINARIES)


# --- the launcher and the version --------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ["run"]),
        (["--config", "k.toml", "--windowed"], ["--config", "k.toml", "run", "--windowed"]),
        (["-v", "--config=k.toml"], ["-v", "--config=k.toml", "run"]),
        (["demo", "--dir", "d"], ["demo", "--dir", "d"]),
        (["--config", "k.toml", "run"], ["--config", "k.toml", "run"]),
    ],
)
def test_windowed_launcher_runs_the_kiosk_by_default(argv: list[str], expected: list[str]) -> None:
    assert load("kiosk_gui").gui_argv(argv) == expected


def test_windowed_launcher_supervises_itself_for_the_autostart_task(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import kiosk.platform.winsys

    started: list[list[str]] = []
    monkeypatch.setattr(kiosk.platform.winsys, "supervise", lambda cmd: started.append(cmd) or 0)
    monkeypatch.setattr(sys, "argv", ["kiosk.exe", "--supervise", "--config", "k.toml"])
    monkeypatch.setattr(sys, "stdout", sys.stdout)
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    assert load("kiosk_gui").main() == 0
    assert started == [[sys.executable, "--config", "k.toml"]]


def test_windowed_launcher_command_line_parses_with_the_real_cli() -> None:
    from kiosk.cli import build_parser

    line = load("kiosk_gui").gui_argv(["--config", "k.toml", "--windowed"])
    args = build_parser().parse_args(line)
    assert (args.command, args.config, args.windowed) == ("run", "k.toml", True)


def test_version_resource_carries_the_package_version() -> None:
    import kiosk

    vi = load("version_info")
    assert vi.read_version() == kiosk.__version__
    assert vi.windows_version("1.2.3rc1") == "1.2.3.0"
    assert vi.version_tuple("2.10") == (2, 10, 0, 0)
    made: dict[str, Any] = {}

    def record(kind: str) -> Any:
        return lambda *args, **kwargs: made.setdefault(kind, []).append((args, kwargs)) or kind

    names = (
        "VSVersionInfo",
        "FixedFileInfo",
        "StringFileInfo",
        "StringTable",
        "StringStruct",
        "VarFileInfo",
        "VarStruct",
    )
    text = vi.version_text(kiosk.__version__, original_filename="kiosk.exe", description="K")
    assert eval(text, {name: record(name) for name in names}) == "VSVersionInfo"
    numbers = vi.version_tuple(kiosk.__version__)
    assert made["FixedFileInfo"][0][1]["filevers"] == numbers
    strings = dict(args for args, _kw in made["StringStruct"])
    assert strings["ProductVersion"] == kiosk.__version__
    assert strings["OriginalFilename"] == "kiosk.exe"


# --- the Inno Setup script -----------------------------------------------------------------


def iss_sections() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in ISS.read_text(encoding="utf-8-sig").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(";"):
            continue
        if re.fullmatch(r"\[\w+\]", stripped):
            current = stripped[1:-1]
            sections.setdefault(current, [])
        else:
            sections.setdefault(current, []).append(stripped)
    return sections


def iss_define(name: str) -> str:
    match = re.search(rf"#define {name} (.+)", ISS.read_text(encoding="utf-8-sig"))
    assert match, name
    return match.group(1).strip()


def iss_path(value: str) -> Path:
    """A Source path of the script, with RootDir at its default (the installer folder's ..)."""
    assert iss_define("RootDir") == '".."'
    return (INSTALLER / value.replace("{#RootDir}", "..").replace("\\", "/")).resolve()


def test_inno_script_sources_exist_and_match_the_spec() -> None:
    raw = ISS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads non-ASCII text only with a BOM"
    sections = iss_sections()
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["AppVersion"] == "{#AppVersion}"
    assert setup["DefaultDirName"] == r"{autopf}\{#AppName}"
    assert iss_define("AppName") == '"Kaspi QR Kiosk"'
    assert iss_path(setup["SetupIconFile"]).is_file()
    # The bundle the script packs is the spec's COLLECT: dist/kiosk.
    assert iss_define("DistDir") == r'RootDir + "\dist\kiosk"'
    sources = re.findall(r'Source: "([^"]+)"', "\n".join(sections["Files"]))
    assert r"{#DistDir}\*" in sources
    for source in sources:
        if "{#DistDir}" not in source:
            assert iss_path(source).is_file(), source
    exes = set(re.findall(r"\{app\}\\([\w-]+\.exe)", ISS.read_text(encoding="utf-8-sig")))
    assert exes == {"kiosk.exe", "kiosk-cli.exe"}


def test_inno_script_never_overwrites_or_removes_the_operators_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kiosk import config

    sections = iss_sections()
    data_dir = iss_define("DataDir")
    assert data_dir == r'"{commonappdata}\KaspiKiosk"'
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("PROGRAMDATA", "PD")
    assert config.default_data_dir().name == "KaspiKiosk"  # where the kiosk looks by default

    operator_config = [line for line in sections["Files"] if 'DestName: "kiosk.toml"' in line]
    assert len(operator_config) == 1
    assert re.search(r"Flags: .*\bonlyifdoesntexist\b", operator_config[0])
    assert re.search(r"Flags: .*\buninsneveruninstall\b", operator_config[0])
    dirs = sections["Dirs"]
    assert any(line.startswith(r'Name: "{#DataDir}\certs"') for line in dirs)
    for line in dirs:
        # Secrets and the journal: Administrators and SYSTEM, never the Users group.
        assert "uninsneveruninstall" in line and "Permissions: admins-full system-full" in line
        assert "users-" not in line and "everyone-" not in line and "authusers-" not in line
    assert "UninstallDelete" not in sections
    icons = "\n".join(sections["Icons"])
    for shortcut in ('"{group}\\Kiosk"', "KioskDemo", "ConfigFolder"):
        assert shortcut in icons
    run_key = [line for line in sections["Registry"] if "Tasks: autostart" in line]
    assert run_key and r"CurrentVersion\Run" in run_key[0] and "Root: HKLM" in run_key[0]
    assert '\\kiosk.exe"" --supervise"' in run_key[0]  # restarted after a crash
    assert 'Name: "autostart"' in sections["Tasks"][0]


def test_build_script_passes_the_package_version_to_iscc(tmp_path: Path) -> None:
    import kiosk

    build = load("build")
    command = build.iscc_command(Path("iscc"), tmp_path / "dist" / "kiosk", tmp_path, "1.2.3")
    assert "/DAppVersion=1.2.3" in command and "/DAppVersionNumeric=1.2.3.0" in command
    assert f"/DDistDir={tmp_path / 'dist' / 'kiosk'}" in command
    assert command[-1] == str(ISS)
    assert build.read_version() == kiosk.__version__


# --- the real build ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_build_and_smoke_test(tmp_path: Path) -> None:
    """PyInstaller freezes the kiosk and build.py's smoke test passes (about 30 s on 2 cores)."""
    pytest.importorskip("PyInstaller", reason="PyInstaller comes with the `build` extra")
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            str(INSTALLER / "build.py"),
            "--dist",
            str(tmp_path / "dist"),
            "--work",
            str(tmp_path / "work"),
            "--no-installer",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "smoke test passed" in output, output
    bundle = tmp_path / "dist" / "kiosk"
    suffix = ".exe" if sys.platform == "win32" else ""
    assert (bundle / f"kiosk{suffix}").is_file() and (bundle / f"kiosk-cli{suffix}").is_file()
    plugins = {p.name for p in bundle.rglob("*") if "plugins" in p.parts and p.is_file()}
    assert any("qoffscreen" in name for name in plugins)
    assert not any(re.search(r"qvnc|qeglfs|qwayland|qgtk3|qsvg", n) for n in plugins), plugins
    assert not (bundle / "_internal" / "PIL").exists()
    print(f"build + smoke test: {time.monotonic() - started:.0f} s")


# --- the Windows build under Wine (installer/windows.py) ------------------------------------


def test_windows_build_installs_the_projects_dependencies_and_build_extra_for_windows() -> None:
    import tomllib

    windows = load("windows")
    wanted = windows.windows_requirements()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # The `build` extra exists (installer/README.md tells Windows builders to install it).
    assert any(r.startswith("pyinstaller") for r in project["optional-dependencies"]["build"])
    assert "kaspi-kiosk[build]" in project["optional-dependencies"]["dev"]
    assert set(project["dependencies"]) <= set(wanted)
    assert {"pefile", "pywin32-ctypes", "colorama"} <= set(wanted)
    assert any(r.startswith("pyinstaller") for r in wanted)


def test_windows_build_paths_and_apt_pin() -> None:
    windows = load("windows")
    assert windows.windows_path(Path("/tmp/k dir/a.toml")) == r"Z:\tmp\k dir\a.toml"
    assert (
        "l=Debian-Security" in windows.APT_PIN_TEXT and "Pin-Priority: 100" in windows.APT_PIN_TEXT
    )
    env = windows.wine_env(":20")
    assert env["WINEPREFIX"].endswith("/.wine-build/prefix") and env["DISPLAY"] == ":20"
    assert not any(k.startswith(("PYTHON", "KIOSK_", "QT_")) for k in env)
    assert "DISPLAY" not in windows.wine_env()
    gitignore = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "/.wine-build/" in gitignore
