"""Entry of the console `kiosk-cli` executable: the whole `kiosk` command for operators."""

from __future__ import annotations

import sys

from kiosk.cli import main

if __name__ == "__main__":
    sys.exit(main())
