"""The worker after close: no "cannot schedule new futures after shutdown" when the kiosk closes."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from kiosk.gui.worker import Worker


def test_a_closed_worker_drops_jobs_and_drains_without_raising(qtbot: QtBot) -> None:
    worker = Worker("test-closed")
    answers: list[Any] = []
    worker.submit(lambda: 1, lambda result, error: answers.append(result))
    qtbot.waitUntil(lambda: answers == [1])
    worker.close()
    ran: list[int] = []
    future = worker.submit(lambda: ran.append(1), lambda *_: answers.append("late"))
    assert future.cancelled()
    worker.drain()  # a second teardown drains again
    worker.close()  # and closes again
    qtbot.wait(50)
    assert ran == [] and answers == [1]
