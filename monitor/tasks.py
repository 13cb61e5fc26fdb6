"""What each `[schedule.jobs.*].task` runs: the pipeline stages' entry points, imported lazily."""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from collectors.errors import PolmonError
from monitor.config import JobConfig, PolmonConfig
from monitor.reports import StageReport
from storage.app_state import read_state, write_state
from storage.engine import transaction

if TYPE_CHECKING:
    from monitor.pass_report import PassReport

log = logging.getLogger(__name__)

KEYWORDS_STATE_KEY = "keywords.config_hash"


class TaskUnavailable(PolmonError):
    """The stage a job needs is not part of this installation."""

    expected = True


@dataclass(frozen=True)
class TaskRun:
    """One run of a job: its config, and the scheduled time it stands for."""

    name: str
    job: JobConfig
    config: PolmonConfig
    engine: Engine
    scheduled_at: datetime
    lists: tuple[str, ...] = ()  # digest catch-up: only these lists
    # The daemon's alert dispatcher: woken after each transcript that found a keyword.
    wake_alerts: Callable[[], None] | None = None


def entry_point(module: str, name: str) -> Callable[..., Any]:
    """`module.name`, imported when first needed (stages pull in heavy libraries)."""
    try:
        function: Callable[..., Any] = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise TaskUnavailable(f"{module}.{name} is not available: {exc}") from None
    return function


@contextmanager
def stage_import(stage: str) -> Iterator[None]:
    """Around a stage's own `from … import …` inside its task (stages pull in heavy libraries,
    so they load when a job first runs; a normal import lets mypy check the call): a stage
    missing from this installation is a TaskUnavailable."""
    try:
        yield
    except ImportError as exc:
        raise TaskUnavailable(f"the {stage} stage is not available: {exc}") from None


@dataclass(frozen=True)
class TaskOutcome:
    """What a run did, and what part of it failed (a 'partial' run: the rest was done)."""

    summary: str
    problem: str | None = None
    # Tasks this run gave work to (a collection queued media: "download"); with
    # `[schedule] chain_stages`, the daemon runs their jobs now instead of at their next tick.
    follow_up: tuple[str, ...] = ()


def _one_line(text: str, limit: int = 500) -> str:
    return " ".join(text.split())[:limit]


def describe(report: StageReport | None) -> TaskOutcome:
    """Summarise what a stage returned: its summary line, and its failed items."""
    if report is None:
        return TaskOutcome("done")
    problems = report.problems()
    problem = _one_line("; ".join(problems), 2000) if problems else None
    return TaskOutcome(_one_line(report.summary_line()), problem)


def following(outcome: TaskOutcome, tasks: tuple[str, ...], gave_work: bool) -> TaskOutcome:
    """`outcome`, naming `tasks` as given work when `gave_work`."""
    return replace(outcome, follow_up=tasks) if gave_work else outcome


def collected(report: PassReport) -> TaskOutcome:
    """A collection gave work to `download` (media queued) and to `screenshots` (posts new,
    edited, deleted or hit: their screenshots are queued by that stage's next run)."""
    changed = any(a.new or a.updated or a.deleted or a.keyword_hits for a in report.accounts)
    tasks = ("download",) * (report.media_queued > 0) + ("screenshots",) * changed
    return following(describe(report), tasks, bool(tasks))


def collect(run: TaskRun) -> TaskOutcome:
    with stage_import("collect"):
        from monitor.pipeline import run_collect
    report = run_collect(run.config, run.engine, platform=run.job.platform)
    return collected(report)


def collect_due(run: TaskRun) -> TaskOutcome:
    with stage_import("collect"):
        from monitor.pipeline import run_collect
    report = run_collect(run.config, run.engine, platform=run.job.platform, due=True)
    return collected(report)


def nothing_due(run: TaskRun) -> bool:
    """No account's interval is up: the collect_due run is skipped without a job_runs row
    (it checks every few seconds)."""
    from monitor.due import find_due

    return not find_due(run.config, run.engine, datetime.now(UTC), run.job.platform)


def snapshots(run: TaskRun) -> TaskOutcome:
    with stage_import("collect"):
        from monitor.pipeline import run_collect
    result = run_collect(run.config, run.engine, platform=run.job.platform, snapshots_only=True)
    return describe(result)


def download(run: TaskRun) -> TaskOutcome:
    run_downloads = entry_point("monitor.download", "run_downloads")
    report = run_downloads(run.config, run.engine, limit=run.job.limit)
    return following(describe(report), ("transcribe", "ocr"), report.downloaded > 0)


def transcribe(run: TaskRun) -> TaskOutcome:
    with stage_import("transcription"):
        from monitor.transcription import run_transcriptions
    report = run_transcriptions(
        run.config, run.engine, limit=run.job.limit, on_hits=run.wake_alerts
    )
    return describe(report)


def ocr(run: TaskRun) -> TaskOutcome:
    with stage_import("ocr"):
        from monitor.ocr.worker import run_ocr
    return describe(run_ocr(run.config, run.engine, limit=run.job.limit))


def no_photo_waiting(run: TaskRun) -> bool:
    """No downloaded photo is due for OCR: the run is skipped without a job_runs row (so an
    installation without Tesseract that never sees a photo is not failed every run)."""
    with stage_import("ocr"):
        from monitor.ocr.worker import ready_photos
    return ready_photos(run.engine) == 0


def screenshots(run: TaskRun) -> TaskOutcome:
    with stage_import("screenshots"):
        from monitor.screenshots.worker import run_screenshots
    return describe(run_screenshots(run.config, run.engine, limit=run.job.limit))


def no_screenshot_waiting(run: TaskRun) -> bool:
    """No screenshot is due (after queueing what is new), or they are off: the run is skipped
    without a job_runs row (Chromium is only started when there is work)."""
    if run.config.evidence.screenshots == "none":
        return True
    with stage_import("screenshots"):
        from monitor.screenshots.worker import screenshots_waiting
    return screenshots_waiting(run.config, run.engine) == 0


def keyword_hashes(config: PolmonConfig) -> dict[str, str]:
    """A hash per keyword group of everything that decides its hits."""
    return {
        name: hashlib.sha256(
            json.dumps(group.model_dump(mode="json"), sort_keys=True).encode()
        ).hexdigest()
        for name, group in config.keywords.items()
    }


def stored_keyword_hashes(engine: Engine) -> dict[str, str] | None:
    """The keyword hashes the last rescan stored; None before the first."""
    with transaction(engine) as session:
        state = read_state(session, KEYWORDS_STATE_KEY)
        return None if state is None else dict(state["groups"])


def store_keyword_hashes(engine: Engine, hashes: dict[str, str]) -> None:
    with transaction(engine) as session:
        write_state(session, KEYWORDS_STATE_KEY, {"groups": hashes})


def rescan(run: TaskRun) -> TaskOutcome:
    """Re-match old posts and transcripts, only when the [keywords] config changed."""
    current = keyword_hashes(run.config)
    stored = stored_keyword_hashes(run.engine)
    if stored == current:
        return TaskOutcome("keywords unchanged")
    if stored is None and not current:
        store_keyword_hashes(run.engine, current)
        return TaskOutcome("no keyword groups")
    with stage_import("keywords"):
        from monitor.keywords import rescan_keywords
    removed = sorted(set(stored or {}) - set(current))
    changed = sorted(name for name, digest in current.items() if (stored or {}).get(name) != digest)
    if stored is None or removed:
        log.info("rescanning every keyword group (removed: %s)", ", ".join(removed) or "none")
        rescan_keywords(run.config, run.engine)
    else:
        for group in changed:
            log.info("rescanning keyword group %s (its config changed)", group)
            rescan_keywords(run.config, run.engine, group=group)
    store_keyword_hashes(run.engine, current)
    return TaskOutcome(
        f"rescanned {', '.join(changed) or 'all groups'}"
        + (f"; dropped {', '.join(removed)}" if removed else "")
    )


def digest(run: TaskRun) -> TaskOutcome:
    with stage_import("digest"):
        from monitor.digest import raise_for_failures, run_digest

    if not run.config.digest.enabled:
        return TaskOutcome("digest disabled ([digest] enabled = false)")
    lists = list(run.lists or run.job.lists) or None
    outcomes = run_digest(run.config, run.engine, now=run.scheduled_at, lists=lists)
    raise_for_failures(outcomes)
    return TaskOutcome("; ".join(f"{item.list_name}: {item.status}" for item in outcomes))


def evidence_stamp(run: TaskRun) -> TaskOutcome:
    """Timestamp the captures, media files and screenshots kept since the last run."""
    with stage_import("evidence"):
        from monitor.evidence.stamp import run_stamp
    return describe(run_stamp(run.config, run.engine))


TASKS: dict[str, Callable[[TaskRun], TaskOutcome]] = {
    "collect": collect,
    "collect_due": collect_due,
    "snapshots": snapshots,
    "download": download,
    "transcribe": transcribe,
    "ocr": ocr,
    "screenshots": screenshots,
    "rescan": rescan,
    "digest": digest,
    "evidence_stamp": evidence_stamp,
}

# Tasks that skip a run, unrecorded, when these say there is nothing to do.
IDLE_CHECKS: dict[str, Callable[[TaskRun], bool]] = {
    "collect_due": nothing_due,
    "ocr": no_photo_waiting,
    "screenshots": no_screenshot_waiting,
}
