"""No secret reaches the log, even when an exception quotes it."""

import logging
from pathlib import Path

from kiosk import logs


def test_secrets_are_masked_in_messages_and_tracebacks(tmp_path: Path) -> None:
    logs.setup(
        level="DEBUG",
        log_dir=tmp_path,
        console_level="ERROR",
        secrets=["test_9f8e7d6c5b4a", "pfx-password-1"],
    )
    log = logging.getLogger("kiosk.test")
    log.info("header Api-Key: %s", "test_9f8e7d6c5b4a")
    try:
        raise RuntimeError("wrong password pfx-password-1 for file")
    except RuntimeError:
        log.exception("failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = (tmp_path / "kiosk.log").read_text(encoding="utf-8")
    assert "test_9f8e7d6c5b4a" not in text and "pfx-password-1" not in text
    assert text.count("***") >= 2
    assert "RuntimeError" in text  # the traceback itself is kept
    logs.setup(console_level="ERROR")


def test_short_values_are_not_masked() -> None:
    mask = logs.SecretMask(["abc", ""])
    assert mask.mask("abc") == "abc"  # too short to be a secret worth masking everywhere
