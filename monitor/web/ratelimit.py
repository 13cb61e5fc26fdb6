"""Failed logins counted per client address and per user name over the last minute."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

WINDOW_SECONDS = 60.0
MAX_KEYS = 100_000  # bounded memory under a flood of made-up names


class LoginLimiter:
    """At most `per_minute` failed logins per key (`addr:…`, `user:…`) in any 60 seconds.

    Only failures count, so a team behind one proxy address logging in all morning is never
    locked out, while guessing is held to `per_minute` tries a minute per address and name.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, keys: Iterable[str]) -> int:
        """Seconds until one more try is allowed for all `keys` (0: allowed now)."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self.per_minute:
                    oldest_counted = failures[len(failures) - self.per_minute]
                    wait = max(wait, oldest_counted + WINDOW_SECONDS - now)
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, keys: Iterable[str]) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) >= MAX_KEYS:
                self._forget_old(now)
            for key in keys:
                self._recent(key, now).append(now)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - WINDOW_SECONDS:
            failures.popleft()
        return failures

    def _forget_old(self, now: float) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]
        if len(self._failures) >= MAX_KEYS:  # all recent: drop the oldest half
            for key in list(self._failures)[: MAX_KEYS // 2]:
                del self._failures[key]


def login_keys(client_address: str, name: str) -> tuple[str, str]:
    """The two counters a login attempt touches."""
    return (f"addr:{client_address}", f"user:{name.casefold()}")
