"""The process-wide stop request that long-running stages poll (set on SIGTERM/SIGINT).

`polmon run` and `polmon worker` install the signal handlers; any stage that loops over
work items (downloads, transcriptions, collection passes, SMTP retries) checks
`stop_requested()` between items, or sleeps with `wait(seconds)` instead of `time.sleep`,
so that a stop finishes the current item, releases the leases of items not started
(`storage.queue.release`) and returns:

    for media_id in claimed:
        if shutdown.stop_requested():
            queue.release(engine, stage, media_id, owner)
            continue
        process(media_id)

The event itself is `collectors.clock.STOP`, so collectors' waits (rate limits, HTTP retry
backoff) end early too and raise `Interrupted`. Nothing here kills a thread: stopping is
cooperative. A second signal exits at once;
leases still held then expire after their lease time and are claimed again.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from collectors.clock import STOP

log = logging.getLogger(__name__)

_reason: list[str] = []


def request_stop(reason: str = "stop requested") -> None:
    """Ask every running stage to finish its current item and return."""
    if not STOP.is_set():
        _reason.append(reason)
        STOP.set()


def stop_requested() -> bool:
    return STOP.is_set()


def stop_reason() -> str | None:
    return _reason[0] if _reason else None


def wait(seconds: float) -> bool:
    """Sleep up to `seconds`, waking early on a stop request; True when a stop was requested."""
    return STOP.wait(max(seconds, 0.0))


def reset() -> None:
    """Forget a previous stop request (a new daemon or worker run in the same process)."""
    STOP.clear()
    _reason.clear()


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    name = signal.Signals(signum).name
    if STOP.is_set():
        # A second signal forces the exit; leases still held expire and are claimed again.
        log.warning("%s again: exiting now without waiting for running jobs", name)
        logging.shutdown()
        os._exit(128 + signum)
    log.info("%s received: finishing running jobs, then stopping (again to force)", name)
    request_stop(name)


@contextmanager
def signals_request_stop() -> Iterator[threading.Event]:
    """Within the block SIGTERM and SIGINT request a stop instead of killing the process."""
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield STOP
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
