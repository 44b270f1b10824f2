"""What the customer sees of a problem: a code, never the reason itself.

The reason ("config: kaspi.key_password: …", a journal's path, a bank's answer)
is for the operator, in service mode and the log; the customer's
out-of-service screen shows only a short code that the log line carries too,
so the operator on the phone can match the two. The code is the kind of problem
(the mode's cause, kiosk.payment.mode.OutOfServiceReason) and four digits of the
reason's checksum: the same reason, the same code.
"""

from __future__ import annotations

import zlib

from kiosk.payment.mode import OutOfServiceReason

_KINDS = {
    OutOfServiceReason.STARTING: "START",
    OutOfServiceReason.CONFIG: "CFG",
    OutOfServiceReason.JOURNAL: "JRN",
    OutOfServiceReason.REGISTRATION: "REG",
    OutOfServiceReason.RECOVERY: "RCV",
    OutOfServiceReason.BANK: "BANK",
    OutOfServiceReason.ADAPTER: "MDB",
}


def problem_code(cause: OutOfServiceReason, reason: str) -> str:
    """`CFG-0412`: the kind of problem and a digest of the reason, nothing of its words."""
    return f"{_KINDS[cause]}-{zlib.crc32(reason.encode('utf-8')) % 10000:04d}"
