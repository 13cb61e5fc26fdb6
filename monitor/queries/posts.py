"""Stored posts: one found by id, URL or `platform:account/post_id`; lists with edits, deletions."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TypedDict

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from collectors.errors import PolmonError
from collectors.identity import InvalidAccount, account_key
from collectors.records import PLATFORMS
from monitor.queries.scope import scoped
from monitor.queries.selection import UnknownSelection
from storage.models import Account, Actor, Post, PostVersion

POST_COLUMNS = (
    "id",
    "actor",
    "platform",
    "account",
    "post_id",
    "published_at",
    "kind",
    "views",
    "edited",
    "edited_at",
    "version_count",
    "deleted",
    "deleted_at",
    "text",
    "url",
)


class PostRow(TypedDict):
    """One stored post as `list_posts` gives it (keys: `POST_COLUMNS`; times UTC)."""

    id: int
    actor: str
    platform: str
    account: str
    post_id: str
    published_at: datetime
    kind: str
    views: int | None
    edited: bool
    edited_at: datetime | None
    version_count: int
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
    edited and deleted and how many versions of their text were seen; `actor` is the stored
    name (see `selection.actor_name`), `limit=None` lists all. The channels' own posts, or with
    `comments_only` the comments stored under them instead (each with its author)."""
    versions = (
        select(func.count())
        .select_from(PostVersion)
        .where(PostVersion.post_id == Post.id)
        .correlate(Post)
        .scalar_subquery()
    )
    query = (
        select(Post, Account.platform, Account.handle, Actor.name, versions)
        .join(Account, Post.account_id == Account.id)
        .join(Actor, Account.actor_id == Actor.id)
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(limit)
    )
    query = scoped(
        query,
        time=Post.published_at,
        actor=actor,
        account_ids=account_ids,
        platform=platform,
        since=since,
        until=until,
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
            views=post.views,
            edited=post.edited_at is not None,
            edited_at=post.edited_at,
            version_count=count,
            deleted=post.deleted_at is not None,
            deleted_at=post.deleted_at,
            text=post.title or post.text,
            url=post.url,
            author=post.author_name,
        )
        for post, post_platform, handle, actor_name, count in session.execute(query)
    ]
