"""The service PIN: a salted hash in the file; tries and a lock-out that grows, with time passed
in, logged without the PIN."""

from __future__ import annotations

import logging
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk import config as cfg
from kiosk.config import ConfigError
from kiosk.operator.access import (
    FIRST_DELAY,
    FREE_TRIES,
    MAX_DELAY,
    PinError,
    PinLock,
    PinVerdict,
    check_stored,
    hash_pin,
    verify,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


CHEAP = {"n": 2**4, "r": 1, "p": 1}  # the same code, a test-sized cost
STORED = hash_pin("2468", **CHEAP)


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
    lock = PinLock(STORED, clock=clock)
    caplog.set_level(logging.INFO, "kiosk.service")
    assert [lock.check("0000").verdict for _ in range(2)] == [PinVerdict.WRONG] * 2
    assert not lock.is_locked() and lock.tries_left == 1
    waits = []
    for _ in range(8):
        answer = lock.check("0000")
        assert answer.verdict is PinVerdict.LOCKED and answer.locked_for == lock.locked_for()
        waits.append(lock.locked_for())
        # Not even compared while waiting.
        assert lock.check("2468").verdict is PinVerdict.LOCKED
        clock.now += lock.locked_for()
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]
    assert (FIRST_DELAY, MAX_DELAY) == (30, 900)
    assert lock.check("2468").verdict is PinVerdict.OPEN
    assert lock.failures == 0 and lock.tries_left == FREE_TRIES
    lockouts = [r for r in caplog.records if "locked out" in r.getMessage()]
    assert len(lockouts) == 8 and lockouts[0].levelno == logging.WARNING
    assert not any("0000" in r.getMessage() or "2468" in r.getMessage() for r in caplog.records)


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


def test_right_pin_opens_and_resets_the_tries() -> None:
    lock = PinLock(STORED, clock=Clock())
    assert lock.check("1111").verdict is PinVerdict.WRONG
    assert lock.tries_left == FREE_TRIES - 1
    assert lock.check("2468").verdict is PinVerdict.OPEN
    assert lock.tries_left == FREE_TRIES


def test_wrong_tries_count_down_then_lock_out_until_the_time_is_up() -> None:
    clock = Clock()
    lock = PinLock(STORED, clock=clock)
    answers = [lock.check("0000") for _ in range(FREE_TRIES)]
    assert [a.tries_left for a in answers[:-1]] == list(range(FREE_TRIES - 1, 0, -1))
    assert answers[-1].verdict is PinVerdict.LOCKED
    assert answers[-1].locked_for == FIRST_DELAY
    # Locked: even the right PIN is not compared.
    assert lock.check("2468").verdict is PinVerdict.LOCKED
    clock.now += FIRST_DELAY - 0.5
    assert lock.is_locked() and lock.locked_seconds_shown() == 1
    clock.now += 0.5
    assert not lock.is_locked() and lock.locked_for() == 0.0
    # The free tries are used up: the next wrong PIN shuts the pad again, for longer.
    assert lock.tries_left == 0
    assert lock.check("0000").locked_for == 2 * FIRST_DELAY
    clock.now += 2 * FIRST_DELAY
    assert lock.check("2468").verdict is PinVerdict.OPEN
    assert lock.tries_left == FREE_TRIES


def test_an_empty_pin_matches_nothing() -> None:
    lock = PinLock("", clock=Clock())
    assert not lock.configured
    assert lock.check("").verdict is PinVerdict.SHORT  # no PIN is this short: not a try either
    assert lock.check("1234").verdict is PinVerdict.WRONG


def test_an_entry_shorter_than_any_pin_is_not_a_try() -> None:
    lock = PinLock(STORED, clock=Clock())
    for short in ("", "2", "24", "246"):
        answer = lock.check(short)
        assert answer.verdict is PinVerdict.SHORT and answer.tries_left == FREE_TRIES
    assert lock.failures == 0 and not lock.is_locked()
    assert lock.check("2468").verdict is PinVerdict.OPEN
    assert lock.check("24680").verdict is PinVerdict.WRONG  # as long as a PIN can be: a try


def test_a_new_pin_keeps_the_lock_out() -> None:
    clock = Clock()
    lock = PinLock(STORED, clock=clock, free_tries=2, first_delay=10)
    lock.check("1111")
    lock.check("2222")
    lock.set_pin(hash_pin("1357", **CHEAP))
    assert lock.check("1357").verdict is PinVerdict.LOCKED
    clock.now += 10
    assert lock.check("2468").verdict is PinVerdict.LOCKED  # the old PIN no longer opens
    clock.now += 20
    assert lock.check("1357").verdict is PinVerdict.OPEN


def test_a_damaged_stored_hash_opens_nothing() -> None:
    lock = PinLock("scrypt$16$1$1$!!$!!", clock=Clock())
    assert lock.configured
    assert lock.check("2468").verdict is PinVerdict.WRONG
