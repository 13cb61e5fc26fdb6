"""Reading hits back: filtered listings and hit counts over time per group and actor."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.types import Date

from monitor.growth.series import Interval, period_start
from storage.models import Account, Actor, KeywordHit, Post

AnySelect = TypeVar("AnySelect", bound="Select[*tuple[Any, ...]]")
HIT_COLUMNS = (
    "published_at",
    "group",
    "term",
    "actor",
    "platform",
    "handle",
    "source",
    "start_seconds",
    "snippet",
    "link",
)


def _filtered(
    stmt: AnySelect,
    *,
    group: str | None,
    term: str | None,
    actor: str | None,
    platform: str | None,
    since: datetime | None,
    until: datetime | None,
    account_ids: Collection[int] | None = None,
) -> AnySelect:
    stmt = (
        stmt.join(Post, Post.id == KeywordHit.post_id)
        .join(Account, Account.id == Post.account_id)
        .join(Actor, Actor.id == Account.actor_id)
    )
    if group:
        stmt = stmt.where(KeywordHit.group_name == group)
    if term:
        stmt = stmt.where(KeywordHit.term == term)
    if actor:
        stmt = stmt.where(Actor.name == actor)
    if platform:
        stmt = stmt.where(Account.platform == platform)
    if account_ids is not None:
        stmt = stmt.where(Account.id.in_(account_ids))
    if since:
        stmt = stmt.where(KeywordHit.published_at >= since)
    if until:
        stmt = stmt.where(KeywordHit.published_at < until)
    return stmt


def list_hits(session: Session, *, limit: int | None = 100, **filters: Any) -> list[dict[str, Any]]:
    """Hits, newest first, with their actor and account."""
    stmt = select(
        KeywordHit.published_at,
        KeywordHit.group_name.label("group"),
        KeywordHit.term,
        Actor.name.label("actor"),
        Account.platform,
        Account.handle,
        KeywordHit.source_kind.label("source"),
        KeywordHit.start_seconds,
        KeywordHit.snippet,
        KeywordHit.link,
    ).select_from(KeywordHit)
    stmt = _filtered(stmt, **filters).order_by(KeywordHit.published_at.desc(), KeywordHit.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    return [dict(row) for row in session.execute(stmt).mappings()]


def _utc_day(session: Session, column: Any) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def hit_trends(
    session: Session,
    *,
    interval: Interval = "day",
    group: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict[str, Any]]:
    """Hits and distinct posts per (group, actor, period); periods without hits are omitted."""
    day = _utc_day(session, KeywordHit.published_at).label("day")
    stmt = select(
        KeywordHit.group_name,
        Actor.name,
        day,
        func.count(),
        func.count(func.distinct(KeywordHit.post_id)),
    ).select_from(KeywordHit)
    stmt = _filtered(
        stmt, group=group, term=None, actor=actor, platform=None, since=since, until=until
    ).where(KeywordHit.published_at.is_not(None))
    stmt = stmt.group_by(KeywordHit.group_name, Actor.name, day)
    hits: dict[tuple[str, str, date], int] = defaultdict(int)
    posts: dict[tuple[str, str, date], int] = defaultdict(int)
    for group_name, actor_name, when, count, distinct_posts in session.execute(stmt):
        if isinstance(when, str):
            when = date.fromisoformat(when)
        key = (group_name, actor_name, period_start(when, interval))
        hits[key] += count
        posts[key] += distinct_posts  # a post has one day, so summing days stays distinct
    return [
        {
            "group": g,
            "actor": a,
            "period_start": p,
            "hits": hits[(g, a, p)],
            "posts": posts[(g, a, p)],
        }
        for g, a, p in sorted(hits, key=lambda k: (k[0], k[1], k[2]))
    ]
