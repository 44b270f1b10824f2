"""The customer's out-of-service code: the kind of problem, nothing of the reason's words."""

from kiosk.problems import problem_code


def test_the_code_names_the_kind_and_hides_the_reason() -> None:
    reason = "config: kaspi.key_password: must be text in quotes (the value is not shown)"
    code = problem_code(reason)
    assert code.startswith("CFG-") and len(code) == 8 and "kaspi" not in code
    assert problem_code(reason) == code  # the same reason, the same code: matched in the log
    assert problem_code("The journal /data/journal.sqlite3 is missing").startswith("JRN-")
    assert problem_code("the bank does not answer: timeout").startswith("BANK-")
    assert problem_code("something new").startswith("ERR-")
