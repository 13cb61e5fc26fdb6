"""Bulk ingest on SQLite and PostgreSQL: idempotent upserts, edits, metrics, deletions, media."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from collectors.records import AccountProfile, MediaItem, PostRecord
from storage.engine import transaction
from storage.ingest import add_snapshot, ingest_posts, mark_deleted
from storage.models import (
    AudienceSnapshot,
    Media,
    Post,
    PostMetric,
    PostVersion,
)
from tests.conftest import TestDatabase
from tests.support import factories

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
HOSTILE = (
    "<script>alert('x')</script><img src=x onerror=alert(1)> \u202eevil\u202c "
    "zero\u200bwidth\u200d ការគំរាមកំហែង 🇰🇭🔥 & ' \" \\ " + "ក" * 4000
)


def _account(db: TestDatabase) -> int:
    with transaction(db.engine) as session:
        return factories.account(session, factories.actor(session, "PM"), "telegram", "pm").id


def _post(post_id: str, text: str = "hello", views: int = 10, **extra: object) -> PostRecord:
    return PostRecord(
        platform_post_id=post_id,
        published_at=T0 + timedelta(minutes=int(post_id)),
        url=f"https://t.me/pm/{post_id}",
        text=text,
        views=views,
        **extra,  # type: ignore[arg-type]
    )


def _count(db: TestDatabase, model: type) -> int:
    with transaction(db.engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_ingest_is_idempotent_and_keeps_history(db: TestDatabase) -> None:
    account_id = _account(db)
    video = MediaItem(kind="video", source_url="http://127.0.0.1/v.mp4", duration_seconds=12.5)
    photo = MediaItem(kind="photo", source_url="http://127.0.0.1/p.jpg", position=1)
    first = [_post("1"), _post("2", kind="video", media=[video, photo])]
    with transaction(db.engine) as session:
        result = ingest_posts(session, account_id, first, T0)
    assert (result.new, result.updated) == (2, 0)
    assert len(result.matched_post_ids) == 2
    for _ in range(2):  # the same capture again changes nothing
        with transaction(db.engine) as session:
            again = ingest_posts(session, account_id, [_post("1"), _post("2")], T0)
        assert (again.new, again.updated, again.edited) == (0, 0, 0)
    assert (_count(db, Post), _count(db, PostVersion), _count(db, PostMetric)) == (2, 2, 2)
    assert _count(db, Media) == 2  # only speech-bearing media and photos are queued
    with transaction(db.engine) as session:
        media, image = session.scalars(select(Media).order_by(Media.position))
        assert (media.status, media.kind, media.duration_seconds) == ("pending", "video", 12.5)
        assert (image.status, image.kind, image.position) == ("pending", "photo", 1)

    later = T0 + timedelta(hours=1)
    with transaction(db.engine) as session:
        result = ingest_posts(
            session, account_id, [_post("1", text="hello, edited", views=25), _post("2")], later
        )
    assert (result.edited, result.updated) == (1, 1)
    with transaction(db.engine) as session:
        post = session.scalars(select(Post).where(Post.platform_post_id == "1")).one()
        assert post.text == "hello, edited" and post.views == 25
        assert post.edited_at == later
        versions = session.scalars(
            select(PostVersion.text).where(PostVersion.post_id == post.id).order_by(PostVersion.id)
        ).all()
        assert versions == ["hello", "hello, edited"]
        views = session.scalars(
            select(PostMetric.views).where(PostMetric.post_id == post.id).order_by(PostMetric.id)
        ).all()
        assert views == [10, 25]
        assert post.published_at.tzinfo is not None and post.published_at == T0 + timedelta(
            minutes=1
        )


def test_deletions_inside_the_window_keep_their_data_and_can_come_back(db: TestDatabase) -> None:
    account_id = _account(db)
    with transaction(db.engine) as session:
        ingest_posts(session, account_id, [_post(str(i)) for i in range(1, 6)], T0)
    window_start = T0 + timedelta(minutes=3)  # posts 3, 4, 5 were re-read
    with transaction(db.engine) as session:
        deleted = mark_deleted(session, account_id, window_start, {"3", "5"}, T0)
    assert deleted == 1
    with transaction(db.engine) as session:
        rows = dict(session.execute(select(Post.platform_post_id, Post.deleted_at)).all())
        assert rows["4"] == T0 and rows["1"] is None and rows["2"] is None
        assert session.scalar(select(Post.text).where(Post.platform_post_id == "4")) == "hello"
    with transaction(db.engine) as session:
        result = ingest_posts(session, account_id, [_post("4")], T0 + timedelta(hours=1))
    assert result.restored == 1


def test_hostile_text_is_stored_exactly(db: TestDatabase) -> None:
    account_id = _account(db)
    html = f"<b>{HOSTILE}</b>"
    with transaction(db.engine) as session:
        ingest_posts(session, account_id, [_post("7", text=HOSTILE, text_html=html)], T0)
    with transaction(db.engine) as session:
        post = session.scalars(select(Post)).one()
        assert post.text == HOSTILE and post.text_html == html
        assert session.scalar(select(PostVersion.text)) == HOSTILE


def test_snapshots_need_a_count(db: TestDatabase) -> None:
    account_id = _account(db)
    with transaction(db.engine) as session:
        assert not add_snapshot(session, account_id, AccountProfile(display_name="x"), T0, "web")
        assert add_snapshot(
            session,
            account_id,
            AccountProfile(followers=10_100_000, is_approximate=True),
            T0,
            "web",
        )
    with transaction(db.engine) as session:
        snapshot = session.scalars(select(AudienceSnapshot)).one()
        assert (snapshot.followers, snapshot.is_approximate) == (10_100_000, True)
        assert snapshot.captured_at == T0


def test_expiring_media_urls_are_refreshed_until_downloaded(db: TestDatabase) -> None:
    account_id = _account(db)

    def capture(token: str) -> list[PostRecord]:
        return [
            _post(
                "3",
                kind="video",
                media=[
                    MediaItem(kind="video", source_url=f"http://cdn/a.mp4?token={token}"),
                    MediaItem(
                        kind="voice", source_url=f"http://cdn/b.ogg?token={token}", position=1
                    ),
                ],
            )
        ]

    with transaction(db.engine) as session:
        ingest_posts(session, account_id, capture("one"), T0)
    with transaction(db.engine) as session:
        session.scalars(select(Media).where(Media.position == 1)).one().status = "downloaded"
    with transaction(db.engine) as session:
        ingest_posts(session, account_id, capture("two"), T0 + timedelta(hours=1))
    with transaction(db.engine) as session:
        urls = dict(session.execute(select(Media.position, Media.source_url)).all())
    assert urls == {0: "http://cdn/a.mp4?token=two", 1: "http://cdn/b.ogg?token=one"}
