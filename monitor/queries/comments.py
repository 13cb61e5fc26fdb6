"""A post's comments (replies in its Telegram channel's discussion group), in thread order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from storage.models import Post

COMMENT_COLUMNS = (
    "id",
    "comment_id",
    "published_at",
    "author",
    "text",
    "reply_to",
    "edited_at",
    "deleted_at",
    "url",
)


class CommentRow(TypedDict):
    """One stored comment (keys: `COMMENT_COLUMNS`; times UTC). `author` is the public name
    the platform showed (platform text: escape it); `reply_to` the comment it answers."""

    id: int
    comment_id: str
    published_at: datetime
    author: str | None
    text: str | None
    reply_to: str | None
    edited_at: datetime | None
    deleted_at: datetime | None
    url: str | None


def comments_of(session: Session, post_id: int, *, limit: int | None = None) -> list[CommentRow]:
    """The comments stored under one post, oldest first (the newest `limit` when given)."""
    query = (
        select(Post)
        .where(Post.parent_post_id == post_id)
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(limit)
    )
    rows = [
        CommentRow(
            id=post.id,
            comment_id=post.platform_post_id,
            published_at=post.published_at,
            author=post.author_name,
            text=post.text,
            reply_to=post.reply_to_id,
            edited_at=post.edited_at,
            deleted_at=post.deleted_at,
            url=post.url,
        )
        for post in session.scalars(query)
    ]
    return rows[::-1]


def comment_count(session: Session, post_id: int) -> int:
    """How many comments are stored under one post (deleted ones included)."""
    query = select(func.count()).select_from(Post).where(Post.parent_post_id == post_id)
    return session.scalar(query) or 0
