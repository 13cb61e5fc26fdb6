"""Keyword hits read back: filtered listings and hit counts over time per group and actor."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session
from sqlalchemy.types import Date
from typing_extensions import TypedDict

from monitor.growth.series import Interval, period_start
from monitor.queries.scope import AnySelect, scoped
from storage.models import Account, Actor, KeywordHit, Post

HIT_COLUMNS = (
    "published_at",
    "group",
    "term",
    "actor",
    "platform",
    "handle",
    "source",
    "confidence",
    "approximate",
    "start_seconds",
    "snippet",
    "link",
)


class HitRow(TypedDict):
    """One keyword hit (keys: `HIT_COLUMNS`, and `post_id`, our id of its post); `link` opens a
    video at `start_seconds`; `source` is where the term was found (post, poll, transcript…);
    `confidence` (0..1) how sure the words were heard, null for exact text; `approximate` a
    fuzzy match, not the term itself."""

    post_id: int
    published_at: datetime | None
    group: str
    term: str
    actor: str
    platform: str
    handle: str
    source: str
    confidence: float | None
    approximate: bool
    start_seconds: float | None
    snippet: str
    link: str | None


class TrendRow(TypedDict):
    """Hits and distinct posts of one keyword group and actor in one period."""

    group: str
    actor: str
    period_start: date
    hits: int
    posts: int


def confidence_filter(
    min_confidence: float | None = None, include_approximate: bool = True
) -> list[ColumnElement[bool]]:
    """The hits a threshold keeps (`monitor.hit_confidence.passes` in SQL): those with no
    confidence (exact text) or one at least `min_confidence`; approximate ones only if asked."""
    conditions: list[ColumnElement[bool]] = []
    if min_confidence is not None:
        conditions.append(
            or_(KeywordHit.confidence.is_(None), KeywordHit.confidence >= min_confidence)
        )
    if not include_approximate:
        conditions.append(KeywordHit.approximate.is_(False))
    return conditions


def _hits_of(
    stmt: AnySelect,
    *,
    group: str | None,
    term: str | None = None,
    source: str | None = None,
    min_confidence: float | None = None,
    include_approximate: bool = True,
    **scope: Any,
) -> AnySelect:
    """`stmt` over `KeywordHit` joined to its post, account and actor, narrowed by `scoped()`
    (the window applies to the post's publication time as stored on the hit); `source` is
    a source kind ("post" the post's text, "poll", "transcript"…); the threshold as
    `confidence_filter`."""
    stmt = (
        stmt.join(Post, Post.id == KeywordHit.post_id)
        .join(Account, Account.id == Post.account_id)
        .join(Actor, Actor.id == Account.actor_id)
    )
    if group:
        stmt = stmt.where(KeywordHit.group_name == group)
    if term:
        stmt = stmt.where(KeywordHit.term == term)
    if source:
        stmt = stmt.where(KeywordHit.source_kind == source)
    stmt = stmt.where(*confidence_filter(min_confidence, include_approximate))
    return scoped(stmt, time=KeywordHit.published_at, **scope)


def list_hits(
    session: Session,
    *,
    group: str | None = None,
    term: str | None = None,
    source: str | None = None,
    actor: str | None = None,
    platform: str | None = None,
    account_ids: Collection[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    min_confidence: float | None = None,
    include_approximate: bool = True,
    limit: int | None = 100,
) -> list[HitRow]:
    """Hits in posts published in `since <= t < until`, newest first, with their actor and
    account; `group` and `actor` are stored names, `limit` None or 0 lists all."""
    stmt = select(
        KeywordHit.post_id,
        KeywordHit.published_at,
        KeywordHit.group_name.label("group"),
        KeywordHit.term,
        Actor.name.label("actor"),
        Account.platform,
        Account.handle,
        KeywordHit.source_kind.label("source"),
        KeywordHit.confidence,
        KeywordHit.approximate,
        KeywordHit.start_seconds,
        KeywordHit.snippet,
        KeywordHit.link,
    ).select_from(KeywordHit)
    stmt = _hits_of(
        stmt,
        group=group,
        term=term,
        source=source,
        actor=actor,
        platform=platform,
        account_ids=account_ids,
        since=since,
        until=until,
        min_confidence=min_confidence,
        include_approximate=include_approximate,
    ).order_by(KeywordHit.published_at.desc(), KeywordHit.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    return [cast(HitRow, dict(row)) for row in session.execute(stmt).mappings()]


def _utc_day(session: Session, column: Any) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return sql_cast(func.timezone("UTC", column), Date)
    return func.date(column)


def hit_trends(
    session: Session,
    *,
    interval: Interval = "day",
    group: str | None = None,
    term: str | None = None,
    source: str | None = None,
    actor: str | None = None,
    platform: str | None = None,
    account_ids: Collection[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    min_confidence: float | None = None,
    include_approximate: bool = True,
) -> list[TrendRow]:
    """Hits and distinct posts per (group, actor, period) in `since <= t < until`, by group,
    actor and period; periods without hits are omitted; `group` and `actor` are stored names."""
    day = _utc_day(session, KeywordHit.published_at).label("day")
    stmt = select(
        KeywordHit.group_name,
        Actor.name,
        day,
        func.count(),
        func.count(func.distinct(KeywordHit.post_id)),
    ).select_from(KeywordHit)
    stmt = _hits_of(
        stmt,
        group=group,
        term=term,
        source=source,
        actor=actor,
        platform=platform,
        account_ids=account_ids,
        since=since,
        until=until,
        min_confidence=min_confidence,
        include_approximate=include_approximate,
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
        TrendRow(group=g, actor=a, period_start=p, hits=hits[(g, a, p)], posts=posts[(g, a, p)])
        for g, a, p in sorted(hits, key=lambda k: (k[0], k[1], k[2]))
    ]
