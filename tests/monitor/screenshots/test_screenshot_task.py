"""The daemon's `screenshots` task: idle without work (and when off), a real run with its own
Chromium, and the collection's follow-up that brings it forward."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import JobConfig
from monitor.pass_report import AccountReport, PassReport
from monitor.tasks import IDLE_CHECKS, TASKS, TaskRun, collected
from storage.engine import transaction
from storage.types import utcnow
from tests.conftest import TestDatabase
from tests.support import factories as f
from tests.support.config import make_config
from tests.support.web import CHROMIUM


@pytest.mark.slow
def test_the_task_idles_without_work_and_renders_a_deletion(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    from tests.conftest import require

    require(CHROMIUM.exists(), "Debian's chromium", "apt-get install chromium")
    config = make_config(tmp_path, sqlite_db, evidence={"screenshots": "hits"})
    job = JobConfig(task="screenshots", interval_minutes=10, limit=5)
    run = TaskRun("shots", job, config, sqlite_db.engine, utcnow())
    assert IDLE_CHECKS["screenshots"](run)  # nothing to take: skipped, no job_runs row
    with transaction(sqlite_db.engine) as session:
        owner = f.account(session, f.actor(session, "PM"), handle="pm")
        post = f.post(session, owner, "gone", deleted_at=utcnow())
        f.version(session, post, "gone", utcnow())
    assert not IDLE_CHECKS["screenshots"](run)
    outcome = TASKS["screenshots"](run)
    assert outcome.summary.startswith("queued 0, pages 0, rendered 1"), outcome.summary
    assert outcome.problem is None and IDLE_CHECKS["screenshots"](run)
    off = make_config(tmp_path, sqlite_db, evidence={"screenshots": "none"})
    assert IDLE_CHECKS["screenshots"](TaskRun("shots", job, off, sqlite_db.engine, utcnow()))


def test_a_collection_with_changed_posts_gives_the_screenshots_work() -> None:
    quiet = PassReport([AccountReport("telegram", "pm")])
    assert collected(quiet).follow_up == ()
    edited = PassReport([AccountReport("telegram", "pm", updated=1)])
    assert collected(edited).follow_up == ("screenshots",)
    videos = PassReport([AccountReport("telegram", "pm", new=1, media=2)])
    assert collected(videos).follow_up == ("download", "screenshots")
