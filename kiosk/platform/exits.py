"""The kiosk process's exit codes: one table for the commands, the window and the restarter.

    0  success (for `pay`: the payment is Processed)
    1  the payment, refund or lookup did not happen (declined, timed out, no such sale)
    2  usage or configuration error (the line names the config key)
    3  the bank answered with an error (StatusCode, HTTP status, bad answer)
    4  network or TLS failure: the bank could not be reached or the handshake failed
    5  the outcome is unknown: the bank could not be asked in time
    6  another kiosk already runs on this config (`kiosk run`)
  130  interrupted (Ctrl+C)

A controller's script, the Windows restarter (`--supervise`) and the installer's proofs
read these numbers, so they are a contract: a number never changes meaning.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_NOT_PAID = 1
EXIT_FAILED = EXIT_NOT_PAID  # the same code for "it did not happen" outside payments
EXIT_USAGE = 2
EXIT_API = 3
EXIT_NETWORK = 4
EXIT_UNKNOWN = 5
#: The restarter does not start the kiosk again after this one.
EXIT_ALREADY_RUNNING = 6
EXIT_INTERRUPTED = 130
