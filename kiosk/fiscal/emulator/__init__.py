"""An embedded Webkassa register for `kiosk sandbox`, demo mode and the tests (loopback HTTP)."""

from kiosk.fiscal.emulator.register import RegisterState
from kiosk.fiscal.emulator.server import FAULT_MODES, WebkassaEmulator

__all__ = ["FAULT_MODES", "RegisterState", "WebkassaEmulator"]
