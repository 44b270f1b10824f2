"""Entry of the windowed `kiosk` executable: `kiosk run` (or `kiosk demo`) without a console.

A windowed Windows executable has no stdout or stderr (they are None), and
the first print or log line to them would raise; they go to the null device
instead, since the kiosk logs to files in its data folder. Options the `run`
command does not know (`--config`, `-v`) are put before it, so a shortcut can
say `kiosk.exe --config D:\\kiosk.toml --windowed`. `kiosk.exe --supervise [ARGS]` runs
`kiosk.exe [ARGS]` and starts it again after a crash (kiosk/platform/winsys.py).
"""

from __future__ import annotations

import os
import sys

#: Commands the windowed executable may run; anything else is `run`'s arguments.
GUI_COMMANDS = ("run", "demo")
_GLOBAL_WITH_VALUE = ("--config",)
_GLOBAL_FLAGS = ("-v", "--verbose")


def gui_argv(argv: list[str]) -> list[str]:
    """The `kiosk` command line for the windowed executable's arguments."""
    if any(arg in GUI_COMMANDS for arg in argv) or any(
        arg in ("-h", "--help", "--version") for arg in argv
    ):
        return list(argv)
    before: list[str] = []
    after: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg in _GLOBAL_WITH_VALUE:
            before += [arg, next(args, "")]
        elif arg.startswith(tuple(f"{name}=" for name in _GLOBAL_WITH_VALUE)) or (
            arg in _GLOBAL_FLAGS
        ):
            before.append(arg)
        else:
            after.append(arg)
    return [*before, "run", *after]


def main() -> int:
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    from kiosk.platform.console import utf8_console

    utf8_console()  # a console build (--debug-console) prints like kiosk-cli
    argv = sys.argv[1:]
    if argv[:1] == ["--supervise"]:
        from kiosk.platform.winsys import supervise

        # The autostart task's command: this executable again, restarted after a crash.
        return supervise([sys.executable, *argv[1:]])
    from kiosk.cli import main as kiosk_main

    return kiosk_main(gui_argv(argv))


if __name__ == "__main__":
    sys.exit(main())
