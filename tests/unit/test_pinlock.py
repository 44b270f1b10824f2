"""The service PIN: a salted hash in the file; a lock-out that grows, logged without the PIN."""

from __future__ import annotations

import logging
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk import config as cfg
from kiosk.config import ConfigError
from kiosk.pinlock import (
    FIRST_DELAY,
    MAX_DELAY,
    Attempt,
    Lockout,
    PinError,
    check_stored,
    hash_pin,
    verify,
)

CHEAP = {"n": 2**4, "r": 1, "p": 1}  # the same code, a test-sized cost


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_hash_carries_its_parameters_and_a_salt() -> None:
    stored = hash_pin("4812")
    kind, n, r, p, salt, digest = stored.split("$")
    assert (kind, n, r, p) == ("scrypt", "16384", "8", "1") and salt and digest
    assert "4812" not in stored and hash_pin("4812") != stored  # salted: never the same twice
    assert verify(stored, "4812") and not verify(stored, "4813") and not verify(stored, "")


@pytest.mark.parametrize("bad", ["", "123", "12345678901234", "12a4", "١٢٣٤"])
def test_a_pin_must_be_4_to_12_ascii_digits(bad: str) -> None:
    with pytest.raises(PinError):
        hash_pin(bad, **CHEAP)


@pytest.mark.parametrize(
    "stored",
    ["4812", "scrypt$16$1$1$!!$!!", "md5$abc", "scrypt$15$1$1$AAAA$AAAAAAAAAAAAAAAAAAAAAA=="],
)
def test_a_plain_pin_or_a_damaged_hash_is_refused_and_never_matches(stored: str) -> None:
    with pytest.raises(PinError, match="kiosk set-pin"):
        check_stored(stored)
    assert not verify(stored, "4812")


def test_a_plain_pin_in_the_config_is_refused_with_how_to_set_it(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[kaspi]\ncert_file = "c.pfx"\n[kiosk]\nservice_pin = "4812"\n', "utf-8")
    with pytest.raises(ConfigError) as info:
        cfg.load(path)
    assert info.value.key == "kiosk.service_pin"
    assert "kiosk set-pin" in str(info.value) and "4812" not in str(info.value)


def test_the_lockout_grows_and_caps(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    lock = Lockout(clock)
    stored = hash_pin("4812", **CHEAP)
    caplog.set_level(logging.INFO, "kiosk.service")
    assert [lock.attempt(stored, "0000") for _ in range(2)] == [Attempt.WRONG] * 2
    assert lock.wait_left() == 0 and lock.tries_left() == 1
    waits = []
    for _ in range(8):
        assert lock.attempt(stored, "0000") is Attempt.WRONG
        waits.append(lock.wait_left())
        assert lock.attempt(stored, "4812") is Attempt.LOCKED  # not even checked while waiting
        clock.now += lock.wait_left()
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]
    assert (FIRST_DELAY, MAX_DELAY) == (30, 900)
    assert lock.attempt(stored, "4812") is Attempt.OPENED
    assert lock.failures == 0 and lock.tries_left() == 3
    lockouts = [r for r in caplog.records if "locked out" in r.getMessage()]
    assert len(lockouts) == 8 and lockouts[0].levelno == logging.WARNING
    assert not any("0000" in r.getMessage() or "4812" in r.getMessage() for r in caplog.records)


def test_set_pin_writes_a_hash_and_keeps_the_comments(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        "# the operator's notes\n[kaspi]\ncert_file = \"c.pfx\"  # the bank's PFX\n"
        '[kiosk]\nservice_pin = "4812"  # plain, refused\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(path), "set-pin", "--stdin"],
        input="97531\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "97531" not in done.stdout + done.stderr
    text = path.read_text(encoding="utf-8")
    assert "# the operator's notes" in text and "# the bank's PFX" in text
    stored = tomllib.loads(text)["kiosk"]["service_pin"]
    assert verify(stored, "97531") and "97531" not in text
    cfg.load(path)  # valid now


def test_set_pin_refuses_a_bad_pin_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\nservice_pin = ""\n', encoding="utf-8")
    before = path.read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(path), "set-pin", "--stdin"],
        input="12\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "4 to 12 digits" in done.stderr
    assert path.read_bytes() == before
