"""Run blocking work (HTTP, disk) off the GUI thread and get the result back on it.

Worker code never touches widgets: it returns a value or raises, and the
callback runs on the GUI thread through a queued signal (Electrum's
TaskThread.doneSig, Anki's QueryOp).

A closed worker takes no more jobs and says so in the log: closing the kiosk
runs teardown code that may ask a worker for one more job (a second quit, a
ping whose timer fired as the window closed), and that must not become
"RuntimeError: cannot schedule new futures after shutdown" on the console.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

log = logging.getLogger("kiosk.gui.kit.worker")

T = TypeVar("T")
#: `on_done(result, error)`: the job's value and None, or None and what it raised.
Done = Callable[[T | None, BaseException | None], None]


class Worker(QObject):
    """A single background thread; jobs run one at a time, in order.

    Signals:
        finished(object): the job's callback, bound to its outcome, queued to the GUI thread.
    """

    # A Python callable crosses the thread only as `object` (Qt forces it); the slot says
    # what it is. Bound on the worker, it keeps the job's result type to the callback.
    finished = Signal(object)

    def __init__(self, name: str = "kiosk-worker", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._closed = False
        self.finished.connect(self._on_finished)

    def submit(self, job: Callable[[], T], on_done: Done[T]) -> Future[T | None]:
        """Run `job()` in the background; `on_done(result, error)` runs on the GUI thread.

        After close() the job is dropped (never run, never called back) and the
        returned future is already cancelled.
        """
        if self._closed:
            log.debug("%s is closed; a job was dropped", self._name)
            return _dropped()

        def wrapped() -> T | None:
            try:
                result = job()
            except Exception as exc:  # noqa: BLE001 (handed to on_done; the thread must survive)
                self.finished.emit(partial(on_done, None, exc))
                return None
            self.finished.emit(partial(on_done, result, None))
            return result

        try:
            return self._pool.submit(wrapped)
        except RuntimeError:
            # The interpreter is exiting: concurrent.futures has shut every pool down
            # (its atexit hook), though close() was never called. Same as closed.
            log.debug("%s: the interpreter is exiting; a job was dropped", self._name)
            self._closed = True
            return _dropped()

    def _on_finished(self, call_back: Callable[[], None]) -> None:
        if self._closed:
            return
        call_back()

    def drain(self) -> None:
        """Wait until every job submitted so far has run (their callbacks may still be queued).

        On a closed worker there is nothing left to wait for (close waited or cancelled).
        """
        if self._closed:
            return
        try:
            self._pool.submit(lambda: None).result()
        except RuntimeError:  # the interpreter is exiting (see submit)
            self._closed = True

    def close(self, wait: bool = True) -> None:
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)


def _dropped() -> Future[T | None]:
    """A future for a job that will never run."""
    future: Future[T | None] = Future()
    future.cancel()
    return future
