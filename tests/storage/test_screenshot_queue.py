"""The screenshot queue on both engines: which versions are queued per mode, one job per version
and kind, leases, backoff, give-up and retry through the shared `storage.queue` functions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.engine import transaction
from storage.models import ScreenshotJob
from storage.queue import claim, complete, fail, renew, retry_finished
from storage.screenshots import (
    CaptureToSave,
    queue_screenshots,
    ready_jobs,
    save_screenshot,
    screenshot_backlog,
    screenshot_stage,
    screenshot_target,
)
from storage.types import utcnow
from tests.conftest import TestDatabase
from tests.support import factories as f

LONG_AGO = utcnow() - timedelta(days=365)


def _posts(db: TestDatabase) -> dict[str, tuple[int, int]]:
    """A plain post, a post with a hit (edited once: two versions), a deleted post and a
    deleted one whose last version was screenshotted; name -> (post id, latest version id)."""
    now = utcnow()
    with transaction(db.engine) as session:
        owner = f.account(session, f.actor(session, "PM"))
        plain = f.post(session, owner, "plain")
        hit = f.post(session, owner, "curfew v2")
        gone = f.post(session, owner, "gone", deleted_at=now)
        shot = f.post(session, owner, "shot", deleted_at=now)
        versions = {
            "plain": f.version(session, plain, "plain", now),
            "hit_old": f.version(session, hit, "curfew", now - timedelta(hours=1)),
            "hit": f.version(session, hit, "curfew v2", now),
            "gone": f.version(session, gone, "gone", now),
            "shot": f.version(session, shot, "shot", now),
        }
        f.hit(session, hit, "orders", "curfew")
        save_screenshot(session, _capture(shot.id, versions["shot"].id))
        posts = {"plain": plain, "hit": hit, "gone": gone, "shot": shot}
        return {name: (post.id, versions[name].id) for name, post in posts.items()}


def _capture(post_id: int, version_id: int) -> CaptureToSave:
    return CaptureToSave(
        post_id=post_id,
        post_version_id=version_id,
        kind="page",
        url="https://t.me/chan/1?embed=1",
        captured_at=utcnow(),
        sha256="ab" * 32,
        size_bytes=10,
        width=800,
        height=600,
        storage_key="screenshots/ab/" + "ab" * 31 + ".png",
    )


def _jobs(db: TestDatabase) -> set[tuple[int, int, str]]:
    with transaction(db.engine) as session:
        rows = session.execute(
            select(ScreenshotJob.post_id, ScreenshotJob.post_version_id, ScreenshotJob.kind)
        ).all()
        return {(row[0], row[1], row[2]) for row in rows}


def test_hits_mode_queues_the_hit_posts_page_and_deleted_posts_renderings(db: TestDatabase) -> None:
    posts = _posts(db)
    assert queue_screenshots(db.engine, "hits", utcnow(), LONG_AGO) == 2
    assert _jobs(db) == {(*posts["hit"], "page"), (*posts["gone"], "rendered_version")}
    assert queue_screenshots(db.engine, "hits", utcnow(), LONG_AGO) == 0  # queued once


def test_all_mode_queues_every_live_posts_latest_version(db: TestDatabase) -> None:
    posts = _posts(db)
    assert queue_screenshots(db.engine, "all", utcnow(), LONG_AGO) == 3
    assert _jobs(db) == {
        (*posts["plain"], "page"),
        (*posts["hit"], "page"),
        (*posts["gone"], "rendered_version"),
    }


def test_versions_and_deletions_before_the_window_get_nothing_and_none_mode_nothing(
    db: TestDatabase,
) -> None:
    posts = _posts(db)
    assert queue_screenshots(db.engine, "none", utcnow(), LONG_AGO) == 0
    later = utcnow() + timedelta(days=1)
    assert queue_screenshots(db.engine, "all", utcnow(), later) == 0
    with transaction(db.engine) as session:
        gone = session.get(f.Post, posts["gone"][0])
        assert gone is not None
        gone.deleted_at = later  # noticed within the window
    assert queue_screenshots(db.engine, "all", utcnow(), later) == 1
    assert _jobs(db) == {(*posts["gone"], "rendered_version")}


def test_a_deleted_post_with_a_queued_page_job_also_gets_its_rendering(db: TestDatabase) -> None:
    posts = _posts(db)
    queue_screenshots(db.engine, "hits", utcnow(), LONG_AGO)
    with transaction(db.engine) as session:
        f.version(session, session.get(f.Post, posts["hit"][0]), "curfew v3", utcnow())
        session.get(f.Post, posts["hit"][0]).deleted_at = utcnow()  # type: ignore[union-attr]
    queue_screenshots(db.engine, "hits", utcnow(), LONG_AGO)
    with transaction(db.engine) as session:
        kinds = session.execute(
            select(ScreenshotJob.kind).where(ScreenshotJob.post_id == posts["hit"][0])
        ).scalars()
        assert sorted(kinds) == ["page", "rendered_version"]


def test_jobs_lease_back_off_give_up_and_are_retried(db: TestDatabase) -> None:
    posts = _posts(db)
    queue_screenshots(db.engine, "hits", utcnow(), LONG_AGO)
    stage = screenshot_stage(max_attempts=2, backoff_seconds=3600)
    first = claim(db.engine, stage, "w1", limit=5)
    assert len(first) == 2 and claim(db.engine, stage, "w2") == []  # leased
    assert renew(db.engine, stage, first[0], "w1") and not renew(db.engine, stage, first[0], "w2")
    with transaction(db.engine) as session:
        target = screenshot_target(session, first[0])
        backlog = screenshot_backlog(session, utcnow())
    assert target is not None and target.post_id in {posts["hit"][0], posts["gone"][0]}
    assert (backlog.ready, backlog.leased) == (0, 2)
    assert fail(db.engine, stage, first[0], "w1", "screenshot: HTTP 500") == "queued"
    with transaction(db.engine) as session:
        assert ready_jobs(session, utcnow()) == 0  # backing off
        assert screenshot_backlog(session, utcnow()).retry_later == 1
        job = session.get(ScreenshotJob, first[0])
        assert job is not None
        job.next_attempt_at = utcnow() - timedelta(seconds=1)
    again = claim(db.engine, stage, "w1")
    assert again == [first[0]]
    assert fail(db.engine, stage, first[0], "w1", "screenshot: HTTP 500") == "failed"
    with transaction(db.engine) as session:
        assert complete(session, stage, first[1], "w1")
    assert retry_finished(db.engine, stage) == 1
    with transaction(db.engine) as session:
        job = session.get(ScreenshotJob, first[0])
        assert job is not None and (job.status, job.attempts) == ("queued", 0)
        assert job.last_error == "screenshot: HTTP 500"


def test_an_expired_lease_is_claimed_again(db: TestDatabase) -> None:
    _posts(db)
    queue_screenshots(db.engine, "hits", utcnow(), LONG_AGO)
    stage = screenshot_stage(lease_seconds=0.001)
    taken = claim(db.engine, stage, "dead", limit=1)
    with transaction(db.engine) as session:
        job = session.get(ScreenshotJob, taken[0])
        assert job is not None
        job.lease_expires_at = utcnow() - timedelta(seconds=5)
    assert claim(db.engine, stage, "alive", limit=1) == taken
    with transaction(db.engine) as session:
        job = session.get(ScreenshotJob, taken[0])
        assert job is not None and (job.lease_owner, job.lease_expiries) == ("alive", 1)
