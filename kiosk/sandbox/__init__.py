"""An embedded Kaspi QR test bank: three HTTPS ports that behave like the bank's test host.

`Sandbox(data_dir).start()` (kiosk.sandbox.bank) serves scheme basic (r1,
Api-Key), standard (r2, mutual TLS) and enhanced (r3, mutual TLS + BIN) and
writes a ready kiosk config per scheme. The parts: state.py is the bank's
memory and its StatusCodes, routes.py the HTTP endpoints, listener.py the TLS
ports, service.py what the ports share, pki.py the certificates.
"""

from kiosk.kaspi.settings import SCHEMES
from kiosk.sandbox.bank import Sandbox
from kiosk.sandbox.listener import PortInUseError, SandboxError
from kiosk.sandbox.service import RequestRecord
from kiosk.sandbox.state import DEFAULT_PORTS, BankError, Behaviour

__all__ = [
    "DEFAULT_PORTS",
    "SCHEMES",
    "BankError",
    "Behaviour",
    "PortInUseError",
    "RequestRecord",
    "Sandbox",
    "SandboxError",
]
