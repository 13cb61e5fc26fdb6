"""The next stage at once: a run that gave another stage work brings that stage's jobs forward."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime

from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError

from monitor import shutdown

log = logging.getLogger(__name__)


class StageChain:
    """Job threads name the tasks they gave work to (`follow`); one thread of its own moves the
    next run of those tasks' jobs to now, unless the job is running (then the run in hand takes
    the new rows: the stages work until their queue is empty).

    The job threads never call the scheduler themselves: its shutdown holds its lock while it
    waits for them. `stop` ends this thread before the scheduler shuts down.
    """

    def __init__(self, jobs_by_task: Mapping[str, Sequence[Job]], busy: Callable[[str], bool]):
        self.jobs_by_task = jobs_by_task
        self.busy = busy
        self._queue: queue.SimpleQueue[tuple[str, str] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.brought_forward: list[str] = []  # job names, in order (what the log says too)

    def follow(self, tasks: Iterable[str], giver: str) -> None:
        """Job `giver`'s run gave `tasks` work."""
        for task in tasks:
            if task in self.jobs_by_task:
                self._queue.put((task, giver))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="polmon-stage-chain", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            task, giver = item
            if shutdown.stop_requested():
                continue
            for job in self.jobs_by_task[task]:
                if self.busy(job.id):
                    continue
                try:
                    job.modify(next_run_time=datetime.now(UTC))
                except JobLookupError:  # removed meanwhile
                    continue
                self.brought_forward.append(job.id)
                log.info("job %s brought forward: job %s gave it work", job.id, giver)
