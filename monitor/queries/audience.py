"""Reads for the web's actor and account pages: who they are, raw captures, profile, posts, runs."""

from __future__ import annotations

import statistics
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from monitor.queries.growth.data import Metric, values_at
from storage.models import Account, AccountEvent, Actor, AudienceSnapshot, CollectionRun, Post


@dataclass(frozen=True, slots=True)
class ActorCard:
    """An actor as the pages show it."""

    id: int
    name: str
    kind: str
    country: str | None


@dataclass(frozen=True, slots=True)
class AccountCard:
    """An account as the pages show it: identity, profile text, status, collection times."""

    id: int
    actor_id: int
    actor: str
    platform: str
    handle: str
    display_name: str | None
    description: str | None
    url: str | None
    status: str
    active: bool
    first_seen_at: datetime | None
    last_collected_at: datetime | None


def actors_by_name(session: Session) -> dict[str, ActorCard]:
    """Every actor keyed by its stored name (growth reports name actors)."""
    rows = session.execute(select(Actor.id, Actor.name, Actor.kind, Actor.country))
    return {row.name: ActorCard(*row) for row in rows}


def find_actor(session: Session, actor_id: int) -> ActorCard | None:
    row = session.execute(
        select(Actor.id, Actor.name, Actor.kind, Actor.country).where(Actor.id == actor_id)
    ).first()
    return ActorCard(*row) if row else None


def _account_cards(session: Session, *conditions: Any) -> list[AccountCard]:
    stmt = (
        select(
            Account.id,
            Account.actor_id,
            Actor.name,
            Account.platform,
            Account.handle,
            Account.display_name,
            Account.description,
            Account.url,
            Account.status,
            Account.active,
            Account.first_seen_at,
            Account.last_collected_at,
        )
        .join(Actor, Actor.id == Account.actor_id)
        .where(*conditions)
        .order_by(Account.platform, Account.handle)
    )
    return [AccountCard(*row) for row in session.execute(stmt)]  # type: ignore[call-arg]


def find_account(session: Session, account_id: int) -> AccountCard | None:
    found = _account_cards(session, Account.id == account_id)
    return found[0] if found else None


def account_cards(session: Session, account_ids: Collection[int]) -> dict[int, AccountCard]:
    """The accounts with these ids, by id."""
    if not account_ids:
        return {}
    return {card.id: card for card in _account_cards(session, Account.id.in_(account_ids))}


class Capture(TypedDict):
    account_id: int
    captured_at: datetime
    value: int
    approximate: bool


def captures(
    session: Session,
    account_ids: Sequence[int],
    since: datetime,
    until: datetime,
    metric: Metric,
) -> list[Capture]:
    """Every capture of `metric` in `since <= t <= until`, oldest first: an index range read
    on audience_snapshots (account_id, captured_at) per account."""
    column = getattr(AudienceSnapshot, metric)
    stmt = (
        select(
            AudienceSnapshot.account_id,
            AudienceSnapshot.captured_at,
            column,
            AudienceSnapshot.is_approximate,
        )
        .where(
            AudienceSnapshot.account_id.in_(list(account_ids)),
            AudienceSnapshot.captured_at >= since,
            AudienceSnapshot.captured_at <= until,
            column.is_not(None),
        )
        .order_by(AudienceSnapshot.captured_at)
    )
    return [
        Capture(account_id=a, captured_at=t, value=v, approximate=bool(ap))
        for a, t, v, ap in session.execute(stmt)
    ]


def data_version(session: Session) -> tuple[int | None, ...]:
    """The newest row id of each table the growth pages read: any new capture, post, event,
    run or account changes it (each a primary-key index read)."""
    return tuple(
        session.scalar(select(func.max(column)))
        for column in (AudienceSnapshot.id, Post.id, AccountEvent.id, CollectionRun.id, Account.id)
    )


def latest_capture(session: Session, actor_id: int) -> datetime | None:
    """When the actor's active accounts were last captured: one index seek per account on
    audience_snapshots (account_id, captured_at)."""
    last = (
        select(AudienceSnapshot.captured_at)
        .where(AudienceSnapshot.account_id == Account.id)
        .order_by(AudienceSnapshot.captured_at.desc())
        .limit(1)
        .correlate(Account)
        .scalar_subquery()
    )
    per_account = (
        select(last.label("captured_at"))
        .where(Account.actor_id == actor_id, Account.active.is_(True))
        .subquery()
    )
    found: datetime | None = session.scalar(select(func.max(per_account.c.captured_at)))
    return found


class ProfileChange(TypedDict):
    """An account event; `detail` holds e.g. the old and new display name of a rename."""

    detected_at: datetime
    kind: str
    detail: dict[str, Any] | None


def profile_history(session: Session, account_id: int, limit: int = 200) -> list[ProfileChange]:
    """The account's events, newest first."""
    stmt = (
        select(AccountEvent.detected_at, AccountEvent.kind, AccountEvent.detail)
        .where(AccountEvent.account_id == account_id)
        .order_by(AccountEvent.detected_at.desc(), AccountEvent.id.desc())
        .limit(limit)
    )
    return [ProfileChange(detected_at=t, kind=k, detail=d) for t, k, d in session.execute(stmt)]


class RecentPost(TypedDict):
    id: int
    account_id: int
    platform: str
    handle: str
    published_at: datetime | None
    title: str | None
    text: str | None
    views: int | None
    deleted_at: datetime | None
    url: str | None


def recent_posts(
    session: Session,
    *,
    account_ids: Sequence[int] | None = None,
    actor_id: int | None = None,
    limit: int = 30,
) -> list[RecentPost]:
    """The latest posts of these accounts, or of all the actor's accounts, newest first (one
    statement; the planner picks the posts (account_id, published_at) or (published_at) index)."""
    stmt = (
        select(
            Post.id,
            Post.account_id,
            Account.platform,
            Account.handle,
            Post.published_at,
            Post.title,
            Post.text,
            Post.views,
            Post.deleted_at,
            Post.url,
        )
        .join(Account, Account.id == Post.account_id)
        .where(Post.parent_post_id.is_(None))  # comments show under their post
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(limit)
    )
    if account_ids is not None:
        stmt = stmt.where(Post.account_id.in_(list(account_ids)))
    if actor_id is not None:
        stmt = stmt.where(Account.actor_id == actor_id)
    return [
        RecentPost(
            id=row.id,
            account_id=row.account_id,
            platform=row.platform,
            handle=row.handle,
            published_at=row.published_at,
            title=row.title,
            text=row.text,
            views=row.views,
            deleted_at=row.deleted_at,
            url=row.url,
        )
        for row in session.execute(stmt)
    ]


class EngagementWeek(TypedDict):
    """Posts of one week (from Monday): how many, median views, ERR (median views over the
    audience at the week's end, as `polmon growth` computes views per subscriber)."""

    week: str
    posts: int
    median_views: float | None
    audience: int | None
    err: float | None


def engagement_by_week(
    session: Session, account_id: int, since: datetime, until: datetime, metric: Metric
) -> list[EngagementWeek]:
    """Views per post and ERR per week, oldest first, for weeks with posts in the window."""
    stmt = (
        select(Post.published_at, Post.views)
        .where(
            Post.account_id == account_id,
            Post.parent_post_id.is_(None),
            Post.published_at >= since,
            Post.published_at <= until,
        )
        .order_by(Post.published_at)
    )
    weeks: dict[str, list[int | None]] = {}
    ends: dict[str, datetime] = {}
    for published, post_views in session.execute(stmt):
        monday = (published - timedelta(days=published.weekday())).date()
        key = monday.isoformat()
        weeks.setdefault(key, []).append(post_views)
        ends[key] = min(
            until,
            published.replace(hour=0, minute=0, second=0, microsecond=0)
            + timedelta(days=7 - published.weekday()),
        )
    audience = values_at(session, [account_id], ends, metric) if ends else {}
    out = []
    for key, week_views in weeks.items():
        counted = [v for v in week_views if v is not None]
        median = float(statistics.median(counted)) if counted else None
        capture = audience.get(key, {}).get(account_id)
        size = capture.value if capture else None
        out.append(
            EngagementWeek(
                week=key,
                posts=len(week_views),
                median_views=median,
                audience=size,
                err=round(median / size, 6) if median is not None and size else None,
            )
        )
    return out


class RunRow(TypedDict):
    started_at: datetime
    finished_at: datetime | None
    status: str
    new: int
    updated: int
    deleted: int
    error: str | None


def collection_runs(session: Session, account_id: int, limit: int = 50) -> list[RunRow]:
    """The account's latest collection runs, newest first, with their errors."""
    stmt = (
        select(CollectionRun)
        .where(CollectionRun.account_id == account_id)
        .order_by(CollectionRun.started_at.desc(), CollectionRun.id.desc())
        .limit(limit)
    )
    return [
        RunRow(
            started_at=run.started_at,
            finished_at=run.finished_at,
            status=run.status,
            new=run.new_posts,
            updated=run.updated_posts,
            deleted=run.deleted_posts,
            error=run.error,
        )
        for run in session.scalars(stmt)
    ]
