"""`polmon screenshots`, `polmon queue retry --stage screenshots` and the status backlog rows,
in-process through `invoke`."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from storage.engine import transaction
from storage.models import ScreenshotJob
from storage.types import utcnow
from tests.conftest import TestDatabase, invoke
from tests.support import factories as f
from tests.support.config import write_config


def _deleted_post(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        owner = f.account(session, f.actor(session, "PM"), handle="pm")
        post = f.post(session, owner, "gone", deleted_at=utcnow())
        f.version(session, post, "gone", f.T0)


def test_off_takes_nothing_and_starts_no_browser(db: TestDatabase, tmp_path: Path) -> None:
    _deleted_post(db)
    config = write_config(
        tmp_path, db, evidence={"screenshots": "none", "chromium_path": "/nonexistent/chromium"}
    )
    result = invoke(config, "screenshots")
    assert result.exit_code == 0, result.output
    assert "queued: 0, pages: 0, rendered: 0" in result.stdout
    assert "screenshots are off" in result.output  # the log line says why


def test_a_missing_chromium_is_one_error_line_and_the_job_stays_queued(
    db: TestDatabase, tmp_path: Path
) -> None:
    _deleted_post(db)
    config = write_config(tmp_path, db, evidence={"chromium_path": "/nonexistent/chromium"})
    result = invoke(config, "screenshots")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: no Chromium at /nonexistent/chromium: install it (Debian: apt-get install "
        "chromium) or set [evidence] chromium_path"
    ]
    with transaction(db.engine) as session:
        job = session.execute(select(ScreenshotJob)).scalar_one()
        assert (job.kind, job.status, job.attempts) == ("rendered_version", "queued", 0)
    status = json.loads(invoke(config, "status", "--format", "json").stdout)
    rows = {(row["stage"], row["status"]): row for row in status["queue_backlog"]}
    assert rows[("screenshots", "queued")]["ready"] == 1
    assert rows[("capturing", "capturing")]["leased"] == 0


def test_queue_retry_puts_failed_screenshot_jobs_back(db: TestDatabase, tmp_path: Path) -> None:
    _deleted_post(db)
    config = write_config(tmp_path, db, evidence={"chromium_path": "/nonexistent/chromium"})
    invoke(config, "screenshots")  # queues the rendering, then stops: no Chromium
    with transaction(db.engine) as session:
        job = session.execute(select(ScreenshotJob)).scalar_one()
        job.status, job.attempts, job.last_error = "failed", 3, "screenshot: boom"
    result = invoke(config, "queue", "retry", "--stage", "screenshots")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "screenshots: 1 queued again"
    with transaction(db.engine) as session:
        job = session.execute(select(ScreenshotJob)).scalar_one()
        assert (job.status, job.attempts) == ("queued", 0)
