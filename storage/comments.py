"""Comments (replies in a Telegram channel's discussion group) stored as posts under their post."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.records import CommentThread, comment_number
from storage.ingest import BatchResult, ingest_posts, set_deleted
from storage.models import Post


def ingest_comments(
    session: Session,
    account_id: int,
    thread: CommentThread,
    now: datetime,
    *,
    count: int | None = None,
) -> BatchResult:
    """Upsert the comments read of one post's thread, note the count they were read at (the
    listing's `count` when it gave one, else the thread's), and mark deleted the stored comments
    the read covered but no longer shows (idempotent)."""
    parent = session.scalar(
        select(Post).where(
            Post.account_id == account_id,
            Post.platform_post_id == thread.parent_post_id,
            Post.parent_post_id.is_(None),
        )
    )
    if parent is None:
        return BatchResult()
    for comment in thread.comments:
        comment.parent_post_id = thread.parent_post_id
    result = ingest_posts(session, account_id, thread.comments, now)
    for known in (count, thread.total, len(thread.comments)):
        if known is not None:
            parent.comments_synced = known
            break
    oldest = thread.oldest_id
    stored = session.execute(
        select(Post.id, Post.platform_post_id).where(
            Post.parent_post_id == parent.id, Post.deleted_at.is_(None)
        )
    ).all()
    gone = []
    for post_id, platform_id in stored:
        if platform_id in result.seen_ids:
            continue
        number = comment_number(platform_id)
        covered = thread.complete or (oldest is not None and number is not None and number > oldest)
        if covered:
            gone.append(post_id)
    set_deleted(session, gone, now)
    result.deleted = len(gone)
    return result
