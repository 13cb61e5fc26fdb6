"""A worker killed on a media row is not the media's fault: expired leases are counted apart
from attempts, and only many of them fail the row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from storage.engine import transaction
from storage.models import Account, Actor, Media, Post
from storage.queue import claim, complete, download_stage, fail
from tests.conftest import TestDatabase


def _one_media(db: TestDatabase) -> int:
    with transaction(db.engine) as session:
        actor = Actor(name="A")
        account = Account(actor=actor, platform="telegram", handle="a")
        post = Post(
            account=account, platform_post_id="1", published_at=datetime(2024, 1, 1, tzinfo=UTC)
        )
        media = Media(post=post, position=0, kind="video")
        session.add_all([actor, account, post, media])
        session.flush()
        return media.id


def _kill_worker(db: TestDatabase) -> None:
    """What a SIGKILLed worker leaves: a lease that runs out."""
    with transaction(db.engine) as session:
        session.execute(update(Media).values(lease_expires_at=datetime.now(UTC) - timedelta(1)))


def _state(db: TestDatabase, media_id: int) -> tuple[str, int, int]:
    with transaction(db.engine) as session:
        media = session.get_one(Media, media_id)
        return media.status, media.attempts, media.lease_expiries


def test_killed_workers_spend_no_attempts(db: TestDatabase) -> None:
    media_id = _one_media(db)
    stage = download_stage(max_attempts=1)
    assert claim(db.engine, stage, "first") == [media_id]
    for kill, owner in enumerate(("second", "third", "fourth"), start=1):
        _kill_worker(db)
        assert claim(db.engine, stage, owner) == [media_id]
        assert _state(db, media_id) == ("downloading", 1, kill)
    with transaction(db.engine) as session:
        assert complete(session, stage, media_id, "fourth")
    assert _state(db, media_id) == ("downloaded", 0, 0)


def test_a_real_failure_still_counts_after_kills(db: TestDatabase) -> None:
    media_id = _one_media(db)
    stage = download_stage(max_attempts=1)
    assert claim(db.engine, stage, "first") == [media_id]
    _kill_worker(db)
    assert claim(db.engine, stage, "second") == [media_id]
    assert fail(db.engine, stage, media_id, "second", "HTTP 404") == "failed"
    assert _state(db, media_id) == ("failed", 1, 1)


def test_too_many_expired_leases_fail_the_row(db: TestDatabase) -> None:
    media_id = _one_media(db)
    stage = download_stage(max_lease_expiries=3)
    assert claim(db.engine, stage, "w0") == [media_id]
    for owner in ("w1", "w2"):
        _kill_worker(db)
        assert claim(db.engine, stage, owner) == [media_id]
    _kill_worker(db)
    assert claim(db.engine, stage, "w3") == []
    assert _state(db, media_id) == ("failed", 1, 3)
    with transaction(db.engine) as session:
        error = session.get_one(Media, media_id).last_error
    assert error == "download: lease expired 3 times (the worker died or hung each time)"
