"""Growth's database reads: accounts, the value at a time, daily rollups, jumps, engagement."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from storage.models import Account, Actor, AudienceDaily, AudienceSnapshot, Post

Metric = Literal["followers", "likes", "views_total", "posts_count"]
METRICS: tuple[Metric, ...] = ("followers", "likes", "views_total", "posts_count")
ENDED_STATUSES = frozenset({"deleted", "private", "unavailable"})
CHUNK = 500


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: int
    actor: str
    platform: str
    handle: str
    status: str

    @property
    def ended(self) -> bool:
        return self.status in ENDED_STATUSES

    @property
    def label(self) -> str:
        return f"{self.platform}:{self.handle}"


@dataclass(frozen=True, slots=True)
class Capture:
    value: int
    captured_at: datetime
    approximate: bool


def select_accounts(
    session: Session,
    *,
    actor: str | None = None,
    platform: str | None = None,
    account: str | None = None,
) -> list[AccountInfo]:
    """Configured (active) accounts matching the filters, by actor then platform."""
    stmt = (
        select(Account.id, Actor.name, Account.platform, Account.handle, Account.status)
        .join(Actor, Actor.id == Account.actor_id)
        .where(Account.active.is_(True))
        .order_by(Actor.name, Account.platform, Account.handle)
    )
    if actor:
        stmt = stmt.where(Actor.name == actor)
    if platform:
        stmt = stmt.where(Account.platform == platform)
    if account:
        stmt = stmt.where(func.lower(Account.handle) == account.lower())
    return [AccountInfo(*row) for row in session.execute(stmt)]


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def values_at(
    session: Session, ids: Sequence[int], when: datetime, metric: Metric
) -> dict[int, Capture]:
    """Each account's last non-null capture at or before `when` (one index seek per account)."""
    column = getattr(AudienceSnapshot, metric)
    latest_id = (
        select(AudienceSnapshot.id)
        .where(
            AudienceSnapshot.account_id == Account.id,
            AudienceSnapshot.captured_at <= when,
            column.is_not(None),
        )
        .order_by(AudienceSnapshot.captured_at.desc())
        .limit(1)
        .correlate(Account)
        .scalar_subquery()
    )
    found: dict[int, Capture] = {}
    for chunk in _chunks(ids):
        snapshot_ids = [
            sid
            for sid in session.scalars(select(latest_id).where(Account.id.in_(chunk)))
            if sid is not None
        ]
        rows = session.execute(
            select(
                AudienceSnapshot.account_id,
                column,
                AudienceSnapshot.captured_at,
                AudienceSnapshot.is_approximate,
            ).where(AudienceSnapshot.id.in_(snapshot_ids))
        )
        for account_id, value, captured_at, approximate in rows:
            found[account_id] = Capture(value, captured_at, approximate)
    return found


def daily_values(
    session: Session, ids: Sequence[int], since: date, until: date, metric: Metric
) -> dict[int, list[tuple[date, int | None, bool]]]:
    """Rollup rows (day, value, approximate) per account between `since` and `until`, by day."""
    column = getattr(AudienceDaily, metric)
    out: dict[int, list[tuple[date, int | None, bool]]] = {account_id: [] for account_id in ids}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(
                AudienceDaily.account_id,
                AudienceDaily.day,
                column,
                AudienceDaily.is_approximate,
            )
            .where(
                AudienceDaily.account_id.in_(chunk),
                AudienceDaily.day >= since,
                AudienceDaily.day <= until,
            )
            .order_by(AudienceDaily.account_id, AudienceDaily.day)
        )
        for account_id, day, value, approximate in rows:
            out[account_id].append((day, value, bool(approximate)))
    return out


def jumps(
    session: Session,
    ids: Sequence[int],
    since: date,
    until: date,
    metric: Metric,
    *,
    threshold_percent: float,
    min_change: int,
) -> list[dict[str, Any]]:
    """Day-over-day changes of at least `threshold_percent` and `min_change` (in SQL)."""
    column = getattr(AudienceDaily, metric)
    lagged = (
        select(
            AudienceDaily.account_id,
            AudienceDaily.day,
            column.label("value"),
            func.lag(column)
            .over(partition_by=AudienceDaily.account_id, order_by=AudienceDaily.day)
            .label("previous"),
            func.lag(AudienceDaily.day)
            .over(partition_by=AudienceDaily.account_id, order_by=AudienceDaily.day)
            .label("previous_day"),
        )
        .where(
            column.is_not(None),
            AudienceDaily.day >= since - timedelta(days=1),
            AudienceDaily.day <= until,
        )
        .subquery()
    )
    delta = lagged.c.value - lagged.c.previous
    found: list[dict[str, Any]] = []
    for chunk in _chunks(ids):
        rows = session.execute(
            select(lagged)
            .where(
                lagged.c.account_id.in_(chunk),
                lagged.c.day >= since,
                lagged.c.previous > 0,
                func.abs(delta) >= min_change,
                func.abs(delta) * 100.0 >= lagged.c.previous * threshold_percent,
            )
            .order_by(lagged.c.account_id, lagged.c.day)
        ).mappings()
        found.extend(dict(row) for row in rows)
    return found


@dataclass(frozen=True, slots=True)
class Engagement:
    median_views: float | None
    posts_considered: int
    posts_per_day: float


def engagement(
    session: Session, ids: Sequence[int], *, last_posts: int, days: int, as_of: datetime
) -> dict[int, Engagement]:
    """Median views over each account's latest posts, and its posts per day lately."""
    recent = {
        account_id: count
        for chunk in _chunks(ids)
        for account_id, count in session.execute(
            select(Post.account_id, func.count())
            .where(
                Post.account_id.in_(chunk),
                Post.published_at > as_of - timedelta(days=days),
                Post.published_at <= as_of,
            )
            .group_by(Post.account_id)
        )
    }
    out = {}
    for account_id in ids:
        views = [
            v
            for v in session.scalars(
                select(Post.views)
                .where(
                    and_(Post.account_id == account_id, Post.views.is_not(None)),
                    Post.published_at <= as_of,
                )
                .order_by(Post.published_at.desc())
                .limit(last_posts)
            )
            if v is not None
        ]
        out[account_id] = Engagement(
            median_views=float(statistics.median(views)) if views else None,
            posts_considered=len(views),
            posts_per_day=round(recent.get(account_id, 0) / days, 3),
        )
    return out
