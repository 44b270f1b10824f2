"""QtGui's hook with the Qt plugins the kiosk does not load left out (overrides PyInstaller's).

PyInstaller's hook collects every plugin type QtGui may use: all platform
plugins (eglfs, vnc, wayland, linuxfb ...), input generics (evdev, TUIO),
platform themes (gtk3, which drags GTK's libraries in), SVG icon engines and
every image format. Trimming here, before the dependency analysis, also
keeps out the libraries only those plugins need, which filtering the finished
Analysis could not. KIOSK_NO_TRIM=1 builds with the stock selection, to
measure the difference.
"""

from __future__ import annotations

import os
import re

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

#: plugin type -> kept plugin names (None: all of that type); types not listed are left out.
KEPT: dict[str, set[str] | None] = {
    # Each platform has its native one; offscreen serves the smoke test and CI, minimal debugging.
    "platforms": {"qwindows", "qxcb", "qcocoa", "qoffscreen", "qminimal"},
    # Window icons and photos an operator may configure; PNG and BMP are built into QtGui.
    "imageformats": {"qico", "qjpeg", "qgif"},
    "xcbglintegrations": None,  # OpenGL under X11
    "accessiblebridge": None,
    # Dead keys on an X11 keyboard in the service screen.
    "platforminputcontexts": {"composeplatforminputcontextplugin"},
}


def _plugin(dest_dir: str, src: str) -> tuple[str, str] | None:
    """(type, name) of a Qt plugin file, None for any other binary."""
    parts = re.split(r"[/\\]", dest_dir)
    if "plugins" not in parts or parts.index("plugins") + 1 >= len(parts):
        return None
    name = re.split(r"[/\\]", src)[-1].split(".")[0]
    if name.startswith("lib"):
        name = name[3:]
    return parts[parts.index("plugins") + 1], name


def _kept(entry: tuple[str, str]) -> bool:
    plugin = _plugin(entry[1], entry[0])
    if plugin is None:
        return True
    kind, name = plugin
    if kind not in KEPT:
        return False
    names = KEPT[kind]
    return names is None or name in names


hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
if os.environ.get("KIOSK_NO_TRIM") != "1":
    binaries = [entry for entry in binaries if _kept(entry)]
