"""The media work queue on SQLite and PostgreSQL: leases, expiry, backoff, lost leases."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from storage.engine import transaction
from storage.models import Media
from storage.queue import claim, complete, download_stage, fail, release, renew, worker_id
from tests.conftest import TestDatabase
from tests.support.factories import pending_media


def test_concurrent_claims_never_share_a_row(db: TestDatabase) -> None:
    ids = pending_media(db.engine, 40)
    stage = download_stage()

    def worker(n: int) -> list[int]:
        owner = f"w{n}"
        got: list[int] = []
        while batch := claim(db.engine, stage, owner, limit=3):
            got.extend(batch)
        return got

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(worker, range(4)))
    claimed = [i for r in results for i in r]
    assert sorted(claimed) == ids  # every row once, none twice


def test_expired_lease_is_claimed_again_and_old_owner_loses_it(db: TestDatabase) -> None:
    [media_id] = pending_media(db.engine, 1)
    stage = download_stage(lease_seconds=60)
    assert claim(db.engine, stage, "dead") == [media_id]
    assert claim(db.engine, stage, "other") == []  # lease still held
    with transaction(db.engine) as session:
        session.execute(
            update(Media).values(lease_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert claim(db.engine, stage, "alive") == [media_id]
    assert not renew(db.engine, stage, media_id, "dead")
    with transaction(db.engine) as session:
        assert not complete(session, stage, media_id, "dead", sha256="x")
        assert complete(session, stage, media_id, "alive", sha256="y")
    with transaction(db.engine) as session:
        media = session.get(Media, media_id)
        assert media is not None
        assert (media.status, media.sha256, media.attempts, media.lease_owner) == (
            "downloaded",
            "y",
            0,
            None,
        )


def test_failures_back_off_then_fail_for_good(db: TestDatabase) -> None:
    [media_id] = pending_media(db.engine, 1)
    stage = download_stage(max_attempts=2, backoff_seconds=30)
    owner = worker_id()
    assert claim(db.engine, stage, owner) == [media_id]
    assert fail(db.engine, stage, media_id, owner, "HTTP 500") == "pending"
    assert claim(db.engine, stage, owner) == []  # backing off
    with transaction(db.engine) as session:
        media = session.get(Media, media_id)
        assert media is not None and media.next_attempt_at is not None
        assert media.next_attempt_at > datetime.now(UTC) + timedelta(seconds=20)
        media.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
    assert claim(db.engine, stage, owner) == [media_id]
    assert fail(db.engine, stage, media_id, owner, "HTTP 500 again") == "failed"
    with transaction(db.engine) as session:
        assert session.scalar(select(Media.last_error)) == "HTTP 500 again"


def test_release_does_not_count_an_attempt(db: TestDatabase) -> None:
    [media_id] = pending_media(db.engine, 1)
    stage = download_stage()
    assert claim(db.engine, stage, "w") == [media_id]
    assert release(db.engine, stage, media_id, "w")
    with transaction(db.engine) as session:
        media = session.get(Media, media_id)
        assert media is not None and (media.status, media.attempts) == ("pending", 0)


def test_worker_killed_every_time_ends_failed(db: TestDatabase) -> None:
    [media_id] = pending_media(db.engine, 1)
    stage = download_stage(max_attempts=2, max_lease_expiries=2)
    for owner in ("a", "b"):
        assert claim(db.engine, stage, owner) == [media_id]
        with transaction(db.engine) as session:
            session.execute(
                update(Media).values(lease_expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
    assert claim(db.engine, stage, "c") == []
    with transaction(db.engine) as session:
        media = session.get(Media, media_id)
        assert media is not None and media.status == "failed"
        assert "lease expired" in (media.last_error or "")


def test_a_skipped_row_keeps_its_short_reason_until_queued_again(db: TestDatabase) -> None:
    from storage.queue import retry_finished

    ids = pending_media(db.engine, 2)
    stage = download_stage()
    assert claim(db.engine, stage, "w", limit=2) == ids
    fail(db.engine, stage, ids[0], "w", "too long: 3 h", permanent=True, status="skipped",
         skip_reason="over [video] max_duration_seconds")  # fmt: skip
    fail(db.engine, stage, ids[1], "w", "gone", permanent=True, skip_reason="ignored")
    with transaction(db.engine) as session:
        rows = {m.id: m for m in session.scalars(select(Media))}
        assert (rows[ids[0]].status, rows[ids[0]].skip_reason) == (
            "skipped",
            "over [video] max_duration_seconds",
        )
        assert rows[ids[0]].last_error == "too long: 3 h"
        assert (rows[ids[1]].status, rows[ids[1]].skip_reason) == ("failed", None)
    assert retry_finished(db.engine, stage, "skipped") == 1
    with transaction(db.engine) as session:
        row = session.get_one(Media, ids[0])
        assert (row.status, row.skip_reason) == ("pending", None)
