"""An embedded Webkassa register for `kiosk sandbox`, demo mode and the tests (loopback HTTP)."""

from kiosk.fiscal.emulator.register import RegisterState
from kiosk.fiscal.emulator.server import DEFAULT_PORT, FAULT_MODES, WebkassaEmulator, start_embedded

__all__ = ["DEFAULT_PORT", "FAULT_MODES", "RegisterState", "WebkassaEmulator", "start_embedded"]
