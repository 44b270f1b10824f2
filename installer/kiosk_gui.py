"""Entry of the windowed `kiosk` executable: `kiosk run` (or `kiosk demo`) without a console.

A windowed Windows executable has no stdout or stderr (they are None), and
the first print or log line to them would raise; they go to the null device
instead, since the kiosk logs to files in its data folder. Options the `run`
command does not know (`--config`, `-v`) are put before it, so a shortcut can
say `kiosk.exe --config D:\\kiosk.toml --windowed`.
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
    from kiosk.console import utf8_console

    utf8_console()  # a console build (--debug-console) prints like kiosk-cli
    from kiosk.cli import main as kiosk_main

    return kiosk_main(gui_argv(sys.argv[1:]))


if __name__ == "__main__":
    sys.exit(main())
