"""The kiosk's version for the packaging, read from kiosk/__init__.py; the Windows version resource.

The version lives in one place, ``kiosk.__version__``. The spec, the build
script and (through ``/DAppVersion``) the Inno Setup script read it here
without importing the package, so packaging never runs kiosk code.
Only the standard library is used, so the build script and the tests can use
it without PyInstaller.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCT = "Kaspi QR Kiosk"
COMPANY = "Kaspi QR Kiosk"
DESCRIPTION = "Self-service payment kiosk for Kaspi QR"


def read_version(root: Path = ROOT) -> str:
    """``__version__`` from kiosk/__init__.py, parsed, not imported."""
    source = (root / "kiosk" / "__init__.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise ValueError("kiosk/__init__.py has no __version__ = '...' line")


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """The four numbers Windows wants: "1.2.3rc1" -> (1, 2, 3, 0); a missing part is 0."""
    numbers = [int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3]]
    while len(numbers) < 4:
        numbers.append(0)
    return numbers[0], numbers[1], numbers[2], numbers[3]


def windows_version(version: str) -> str:
    """Dotted four-part version for Inno Setup's VersionInfoVersion: "0.1.0" -> "0.1.0.0"."""
    return ".".join(str(n) for n in version_tuple(version))


def version_text(version: str, *, original_filename: str, description: str) -> str:
    """A Windows version resource in PyInstaller's text form (what ``pyi-grab_version`` writes).

    The text, not a ``VSVersionInfo`` object: building the object needs ``pefile``,
    which PyInstaller installs only on Windows, and the text can be checked anywhere.
    """
    numbers = version_tuple(version)
    strings = {
        "CompanyName": COMPANY,
        "FileDescription": description,
        "FileVersion": version,
        "InternalName": original_filename.rsplit(".", 1)[0],
        "LegalCopyright": f"\u00a9 {COMPANY}",
        "OriginalFilename": original_filename,
        "ProductName": PRODUCT,
        "ProductVersion": version,
    }
    table = ",\n".join(
        f"          StringStruct({key!r}, {value!r})" for key, value in strings.items()
    )
    return f"""# UTF-8
# Written by installer/version_info.py from kiosk/__init__.py; do not edit.
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers!r},
    prodvers={numbers!r},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      # 0x0409 = US English, 0x04B0 = Unicode: the pair Windows looks up first.
      StringTable('040904B0', [
{table}
      ])
    ]),
    VarFileInfo([VarStruct('Translation', [0x0409, 0x04B0])])
  ]
)
"""


def write_version_file(
    directory: Path, version: str, *, original_filename: str, description: str
) -> Path:
    """version_text() in a file for EXE(version=...); its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{original_filename.rsplit('.', 1)[0]}-version.txt"
    text = version_text(version, original_filename=original_filename, description=description)
    path.write_text(text, encoding="utf-8")
    return path
