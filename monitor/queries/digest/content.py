"""Digest queries about content: new posts, keyword hits, edits, deletions, top posts, events."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from monitor.digest.data import (
    DeletionItem,
    EditItem,
    EventItem,
    HitGroup,
    HitItem,
    Period,
    PostCount,
    PostItem,
    Scope,
)
from monitor.hit_confidence import APPROXIMATE_MARK
from monitor.queries.hits import confidence_filter
from monitor.queries.scope import scoped
from storage.models import Account, AccountEvent, Actor, KeywordHit, Post, PostVersion

# A post collected after the previous digest went out but published just before it is
# reported by the next digest ("late arrival"), so a collection lag never hides a post.
LATE_POSTS = timedelta(days=3)
# Keyword hits in transcripts arrive once the video is downloaded and transcribed.
LATE_HITS = timedelta(days=7)
HITS_PER_GROUP = 25


SelectT = TypeVar("SelectT", bound=Select)


def in_scope(stmt: SelectT, scope: Scope) -> SelectT:
    """Restrict a statement already joined to Actor to the scope's actors (none: all)."""
    return scoped(stmt, actors=scope.actors or None)


def _post_in_period(period: Period) -> ColumnElement[bool]:
    """Channel posts (not comments) published in the period, or first seen in it when
    published shortly before."""
    return and_(
        Post.parent_post_id.is_(None),
        Post.published_at >= period.start - LATE_POSTS,
        Post.published_at < period.end,
        or_(
            Post.published_at >= period.start,
            and_(Post.first_seen_at >= period.start, Post.first_seen_at < period.end),
        ),
    )


def _joined_posts(*columns: Any) -> Select[Any]:
    return (
        select(*columns)
        .join(Account, Post.account_id == Account.id)
        .join(Actor, Account.actor_id == Actor.id)
    )


def post_text(post: Post) -> str:
    return (post.text or post.title or "").strip()


def new_post_counts(session: Session, period: Period, scope: Scope) -> list[PostCount]:
    stmt = in_scope(
        _joined_posts(Actor.name, Account.platform, Account.handle, func.count(Post.id))
        .where(_post_in_period(period))
        .group_by(Actor.name, Account.platform, Account.handle)
        .order_by(Actor.name, Account.platform, Account.handle),
        scope,
    )
    return [PostCount(*row) for row in session.execute(stmt)]


def top_posts(session: Session, period: Period, scope: Scope, limit: int) -> list[PostItem]:
    stmt = in_scope(
        _joined_posts(Post, Actor.name, Account.platform, Account.handle)
        .where(_post_in_period(period), Post.views.is_not(None))
        .order_by(Post.views.desc(), Post.published_at.desc())
        .limit(limit),
        scope,
    )
    return [
        PostItem(
            actor=actor,
            platform=platform,
            handle=handle,
            url=post.url,
            published_at=post.published_at,
            kind=post.kind,
            text=post_text(post),
            views=post.views,
            likes=post.likes,
            shares=post.shares,
        )
        for post, actor, platform, handle in session.execute(stmt)
    ]


def keyword_hits(
    session: Session,
    period: Period,
    scope: Scope,
    per_group: int = HITS_PER_GROUP,
    *,
    min_confidence: float | None = None,
    include_approximate: bool = True,
) -> list[HitGroup]:
    """Hits grouped by keyword group: counts per term, and the newest sources of each group
    (one item per post text, poll or transcript segment, listing every term it matched).

    Hits below `min_confidence` (those with one) are left out, approximate ones too unless
    `include_approximate`; approximate matches are counted apart (`≈ term`) and marked."""
    when = and_(
        KeywordHit.published_at >= period.start - LATE_HITS,
        KeywordHit.published_at < period.end,
        or_(
            KeywordHit.published_at >= period.start,
            and_(KeywordHit.matched_at >= period.start, KeywordHit.matched_at < period.end),
        ),
    )
    base = (
        select(KeywordHit.id)
        .join(Post, KeywordHit.post_id == Post.id)
        .join(Account, Post.account_id == Account.id)
        .join(Actor, Account.actor_id == Actor.id)
        .where(when, *confidence_filter(min_confidence, include_approximate))
    )
    if scope.keyword_groups:
        base = base.where(KeywordHit.group_name.in_(scope.keyword_groups))
    ids = in_scope(base, scope).subquery()
    counts = session.execute(
        select(KeywordHit.group_name, KeywordHit.term, KeywordHit.approximate, func.count())
        .where(KeywordHit.id.in_(select(ids.c.id)))
        .group_by(KeywordHit.group_name, KeywordHit.term, KeywordHit.approximate)
    )
    groups: dict[str, HitGroup] = {}
    for group_name, term, approximate, count in counts:
        group = groups.setdefault(group_name, HitGroup(group_name, 0, {}))
        group.total += count
        group.terms[f"{APPROXIMATE_MARK} {term}" if approximate else term] = count
        group.approximate += count if approximate else 0
    hit_in_scope = KeywordHit.id.in_(select(ids.c.id))
    for group_name, source_count in session.execute(
        select(KeywordHit.group_name, func.count(func.distinct(KeywordHit.source_key)))
        .where(hit_in_scope)
        .group_by(KeywordHit.group_name)
    ):
        groups[group_name].sources = source_count
    # One row per source (a post's text or one transcript segment), however many terms it
    # matched: rank the sources, then read every hit of the sources kept.
    sources = (
        select(
            KeywordHit.group_name,
            KeywordHit.source_key,
            func.min(KeywordHit.id).label("first_id"),
        )
        .where(hit_in_scope)
        .group_by(KeywordHit.group_name, KeywordHit.source_key)
        .subquery()
    )
    first = aliased(KeywordHit)
    rank = (
        func.row_number()
        .over(
            partition_by=sources.c.group_name,
            order_by=(first.published_at.desc(), first.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(sources.c.group_name, sources.c.source_key, rank)
        .join(first, first.id == sources.c.first_id)
        .subquery()
    )
    rows = session.execute(
        select(KeywordHit, Actor.name, Account.platform)
        .join(
            ranked,
            and_(
                ranked.c.group_name == KeywordHit.group_name,
                ranked.c.source_key == KeywordHit.source_key,
            ),
        )
        .join(Post, KeywordHit.post_id == Post.id)
        .join(Account, Post.account_id == Account.id)
        .join(Actor, Account.actor_id == Actor.id)
        .where(hit_in_scope, ranked.c.rank <= per_group)
        .order_by(KeywordHit.group_name, ranked.c.rank, KeywordHit.id)
    )
    by_source: dict[tuple[str, str], HitItem] = {}
    for hit, actor, platform in rows:
        fuzzy: tuple[str, ...] = (hit.term,) if hit.approximate else ()
        item = by_source.get((hit.group_name, hit.source_key))
        if item is not None:
            item.terms = (*item.terms, hit.term)
            item.approximate_terms = (*item.approximate_terms, *fuzzy)
            continue
        item = HitItem(
            term=hit.term,
            actor=actor,
            platform=platform,
            source_kind=hit.source_kind,
            snippet=hit.snippet,
            link=hit.link,
            start_seconds=hit.start_seconds,
            published_at=hit.published_at,
            terms=(hit.term,),
            confidence=hit.confidence,
            approximate_terms=fuzzy,
        )
        by_source[(hit.group_name, hit.source_key)] = item
        groups[hit.group_name].hits.append(item)
    return [groups[name] for name in sorted(groups)]


def edits(session: Session, period: Period, scope: Scope) -> list[EditItem]:
    """Texts first seen in the period that replaced an earlier text of the same post."""
    order = (PostVersion.seen_at, PostVersion.id)
    edited_posts = select(PostVersion.post_id).where(
        PostVersion.seen_at >= period.start, PostVersion.seen_at < period.end
    )
    versions = (
        select(
            PostVersion.post_id,
            PostVersion.seen_at,
            func.coalesce(PostVersion.text, PostVersion.title, PostVersion.poll_text, "").label(
                "new_text"
            ),
            func.lag(func.coalesce(PostVersion.text, PostVersion.title, PostVersion.poll_text, ""))
            .over(partition_by=PostVersion.post_id, order_by=order)
            .label("old_text"),
            func.row_number().over(partition_by=PostVersion.post_id, order_by=order).label("n"),
        )
        .where(PostVersion.post_id.in_(edited_posts))
        .subquery()
    )
    stmt = in_scope(
        _joined_posts(
            Actor.name,
            Account.platform,
            Account.handle,
            Post.url,
            versions.c.seen_at,
            versions.c.old_text,
            versions.c.new_text,
        )
        .join(versions, versions.c.post_id == Post.id)
        .where(
            versions.c.n > 1,
            versions.c.seen_at >= period.start,
            versions.c.seen_at < period.end,
        )
        .order_by(versions.c.seen_at, Post.id),
        scope,
    )
    return [EditItem(*row) for row in session.execute(stmt)]


def deletions(session: Session, period: Period, scope: Scope) -> list[DeletionItem]:
    stmt = in_scope(
        _joined_posts(Post, Actor.name, Account.platform, Account.handle)
        .where(Post.deleted_at >= period.start, Post.deleted_at < period.end)
        .order_by(Post.deleted_at, Post.id),
        scope,
    )
    return [
        DeletionItem(
            actor=actor,
            platform=platform,
            handle=handle,
            url=post.url,
            published_at=post.published_at,
            deleted_at=post.deleted_at,
            text=post_text(post),
        )
        for post, actor, platform, handle in session.execute(stmt)
    ]


def account_events(session: Session, period: Period, scope: Scope) -> list[EventItem]:
    stmt = in_scope(
        select(AccountEvent, Actor.name, Account.platform, Account.handle)
        .join(Account, AccountEvent.account_id == Account.id)
        .join(Actor, Account.actor_id == Actor.id)
        .where(AccountEvent.detected_at >= period.start, AccountEvent.detected_at < period.end)
        .order_by(AccountEvent.detected_at, AccountEvent.id),
        scope,
    )
    return [
        EventItem(
            actor=actor,
            platform=platform,
            handle=handle,
            kind=event.kind,
            detail=_detail(event.detail),
            detected_at=event.detected_at,
        )
        for event, actor, platform, handle in session.execute(stmt)
    ]


def _detail(detail: dict[str, Any] | None) -> str:
    if not detail:
        return ""
    return ", ".join(
        f"{key}: {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
        for key, value in sorted(detail.items())
    )
