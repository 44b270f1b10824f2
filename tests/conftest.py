"""Fixtures shared by every test folder."""

from helpers.kiosk import fast_sandbox, start_kiosk
from helpers.sandbox import sandbox, sandbox_factory, sandbox_pki

__all__ = ["fast_sandbox", "sandbox", "sandbox_factory", "sandbox_pki", "start_kiosk"]
