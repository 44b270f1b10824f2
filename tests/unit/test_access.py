"""The service PIN lock: tries, lock-out and its end, with time passed in."""

from __future__ import annotations

from kiosk.access import LOCKOUT_SECONDS, MAX_TRIES, PinLock, PinVerdict


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_right_pin_opens_and_resets_the_tries() -> None:
    lock = PinLock("2468", clock=Clock())
    assert lock.check("1111").verdict is PinVerdict.WRONG
    assert lock.tries_left == MAX_TRIES - 1
    assert lock.check("2468").verdict is PinVerdict.OPEN
    assert lock.tries_left == MAX_TRIES


def test_wrong_tries_count_down_then_lock_out_until_the_time_is_up() -> None:
    clock = Clock()
    lock = PinLock("2468", clock=clock)
    answers = [lock.check("0000") for _ in range(MAX_TRIES)]
    assert [a.tries_left for a in answers[:-1]] == list(range(MAX_TRIES - 1, 0, -1))
    assert answers[-1].verdict is PinVerdict.LOCKED
    assert answers[-1].locked_for == LOCKOUT_SECONDS
    # Locked: even the right PIN is not compared.
    assert lock.check("2468").verdict is PinVerdict.LOCKED
    clock.now += LOCKOUT_SECONDS - 0.5
    assert lock.is_locked() and lock.locked_seconds_shown() == 1
    clock.now += 0.5
    assert not lock.is_locked() and lock.locked_for() == 0.0
    assert lock.tries_left == MAX_TRIES
    assert lock.check("2468").verdict is PinVerdict.OPEN


def test_an_empty_pin_matches_nothing() -> None:
    lock = PinLock("", clock=Clock())
    assert not lock.configured
    assert lock.check("").verdict is PinVerdict.WRONG
    assert lock.check("1234").verdict is PinVerdict.WRONG


def test_a_new_pin_keeps_the_lock_out() -> None:
    clock = Clock()
    lock = PinLock("2468", clock=clock, max_tries=2, lockout_seconds=10)
    lock.check("1")
    lock.check("2")
    lock.set_pin("1357")
    assert lock.check("1357").verdict is PinVerdict.LOCKED
    clock.now += 10
    assert lock.check("2468").verdict is PinVerdict.WRONG
    assert lock.check("1357").verdict is PinVerdict.OPEN
