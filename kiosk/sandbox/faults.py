"""Faults an emulator was told to inject, each taken by the requests whose path it matches.

The bank's sandbox and the embedded fiscal register inject faults the same way: a fault
applies to the next `remaining` matching requests (None: until cleared).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass
class Fault:
    mode: str
    remaining: int | None  # None: until cleared
    path_contains: str = ""
    delay: float = 3.0

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "count": self.remaining or 0,
            "path_contains": self.path_contains,
            "delay": self.delay,
        }


class FaultQueue:
    """The faults waiting for requests; safe to use from the servers' request threads."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, path: str) -> Fault | None:
        """The first fault `path` matches, counted down (and gone when used up)."""
        with self._lock:
            for fault in self._faults:
                if fault.path_contains in path:
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def __iter__(self) -> Iterator[Fault]:
        with self._lock:
            return iter(list(self._faults))
