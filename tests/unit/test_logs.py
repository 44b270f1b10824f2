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


def test_a_short_pin_never_garbles_amounts_or_ids_but_is_masked_where_it_is_named(
    tmp_path: Path,
) -> None:
    pin, key = "4812", "test_9f8e7d6c5b4a"
    logs.setup(level="DEBUG", log_dir=tmp_path, console_level="ERROR", secrets=[pin, key])
    log = logging.getLogger("kiosk.test")
    log.info("sale 6: 4812.00 ₸ from host, external id order-4812")
    log.info("config line: service_pin = %r", pin)
    log.info("request headers %s", {"Api-Key": key, "Accept": "application/json"})
    log.info("Authorization: Bearer %s", "host-token-1234567890")
    log.info("settings %s", {"key_password": "pw", "token": "short"})
    log.info("kaspi.key_password: must be text in quotes")
    for handler in logging.getLogger().handlers:
        handler.flush()
    lines = (tmp_path / "kiosk.log").read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith("sale 6: 4812.00 ₸ from host, external id order-4812")
    assert lines[1].endswith("service_pin = '***'")
    assert lines[2].endswith("{'Api-Key': '***', 'Accept': 'application/json'}")
    assert lines[3].endswith("Authorization: Bearer ***")
    assert lines[4].endswith("{'key_password': '***', 'token': '***'}")
    assert lines[5].endswith("kaspi.key_password: must be text in quotes")  # a key, no value
    logs.setup(console_level="ERROR")


def test_a_long_secret_is_masked_as_a_whole_word_only() -> None:
    mask = logs.SecretMask(["pfx-password-1"])
    assert mask.mask("wrong password pfx-password-1 for file") == "wrong password *** for file"
    assert mask.mask("xpfx-password-12") == "xpfx-password-12"  # another word, not this secret
