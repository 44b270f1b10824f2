"""No secret reaches the log, even when an exception quotes it."""

import logging
from pathlib import Path

from kiosk.platform import logs


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


def test_the_metrics_token_is_a_secret_like_the_others(tmp_path: Path) -> None:
    """[metrics] token (added after the masking): known as a secret by the config, so masked."""
    from kiosk import config as cfg

    token = "prom-scrape-token-0123"
    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[kaspi]\ncert_file = "c.pfx"\n[metrics]\nenabled = true\n'
        f'token = "{token}"\n[host_api]\ntoken = "host-token-0123456789"\n',
        encoding="utf-8",
    )
    config = cfg.load(path)
    assert token in cfg.secret_values(config) and cfg.is_secret_key("metrics.token")
    logs.setup(
        level="DEBUG",
        log_dir=tmp_path / "logs",
        console_level="ERROR",
        secrets=cfg.secret_values(config),
    )
    log = logging.getLogger("kiosk.test")
    log.info("scrape with a bad bearer; expected %s", token)
    log.info("settings %s", {"token": token})
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = (tmp_path / "logs" / "kiosk.log").read_text(encoding="utf-8")
    logs.setup(console_level="ERROR")
    assert token not in text
    assert "expected ***" in text and "{'token': '***'}" in text
