"""The media work queue on SQLite and PostgreSQL: leases, expiry, backoff, lost leases."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from storage.engine import transaction
from storage.models import Account, Actor, Media, Post
from storage.queue import claim, complete, download_stage, fail, release, renew, worker_id
from tests.conftest import TestDatabase


def _media(db: TestDatabase, count: int) -> list[int]:
    with transaction(db.engine) as session:
        actor = Actor(name="A")
        account = Account(actor=actor, platform="telegram", handle="a", cursor={})
        post = Post(
            account=account, platform_post_id="1", published_at=datetime(2024, 1, 1, tzinfo=UTC)
        )
        media = [Media(post=post, position=i, kind="video") for i in range(count)]
        session.add_all([actor, account, post, *media])
        session.flush()
        return [m.id for m in media]


def test_concurrent_claims_never_share_a_row(db: TestDatabase) -> None:
    ids = _media(db, 40)
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
    [media_id] = _media(db, 1)
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
    [media_id] = _media(db, 1)
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
    [media_id] = _media(db, 1)
    stage = download_stage()
    assert claim(db.engine, stage, "w") == [media_id]
    assert release(db.engine, stage, media_id, "w")
    with transaction(db.engine) as session:
        media = session.get(Media, media_id)
        assert media is not None and (media.status, media.attempts) == ("pending", 0)


def test_worker_killed_every_time_ends_failed(db: TestDatabase) -> None:
    [media_id] = _media(db, 1)
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
