"""What the customer sees of a problem: a code, never the reason itself.

The reason ("config: kaspi.key_password: …", a journal's path, a bank's answer)
is for the operator, in service mode and the log; the customer's
out-of-service screen shows only a short code that the log line carries too,
so the operator on the phone can match the two. The code is the kind of
problem and four digits of the reason's checksum: the same reason, the same code.
"""

from __future__ import annotations

import zlib

# First match wins; the reasons are the shell's own texts (kiosk.gui.shell).
_KINDS = (
    ("config:", "CFG"),
    ("the journal", "JRN"),
    ("journal", "JRN"),
    ("the bank", "BANK"),
    ("registering", "REG"),
    ("registration", "REG"),
    ("checking", "RCV"),
    ("recovery", "RCV"),
)


def problem_code(reason: str) -> str:
    """`CFG-0412`: the kind of problem and a digest of the reason, nothing of its words."""
    text = reason.strip().lower()
    kind = next((code for start, code in _KINDS if text.startswith(start)), "ERR")
    return f"{kind}-{zlib.crc32(reason.encode('utf-8')) % 10000:04d}"
