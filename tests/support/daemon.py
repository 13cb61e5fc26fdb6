"""An in-process `polmon run` daemon for tests: started, run until a condition, stopped."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Engine, select

from monitor import shutdown
from monitor.config import PolmonConfig
from monitor.scheduler import Daemon
from storage.engine import transaction
from storage.models import JobRun


def finished_job_runs(engine: Engine) -> list[tuple[str, str]]:
    """(job name, status) of every finished job run, in the order they started."""
    with transaction(engine) as session:
        rows = session.scalars(
            select(JobRun).where(JobRun.finished_at.is_not(None)).order_by(JobRun.id)
        )
        return [(row.job_name, row.status) for row in rows]


def run_daemon_until(
    config: PolmonConfig, engine: Engine, done: Callable[[], bool], timeout: float = 180.0
) -> Daemon:
    """Start a daemon, wait until `done()` (or a generous `timeout`), stop it; returns it."""
    shutdown.reset()
    daemon = Daemon(config, engine)
    daemon.start()
    try:
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        daemon.stop()
        shutdown.reset()
    return daemon
