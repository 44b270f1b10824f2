"""Fixtures shared by every test folder."""

from helpers.kiosk import fast_sandbox, start_kiosk
from helpers.sandbox import sandbox, sandbox_factory, sandbox_pki

from kiosk import i18n

# A text id missing from the catalogue is a bug: fail the test that shows it.
i18n.set_strict(True)

__all__ = ["fast_sandbox", "sandbox", "sandbox_factory", "sandbox_pki", "start_kiosk"]
