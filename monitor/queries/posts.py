"""Stored posts: one found by id, URL or `platform:account/post_id`; lists with edits, deletions."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import ScalarSelect, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from collectors.errors import PolmonError
from collectors.identity import InvalidAccount, account_key
from collectors.records import PLATFORMS
from monitor.engagement.curves import reactions_total
from monitor.queries.scope import AnySelect, scoped
from monitor.queries.selection import UnknownSelection
from storage.models import Account, Actor, Post, PostMetric, PostVersion

POST_COLUMNS = (
    "id",
    "actor",
    "platform",
    "account",
    "post_id",
    "published_at",
    "kind",
    "views",
    "likes",
    "shares",
    "comments",
    "reactions",
    "metrics_at",
    "edited",
    "edited_at",
    "version_count",
    "first_seen_at",
    "last_seen_at",
    "deleted",
    "deleted_at",
    "text",
    "url",
)


class PostRow(TypedDict):
    """One stored post as `list_posts` gives it (keys: `POST_COLUMNS`; times UTC). The
    numbers are those of its latest capture (`post_metrics`, taken at `metrics_at`),
    `reactions` their total; `first_seen_at`/`last_seen_at` the first and latest pass that
    saw it, `version_count` the versions of its text."""

    id: int
    actor: str
    platform: str
    account: str
    post_id: str
    published_at: datetime
    kind: str
    views: int | None
    likes: int | None
    shares: int | None
    comments: int | None
    reactions: int | None
    metrics_at: datetime | None
    edited: bool
    edited_at: datetime | None
    version_count: int
    first_seen_at: datetime
    last_seen_at: datetime
    deleted: bool
    deleted_at: datetime | None
    text: str | None
    url: str | None
    author: str | None  # a comment's author (`--comments`); None for channel posts


class BadPostRef(UnknownSelection):
    """A post reference in no form polmon knows (a user error)."""


class PostNotFound(PolmonError, LookupError):
    """A well-formed post reference that names no stored post."""

    expected = True


def find_post(session: Session, ref: str) -> Post:
    """A post by our id, its URL as stored, or `platform:account/post_id`."""
    text = ref.strip()
    post: Post | None = None
    if text.isdigit():
        post = session.get(Post, int(text))
    elif text.startswith(("http://", "https://")):
        bare = text.rstrip("/")
        post = session.scalars(
            select(Post).where(or_(Post.url == text, Post.url == bare, Post.url == bare + "/"))
        ).first()
    elif ":" in text and "/" in text:
        platform, _, rest = text.partition(":")
        account, _, post_id = rest.rpartition("/")
        if platform not in PLATFORMS:
            raise BadPostRef(f"unknown platform {platform!r} in {text!r}")
        try:
            handle = account_key(platform, account, None)
        except InvalidAccount as exc:
            raise BadPostRef(str(exc)) from None
        post = session.scalars(
            select(Post)
            .join(Account, Account.id == Post.account_id)
            .where(
                Account.platform == platform,
                Account.handle == handle,
                Post.platform_post_id == post_id,
            )
        ).first()
    else:
        raise BadPostRef(
            f"{text!r} is not a post reference: give a post id, a post URL, or "
            "platform:account/post_id"
        )
    if post is None:
        raise PostNotFound(f"no post {text!r} in the database")
    return post


# The latest capture's columns, each a correlated subquery on the (post_id, captured_at) index:
# in the select list, so only the rows the LIMIT keeps look them up.
_CAPTURED = (
    PostMetric.views,
    PostMetric.likes,
    PostMetric.shares,
    PostMetric.comments,
    PostMetric.reactions,
    PostMetric.captured_at,
)


def _latest_capture(column: InstrumentedAttribute[Any]) -> ScalarSelect[Any]:
    """`column` of the post's latest `post_metrics` row (ties: the row written last)."""
    return (
        select(column)
        .where(PostMetric.post_id == Post.id)
        .order_by(PostMetric.captured_at.desc(), PostMetric.id.desc())
        .limit(1)
        .correlate(Post)
        .scalar_subquery()
    )


def newest_first(
    stmt: AnySelect,
    *,
    account_ids: Collection[int] | None,
    actor: str | None,
    platform: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int | None,
) -> AnySelect:
    """`stmt` (a select of post columns) joined to each post's account and actor, narrowed by
    `scoped()` to posts published in `since <= t < until`, newest first, at most `limit`."""
    stmt = (
        stmt.join(Account, Post.account_id == Account.id)
        .join(Actor, Account.actor_id == Actor.id)
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(limit)
    )
    return scoped(
        stmt,
        time=Post.published_at,
        actor=actor,
        account_ids=account_ids,
        platform=platform,
        since=since,
        until=until,
    )


def list_posts(
    session: Session,
    *,
    account_ids: Collection[int] | None = None,
    actor: str | None = None,
    platform: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    only_deleted: bool = False,
    only_edited: bool = False,
    comments_only: bool = False,
    limit: int | None = 50,
) -> list[PostRow]:
    """Stored posts newest first (published in `since <= t < until`), with when they were
    edited and deleted, how many versions of their text were seen and their latest capture's
    numbers, in one statement; `actor` is the stored name (see `selection.actor_name`),
    `limit=None` lists all. The channels' own posts, or with `comments_only` the comments
    stored under them instead (each with its author)."""
    versions = (
        select(func.count())
        .select_from(PostVersion)
        .where(PostVersion.post_id == Post.id)
        .correlate(Post)
        .scalar_subquery()
    )
    query = select(
        Post,
        Account.platform,
        Account.handle,
        Actor.name,
        versions,
        *(_latest_capture(column) for column in _CAPTURED),
    )
    query = newest_first(
        query,
        account_ids=account_ids,
        actor=actor,
        platform=platform,
        since=since,
        until=until,
        limit=limit,
    )
    if comments_only:
        query = query.where(Post.parent_post_id.is_not(None))
    else:
        query = query.where(Post.parent_post_id.is_(None))
    if only_deleted:
        query = query.where(Post.deleted_at.is_not(None))
    if only_edited:
        query = query.where(Post.edited_at.is_not(None))
    return [
        PostRow(
            id=post.id,
            actor=actor_name,
            platform=post_platform,
            account=handle,
            post_id=post.platform_post_id,
            published_at=post.published_at,
            kind=post.kind,
            views=views,
            likes=likes,
            shares=shares,
            comments=comments,
            reactions=reactions_total(reactions),
            metrics_at=captured_at,
            edited=post.edited_at is not None,
            edited_at=post.edited_at,
            version_count=count,
            first_seen_at=post.first_seen_at,
            last_seen_at=post.last_seen_at,
            deleted=post.deleted_at is not None,
            deleted_at=post.deleted_at,
            text=post.title or post.text,
            url=post.url,
            author=post.author_name,
        )
        for (
            post,
            post_platform,
            handle,
            actor_name,
            count,
            views,
            likes,
            shares,
            comments,
            reactions,
            captured_at,
        ) in session.execute(query)
    ]
