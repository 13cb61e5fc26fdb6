"""One queue worker for every media stage: claim, process, stop between items, report.

A stage subclasses `QueueWorker` and implements `process(media_id, owner)`; the base claims
one row at a time under a lease (`storage.queue`), stops claiming when its stop event is set
(the rows it claimed and did not start go back to the queue), gives the lease back when
`process` raises, and offers the outcomes every stage shares: `give_back` (a stop or a local
fault: the attempt is not counted), `fail_item` (retried with backoff, or failed for good) and
`heartbeat` (renews the lease while a long step runs). Outcomes are counted in the stage's
report, a `QueueReport`.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import Engine

from storage.heartbeat import Heartbeat
from storage.queue import Stage, claim, fail, release, worker_id
from storage.queue_status import MediaStatus

log = logging.getLogger(__name__)


@dataclass
class QueueReport:
    """Counts per outcome of the rows one run claimed; `failures`: (media id, outcome, error).

    A stage's report adds its own outcomes as int fields; `count` is thread-safe.
    """

    failed: int = 0  # failed for good (a permanent error, or out of attempts)
    retrying: int = 0  # failed this time, retried after a backoff
    released: int = 0  # given back unfinished by a stop request (SIGINT, SIGTERM)
    lost: int = 0  # the lease went to another worker: our result was discarded
    failures: list[tuple[int, str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, outcome: str, media_id: int | None = None, error: str | None = None) -> None:
        with self._lock:
            setattr(self, outcome, getattr(self, outcome) + 1)
            if error is not None and media_id is not None:
                self.failures.append((media_id, outcome, error))


R = TypeVar("R", bound=QueueReport)


class _Budget:
    """How many rows may still be claimed (`limit`), shared by the worker threads."""

    def __init__(self, limit: int | None) -> None:
        self.left = limit
        self.lock = threading.Lock()

    def take(self, wanted: int) -> int:
        """Up to `wanted` claims, 0 when the limit is reached."""
        with self.lock:
            if self.left is None:
                return wanted
            granted = min(wanted, self.left)
            self.left -= granted
            return granted

    def give_back(self, count: int) -> None:
        with self.lock:
            if self.left is not None:
                self.left += count


class QueueWorker(ABC, Generic[R]):
    """Drains one stage's queue; subclasses implement `process` and count into `report`."""

    claim_batch = 1  # rows claimed at once; on a stop the ones not started are given back

    def __init__(
        self,
        engine: Engine,
        stage: Stage,
        report: R,
        *,
        stop: threading.Event,
        owner: str | None = None,
    ) -> None:
        self.engine, self.stage, self.report, self.stop = engine, stage, report, stop
        self.owner = owner  # None: each thread gets its own lease owner name

    @abstractmethod
    def process(self, media_id: int, owner: str) -> None:
        """Handle one claimed row; leave it completed, failed, or given back."""

    def on_queue_empty(self) -> None:
        """Called when a claim finds nothing (once per poll with `follow`)."""

    def drain(
        self,
        *,
        limit: int | None = None,
        threads: int = 1,
        follow: bool = False,
        poll_seconds: float = 10.0,
        on_item: Callable[[R], None] | None = None,
    ) -> R:
        """Claim and process rows until the queue is empty (with `follow`: until stopped),
        `limit` rows were claimed, or a stop is requested; `threads` claim side by side."""
        budget = _Budget(limit)
        if threads == 1:
            self._loop(budget, follow, poll_seconds, on_item)
            return self.report
        with ThreadPoolExecutor(threads, thread_name_prefix=self.stage.name) as pool:
            futures = [
                pool.submit(self._loop, budget, follow, poll_seconds, on_item)
                for _ in range(threads)
            ]
            for future in futures:
                future.result()
        return self.report

    def _loop(
        self,
        budget: _Budget,
        follow: bool,
        poll_seconds: float,
        on_item: Callable[[R], None] | None,
    ) -> None:
        owner = self.owner or worker_id(self.stage.name)
        while not self.stop.is_set():  # a stop: claim no more
            wanted = budget.take(self.claim_batch)
            if not wanted:
                return
            claimed = claim(self.engine, self.stage, owner, limit=wanted)
            budget.give_back(wanted - len(claimed))
            if not claimed:
                self.on_queue_empty()
                if not follow:
                    return
                self.stop.wait(poll_seconds)
                continue
            self._handle(claimed, owner, on_item)

    def _handle(self, claimed: list[int], owner: str, on_item: Callable[[R], None] | None) -> None:
        """Process the claimed rows in order; a stop gives back the ones not started."""
        for position, media_id in enumerate(claimed):
            if position and self.stop.is_set():
                for unstarted in claimed[position:]:
                    self.give_back(unstarted, owner)
                return
            try:
                self.process(media_id, owner)
            except BaseException:
                for unfinished in claimed[position:]:
                    release(self.engine, self.stage, unfinished, owner)
                raise
            if on_item is not None:
                on_item(self.report)

    def heartbeat(self, media_id: int, owner: str) -> Heartbeat:
        """A context that renews the row's lease every third of it; `.lost` if taken."""
        return Heartbeat(self.engine, self.stage, media_id, owner)

    def give_back(
        self,
        media_id: int,
        owner: str,
        *,
        retry_after: float | None = None,
        error: str | None = None,
    ) -> bool:
        """The row back to the queue, attempt not counted: `released` on a stop; with an
        `error` (a local fault: disk full) `retrying` after `retry_after` seconds."""
        kept = release(
            self.engine, self.stage, media_id, owner, retry_after=retry_after, error=error
        )
        if error is None:
            self.report.count("released" if kept else "lost", media_id)
        else:
            log.warning("media %s: %s", media_id, error)
            self.report.count("retrying" if kept else "lost", media_id, error)
        return kept

    def fail_item(
        self,
        media_id: int,
        owner: str,
        error: str,
        *,
        permanent: bool = False,
        status: MediaStatus = MediaStatus.FAILED,
        outcome: str | None = None,
        skip_reason: str | None = None,
    ) -> str:
        """Record an error: retried after the stage's backoff, or `status` for good (a
        `skipped` row keeps `skip_reason`). Counts and returns the outcome: `outcome`
        (default `failed`), `retrying` or `lost`."""
        new_status = fail(
            self.engine,
            self.stage,
            media_id,
            owner,
            error,
            permanent=permanent,
            status=status,
            skip_reason=skip_reason,
        )
        if new_status is None:
            result = "lost"
        elif new_status == self.stage.ready_status:
            result = "retrying"
        else:
            result = outcome or "failed"
        self.report.count(result, media_id, error)
        return result
