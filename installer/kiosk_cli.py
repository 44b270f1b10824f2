"""Entry of the console `kiosk-cli` executable: the whole `kiosk` command for operators."""

from __future__ import annotations

import sys

from kiosk.platform.console import utf8_console

if __name__ == "__main__":
    utf8_console()  # before anything can print, even an import error
    from kiosk.cli import main

    sys.exit(main())
