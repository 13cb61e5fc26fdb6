"""A short-lived cache of growth pages' data, keyed by the query and the database's data version.

Building the overview of thousands of accounts takes a second of CPU; concurrent readers of
the same page share one build (a lock per key) and later ones reuse it until new rows
arrive (`queries.audience.data_version`) or `TTL_SECONDS` pass.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from monitor.queries.audience import data_version

T = TypeVar("T")
TTL_SECONDS = 60.0
MAX_ENTRIES = 64

_entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
_locks: dict[Hashable, threading.Lock] = {}
_guard = threading.Lock()


def cached(session: Session, key: Hashable, build: Callable[[], T]) -> T:
    """`build()`'s result for `key` and the current data version, built once per version."""
    full_key = (key, data_version(session), session.get_bind())
    with _guard:
        lock = _locks.setdefault(full_key, threading.Lock())
    with lock:
        with _guard:
            found = _entries.get(full_key)
            if found is not None and time.monotonic() - found[0] < TTL_SECONDS:
                _entries.move_to_end(full_key)
                result: T = found[1]
                return result
        value = build()
        with _guard:
            _entries[full_key] = (time.monotonic(), value)
            _entries.move_to_end(full_key)
            while len(_entries) > MAX_ENTRIES:
                old, _ = _entries.popitem(last=False)
                _locks.pop(old, None)
        return value


def clear() -> None:
    with _guard:
        _entries.clear()
        _locks.clear()
