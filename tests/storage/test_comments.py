"""Comments stored as posts under their channel post, on SQLite and PostgreSQL: idempotent
upserts, the count they were read at, deletions only from a thread's own read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from collectors.records import CommentThread, PostRecord, comment_post_id
from storage.comments import ingest_comments
from storage.engine import transaction
from storage.ingest import ingest_posts, mark_deleted
from storage.models import Post
from storage.models_team import AlertEvent
from tests.conftest import TestDatabase
from tests.support import factories

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def _account(db: TestDatabase) -> int:
    with transaction(db.engine) as session:
        return factories.account(session, factories.actor(session, "PM"), "telegram", "pm").id


def _post(post_id: str, comments: int | None = None) -> PostRecord:
    return PostRecord(
        platform_post_id=post_id,
        published_at=T0 + timedelta(minutes=int(post_id)),
        url=f"https://t.me/pm/{post_id}",
        text=f"post {post_id}",
        comments=comments,
    )


def _comment(parent: str, number: int, text: str = "a reply", author: str = "Ann") -> PostRecord:
    return PostRecord(
        platform_post_id=comment_post_id(parent, number),
        published_at=T0 + timedelta(hours=1, minutes=number),
        url=f"https://t.me/pm/{parent}?comment={number}",
        text=text,
        parent_post_id=parent,
        author_name=author,
        author_id=f"user:{number}",
    )


def _thread(parent: str, numbers: list[int], total: int | None, complete: bool) -> CommentThread:
    comments = [_comment(parent, n) for n in sorted(numbers, reverse=True)]
    return CommentThread(parent, comments, total=total, complete=complete)


def _rows(db: TestDatabase, account_id: int) -> dict[str, Post]:
    with transaction(db.engine) as session:
        posts = session.scalars(select(Post).where(Post.account_id == account_id)).all()
        session.expunge_all()
    return {post.platform_post_id: post for post in posts}


def test_comments_hang_under_their_post_and_a_second_read_changes_nothing(
    db: TestDatabase,
) -> None:
    account_id = _account(db)
    with transaction(db.engine) as session:
        listed = ingest_posts(session, account_id, [_post("10", comments=2)], T0)
    assert [(t.platform_post_id, t.count, t.synced) for t in listed.threads] == [("10", 2, None)]
    for attempt in range(2):
        with transaction(db.engine) as session:
            result = ingest_comments(
                session, account_id, _thread("10", [501, 502], 2, True), T0 + timedelta(hours=2)
            )
        assert (result.new, result.deleted) == ((2, 0) if attempt == 0 else (0, 0))
    rows = _rows(db, account_id)
    parent = rows["10"]
    assert parent.comments_synced == 2 and parent.parent_post_id is None
    comment = rows["10/c501"]
    assert comment.parent_post_id == parent.id
    assert (comment.author_name, comment.author_id) == ("Ann", "user:501")
    assert len(rows) == 3
    with transaction(db.engine) as session:  # the listing now knows it was read at 2
        again = ingest_posts(session, account_id, [_post("10", comments=2)], T0)
        events = session.scalars(select(AlertEvent.kind)).all()
    assert [(t.count, t.synced) for t in again.threads] == [(2, 2)]
    assert events == ["new_post"]  # the channel post alone: comments alert by keyword hits


def test_the_listing_window_never_marks_comments_deleted(db: TestDatabase) -> None:
    account_id = _account(db)
    with transaction(db.engine) as session:
        ingest_posts(session, account_id, [_post("10", comments=1)], T0)
        ingest_comments(session, account_id, _thread("10", [501], 1, True), T0)
    with transaction(db.engine) as session:  # a listing that saw the channel post only
        deleted = mark_deleted(session, account_id, T0 - timedelta(days=1), {"10"}, T0)
    assert deleted == 0
    assert _rows(db, account_id)["10/c501"].deleted_at is None


def test_a_thread_read_marks_deleted_only_what_it_covered(db: TestDatabase) -> None:
    account_id = _account(db)
    with transaction(db.engine) as session:
        ingest_posts(session, account_id, [_post("10", comments=4)], T0)
        ingest_comments(session, account_id, _thread("10", [501, 502, 503, 504], 4, True), T0)
    later = T0 + timedelta(days=1)
    with transaction(db.engine) as session:  # capped at 2: 503 is gone, 501 was not read
        result = ingest_comments(session, account_id, _thread("10", [502, 504], 9, False), later)
    assert result.deleted == 1
    rows = _rows(db, account_id)
    assert rows["10/c503"].deleted_at is not None
    assert rows["10/c501"].deleted_at is None and rows["10/c502"].deleted_at is None
    assert rows["10"].comments_synced == 9
    with transaction(db.engine) as session:  # a complete read covers the whole thread
        result = ingest_comments(session, account_id, _thread("10", [502, 504], 2, True), later)
    assert result.deleted == 1
    assert _rows(db, account_id)["10/c501"].deleted_at is not None


def test_comments_of_a_post_never_stored_are_dropped(db: TestDatabase) -> None:
    account_id = _account(db)
    with transaction(db.engine) as session:
        result = ingest_comments(session, account_id, _thread("77", [1], 1, True), T0)
        stray = ingest_posts(session, account_id, [_comment("78", 2)], T0)
    assert (result.new, stray.new) == (0, 0)
    assert _rows(db, account_id) == {}
