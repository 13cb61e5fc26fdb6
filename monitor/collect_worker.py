"""`polmon worker --stage collect`: due passes, each account claimed, until stopped."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from monitor import shutdown
from monitor.config import PolmonConfig
from monitor.pipeline import run_collect
from storage.queue import worker_id

log = logging.getLogger(__name__)


def run_collect_worker(
    config: PolmonConfig,
    engine: Engine,
    *,
    platform: str | None = None,
    follow: bool = True,
    stop: threading.Event | None = None,
    owner: str | None = None,
) -> int:
    """Due passes, each account claimed, until stopped (`follow`) or nothing is due; every
    [schedule] due_check_seconds. Returns how many accounts this worker collected."""

    def stopped() -> bool:
        return stop.is_set() if stop is not None else shutdown.stop_requested()

    owner = owner or worker_id("collect")
    collected = 0
    while not stopped():
        report = run_collect(config, engine, platform=platform, due=True, owner=owner)
        handled = [a for a in report.accounts if a.status != "skipped"]
        collected += len(handled)
        log.info("collect worker %s: %s", owner, report.summary_line())
        if not follow and not handled:
            break
        if not handled:
            if stop is not None:
                stop.wait(config.schedule.due_check_seconds)
            else:
                shutdown.wait(config.schedule.due_check_seconds)
    return collected
