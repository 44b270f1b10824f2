"""The customer's out-of-service code: the kind of problem, nothing of the reason's words."""

import pytest

from kiosk.payment.mode import OutOfServiceReason
from kiosk.payment.problems import problem_code


def test_the_code_names_the_kind_and_hides_the_reason() -> None:
    reason = "config: kaspi.key_password: must be text in quotes (the value is not shown)"
    code = problem_code(OutOfServiceReason.CONFIG, reason)
    assert code.startswith("CFG-") and len(code) == 8 and "kaspi" not in code
    # The same reason, the same code: the operator matches the screen with the log line.
    assert problem_code(OutOfServiceReason.CONFIG, reason) == code
    assert problem_code(OutOfServiceReason.CONFIG, reason + ".") != code
    journal = "The journal /data/journal.sqlite3 is missing"
    assert problem_code(OutOfServiceReason.JOURNAL, journal).startswith("JRN-")
    bank = "the bank does not answer: timeout"
    assert problem_code(OutOfServiceReason.BANK, bank).startswith("BANK-")


@pytest.mark.parametrize("cause", list(OutOfServiceReason))
def test_every_cause_has_a_code(cause: OutOfServiceReason) -> None:
    code = problem_code(cause, "why")
    assert code.split("-")[0].isupper() and code.split("-")[1].isdigit()
