"""View curves' reads: the posts in scope, each account's latest posts, their captured metrics."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.queries.posts import newest_first
from monitor.queries.scope import scoped
from storage.models import Account, Actor, Post, PostMetric

# Post ids per `IN (…)` of the metrics read (SQLite binds at most 32,766 parameters).
_CHUNK = 5000


@dataclass(frozen=True)
class Capture:
    """One `post_metrics` row: the numbers a pass saw at `captured_at`."""

    captured_at: datetime
    views: int | None
    shares: int | None
    reactions: Any


@dataclass
class CapturedPost:
    """A post with everything its curve needs; `listed` when it is in the asked window,
    `baseline` when it is one of its account's latest posts (its typical curve)."""

    id: int
    account_id: int
    actor: str
    platform: str
    account: str
    post_id: str
    published_at: datetime
    last_seen_at: datetime
    url: str | None
    text: str | None
    listed: bool
    baseline: bool = False
    captures: list[Capture] = field(default_factory=list)


_COLUMNS = (
    Post.id,
    Post.account_id,
    Actor.name,
    Account.platform,
    Account.handle,
    Post.platform_post_id,
    Post.published_at,
    Post.last_seen_at,
    Post.url,
    func.coalesce(Post.title, Post.text).label("text"),
)


def captured_posts(
    session: Session,
    *,
    account_ids: Collection[int] | None = None,
    actor: str | None = None,
    platform: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 50,
    baseline_posts: int = 30,
    now: datetime,
) -> list[CapturedPost]:
    """The posts published in `since <= t < until` newest first (at most `limit`, None: all),
    then the latest `baseline_posts` posts of each of their accounts published before `until`
    (else `now`; marked `baseline`, listed or not); each with its captures, oldest first.
    Three reads whatever the number of posts (the metrics one per 5,000 posts)."""
    listed_query = newest_first(
        select(*_COLUMNS),
        account_ids=account_ids,
        actor=actor,
        platform=platform,
        since=since,
        until=until,
        limit=limit,
    ).where(Post.parent_post_id.is_(None))  # channel posts: comments have no view counts
    posts = [_post(row, listed=True) for row in session.execute(listed_query)]
    if not posts:
        return posts
    accounts = sorted({post.account_id for post in posts})
    rank = (
        func.row_number()
        .over(partition_by=Post.account_id, order_by=(Post.published_at.desc(), Post.id.desc()))
        .label("rank")
    )
    ranked = scoped(
        select(*_COLUMNS, rank)
        .join(Account, Post.account_id == Account.id)
        .join(Actor, Account.actor_id == Actor.id)
        .where(Post.parent_post_id.is_(None)),
        time=Post.published_at,
        account_ids=accounts,
        until=until or now,
    ).subquery()
    by_id = {post.id: post for post in posts}
    for row in session.execute(
        select(*(column for column in ranked.c if column.name != "rank")).where(
            ranked.c.rank <= baseline_posts
        )
    ):
        if row[0] in by_id:
            by_id[row[0]].baseline = True
        else:
            by_id[row[0]] = _post(row, listed=False, baseline=True)
            posts.append(by_id[row[0]])
    _attach_captures(session, by_id)
    return posts


def _post(row: Sequence[Any], *, listed: bool, baseline: bool = False) -> CapturedPost:
    post_id, account_id, actor, platform, handle, number, published, seen, url, text = row
    return CapturedPost(
        post_id,
        account_id,
        actor,
        platform,
        handle,
        number,
        published,
        seen,
        url,
        text,
        listed=listed,
        baseline=baseline,
    )


def _attach_captures(session: Session, by_id: dict[int, CapturedPost]) -> None:
    ids: Sequence[int] = sorted(by_id)
    for start in range(0, len(ids), _CHUNK):
        query = (
            select(
                PostMetric.post_id,
                PostMetric.captured_at,
                PostMetric.views,
                PostMetric.shares,
                PostMetric.reactions,
            )
            .where(PostMetric.post_id.in_(ids[start : start + _CHUNK]))
            .order_by(PostMetric.post_id, PostMetric.captured_at, PostMetric.id)
        )
        for post_id, captured_at, views, shares, reactions in session.execute(query):
            by_id[post_id].captures.append(Capture(captured_at, views, shares, reactions))
