"""storage.job_runs and storage.digests on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage import digests
from storage.engine import transaction
from storage.job_runs import (
    INTERRUPTED,
    close_interrupted_job_runs,
    finish_job_run,
    start_job_run,
)
from storage.models import Digest, JobRun
from tests.conftest import TestDatabase

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
DAY = (T0 - timedelta(days=1), T0)


def _job_runs(db: TestDatabase) -> list[tuple[str, str, str | None, datetime | None]]:
    with transaction(db.engine) as session:
        rows = session.scalars(select(JobRun).order_by(JobRun.id))
        return [(r.job_name, r.status, r.error, r.next_run_at) for r in rows]


def test_job_runs_start_finish_and_close_when_interrupted(db: TestDatabase) -> None:
    later = T0 + timedelta(hours=1)
    with transaction(db.engine) as session:
        first = start_job_run(session, "collect", T0)
        start_job_run(session, "digest", None)
    with transaction(db.engine) as session:
        finish_job_run(
            session, first, status="partial", error="x: HTTP 500", next_run_at=later, now=T0
        )
    with transaction(db.engine) as session:
        assert close_interrupted_job_runs(session, later) == 1
    assert _job_runs(db) == [
        ("collect", "partial", "x: HTTP 500", later),
        ("digest", "failed", INTERRUPTED, None),
    ]


def test_a_digest_is_claimed_once_and_sent_once(db: TestDatabase) -> None:
    first = digests.claim(db.engine, "daily", ["a@example.org"], DAY, T0)
    assert first.status == "claimed" and first.digest_id is not None
    assert digests.claim(db.engine, "daily", ["a@example.org"], DAY, T0).status == "busy"
    digests.finish(db.engine, first.digest_id, ok=False, attempts=2, error="refused", now=T0)
    retry = digests.claim(db.engine, "daily", ["b@example.org"], DAY, T0)
    assert (retry.status, retry.digest_id) == ("claimed", first.digest_id)
    assert digests.sent_lists(db.engine, ["daily"], T0) == set()
    digests.finish(db.engine, first.digest_id, ok=True, attempts=1, error=None, now=T0)
    again = digests.claim(db.engine, "daily", ["a@example.org"], DAY, T0)
    assert (again.status, again.sent_at) == ("sent", T0)
    assert digests.sent_lists(db.engine, ["daily", "weekly"], T0) == {"daily"}
    assert digests.lists_with_history(db.engine, ["daily", "weekly"]) == {"daily"}
    with transaction(db.engine) as session:
        row = session.scalars(select(Digest)).one()
        assert (row.attempts, row.recipients) == (3, "b@example.org")


def test_a_pending_digest_left_by_a_dead_sender_is_taken_over(db: TestDatabase) -> None:
    first = digests.claim(db.engine, "daily", ["a@example.org"], DAY, T0)
    later = T0 + digests.STALE_PENDING + timedelta(minutes=1)
    taken = digests.claim(db.engine, "daily", ["a@example.org"], DAY, later)
    assert (taken.status, taken.digest_id) == ("claimed", first.digest_id)
