"""Time for collectors: a monotonic clock whose sleeps end early on the process's stop request.

`STOP` is the one process-wide stop event; `monitor.shutdown` sets it on SIGTERM/SIGINT.
It lives here, below `monitor`, so that collectors' waits (rate limits, retry backoff) can
be interrupted without importing `monitor`. Tests pass their own clock to count the waits.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from collectors.errors import Interrupted

STOP = threading.Event()


class Clock(Protocol):
    """What a collector needs of time: a monotonic reading and a sleep."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None:
        """Wait `seconds`; raise Interrupted when a stop is requested meanwhile."""


class SystemClock:
    """Real time; a sleep wakes at once on a stop request and raises Interrupted."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if STOP.wait(max(seconds, 0.0)):
            raise Interrupted(f"stop requested while waiting {seconds:.1f}s")


SYSTEM_CLOCK = SystemClock()
