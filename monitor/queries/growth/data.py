"""Growth's database reads: accounts, the value at a time, daily rollups, jumps, engagement."""

from __future__ import annotations

import statistics
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import bindparam, func, select, true
from sqlalchemy.orm import Session

from monitor.queries.scope import scoped
from storage.models import Account, Actor, AudienceSnapshot, Post

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
    account_ids: Collection[int] | None = None,
) -> list[AccountInfo]:
    """Configured (active) accounts matching the filters, by actor then platform."""
    stmt = (
        select(Account.id, Actor.name, Account.platform, Account.handle, Account.status)
        .join(Actor, Actor.id == Account.actor_id)
        .where(Account.active.is_(True))
        .order_by(Actor.name, Account.platform, Account.handle)
    )
    stmt = scoped(stmt, actor=actor, platform=platform, account_ids=account_ids)
    return [AccountInfo(*row) for row in session.execute(stmt)]


def chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def values_at(
    session: Session, ids: Sequence[int], moments: dict[str, datetime], metric: Metric
) -> dict[str, dict[int, Capture]]:
    """Per moment, each account's last non-null capture at or before it.

    One statement: a correlated subquery per moment, each an index seek on
    audience_snapshots (account_id, captured_at), then one read of the snapshots found.
    """
    column = getattr(AudienceSnapshot, metric)

    def latest_id(when: datetime) -> Any:
        return (
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

    keys = list(moments)
    picked: dict[str, dict[int, int]] = {key: {} for key in keys}
    for chunk in chunks(ids):
        stmt = select(Account.id, *(latest_id(moments[k]) for k in keys)).where(
            Account.id.in_(chunk)
        )
        for account_id, *snapshot_ids in session.execute(stmt):
            for key, snapshot_id in zip(keys, snapshot_ids, strict=True):
                if snapshot_id is not None:
                    picked[key][account_id] = snapshot_id
    wanted = {sid for by_account in picked.values() for sid in by_account.values()}
    captures = captures_by_id(session, wanted, metric)
    return {
        key: {account_id: captures[sid] for account_id, sid in by_account.items()}
        for key, by_account in picked.items()
    }


def captures_by_id(
    session: Session, snapshot_ids: Collection[int], metric: Metric
) -> dict[int, Capture]:
    """The snapshots with these ids as captures of `metric` (primary-key reads)."""
    column = getattr(AudienceSnapshot, metric)
    captures: dict[int, Capture] = {}
    for chunk in chunks(sorted(snapshot_ids)):
        rows = session.execute(
            select(
                AudienceSnapshot.id,
                column,
                AudienceSnapshot.captured_at,
                AudienceSnapshot.is_approximate,
            ).where(AudienceSnapshot.id.in_(chunk))
        )
        for snapshot_id, value, captured_at, approximate in rows:
            captures[snapshot_id] = Capture(value, captured_at, bool(approximate))
    return captures


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
        for chunk in chunks(ids)
        for account_id, count in session.execute(
            select(Post.account_id, func.count())
            .where(
                Post.account_id.in_(chunk),
                Post.parent_post_id.is_(None),  # the channel's own posts, not comments
                Post.published_at > as_of - timedelta(days=days),
                Post.published_at <= as_of,
            )
            .group_by(Post.account_id)
        )
    }
    views = _latest_views(session, ids, last_posts=last_posts, as_of=as_of)
    return {
        account_id: Engagement(
            median_views=float(statistics.median(views[account_id])) if views[account_id] else None,
            posts_considered=len(views[account_id]),
            posts_per_day=round(recent.get(account_id, 0) / days, 3),
        )
        for account_id in ids
    }


def _latest_views(
    session: Session, ids: Sequence[int], *, last_posts: int, as_of: datetime
) -> dict[int, list[int]]:
    """Views of each account's latest `last_posts` posts that have a view count.

    PostgreSQL: one LATERAL query; SQLite: the same bounded index read per account, prepared
    once (in-process, so a statement per account costs microseconds).
    """
    out: dict[int, list[int]] = {account_id: [] for account_id in ids}
    latest = (
        select(Post.views)
        .where(
            Post.account_id == bindparam("account"),
            Post.views.is_not(None),
            Post.published_at <= as_of,
        )
        .order_by(Post.published_at.desc())
        .limit(last_posts)
    )
    if session.get_bind().dialect.name == "postgresql":
        accounts = select(Account.id).where(Account.id.in_(list(ids))).subquery()
        lateral = (
            select(Post.views)
            .where(
                Post.account_id == accounts.c.id,
                Post.views.is_not(None),
                Post.published_at <= as_of,
            )
            .order_by(Post.published_at.desc())
            .limit(last_posts)
            .lateral()
        )
        for account_id, value in session.execute(
            select(accounts.c.id, lateral.c.views).select_from(accounts.join(lateral, true()))
        ):
            out[account_id].append(value)
        return out
    for account_id in ids:
        out[account_id] = [
            v for v in session.scalars(latest, {"account": account_id}) if v is not None
        ]
    return out
