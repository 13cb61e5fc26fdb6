"""`polmon worker --stage NAME`: one long-running process per media stage, drained, polled.

Each stage's one-shot run (`run_downloads`, `run_ocr`) drains its queue until a claim finds
nothing; a worker runs it again every `poll_seconds` until a stop request (SIGTERM, Ctrl-C).
Transcription has its own follow loop (`run_transcriptions(follow=True)`). The collect stage
lives in another module and registers the same way (`STAGES`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import Engine

from monitor.config import PolmonConfig

log = logging.getLogger(__name__)


class StageReport(Protocol):
    def totals(self) -> dict[str, int]: ...


OneShot = Callable[[PolmonConfig, Engine], StageReport]


def _downloads(config: PolmonConfig, engine: Engine) -> StageReport:
    from monitor.download import run_downloads

    return run_downloads(config, engine)


def _ocr(config: PolmonConfig, engine: Engine) -> StageReport:
    from monitor.ocr.worker import run_ocr

    return run_ocr(config, engine)


# Stages a worker drains by polling their one-shot run: name -> run.
POLLED: dict[str, OneShot] = {"download": _downloads, "ocr": _ocr}
# Every stage `polmon worker --stage` takes (transcribe has its own loop, in the CLI).
STAGES = ("transcribe", *POLLED)


def follow(
    stage: str,
    config: PolmonConfig,
    engine: Engine,
    *,
    stop: threading.Event,
    poll_seconds: float,
) -> dict[str, int]:
    """Drain `stage` until stopped, polling every `poll_seconds` once it is empty; the
    counts of every run added up."""
    run = POLLED[stage]
    totals: dict[str, int] = {}
    said_empty = False
    log.info("%s worker started: polls every %g s when the queue is empty", stage, poll_seconds)
    while not stop.is_set():
        report = run(config, engine)
        counts = report.totals()
        for name, count in counts.items():
            totals[name] = totals.get(name, 0) + count
        if any(counts.values()) or not said_empty:  # once each time the queue runs dry
            log.info("%s: queue empty (%s)", stage, _summary(counts))
        said_empty = True
        stop.wait(poll_seconds)
    log.info("%s worker stopped: %s", stage, _summary(totals))
    return totals


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{name}: {count}" for name, count in counts.items()) or "nothing done"
