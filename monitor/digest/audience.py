"""Digest audience section: latest followers per account and their 1-day and 7-day change."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config import GrowthConfig
from monitor.digest.audience_flags import account_flags
from monitor.digest.content import scoped
from monitor.digest.data import AudienceRow, Period, Scope
from storage.models import Account, Actor, AudienceSnapshot

WEEK = timedelta(days=7)
DAY = timedelta(days=1)
# Snapshots this much older than a week still serve as the 7-day baseline.
BASELINE_SLACK = timedelta(days=1)


def audience_changes(
    session: Session, period: Period, scope: Scope, growth: GrowthConfig | None = None
) -> list[AudienceRow]:
    """One row per active account in scope, its latest follower count, changes and flags."""
    accounts = session.execute(
        scoped(
            select(Account.id, Actor.name, Account.platform, Account.handle, Account.status)
            .join(Actor, Account.actor_id == Actor.id)
            .where(Account.active.is_(True))
            .order_by(Actor.name, Account.platform, Account.handle),
            scope,
        )
    ).all()
    if not accounts:
        return []
    since = period.end - WEEK - BASELINE_SLACK
    series: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    rows = session.execute(
        select(
            AudienceSnapshot.account_id, AudienceSnapshot.captured_at, AudienceSnapshot.followers
        )
        .where(
            AudienceSnapshot.account_id.in_([account_id for account_id, *_ in accounts]),
            AudienceSnapshot.captured_at >= since,
            AudienceSnapshot.captured_at <= period.end,
            AudienceSnapshot.followers.is_not(None),
        )
        .order_by(AudienceSnapshot.account_id, AudienceSnapshot.captured_at)
    )
    for account_id, captured_at, followers in rows:
        if followers is not None:
            series[account_id].append((captured_at, followers))
    flags = account_flags(
        session, growth or GrowthConfig(), period, [account_id for account_id, *_ in accounts]
    )
    result = []
    for account_id, actor, platform, handle, status in accounts:
        points = series.get(account_id, [])
        latest_at, latest = points[-1] if points else (None, None)
        if latest is None:
            latest_at, latest = _latest_before(session, account_id, period.end)
        result.append(
            AudienceRow(
                actor=actor,
                platform=platform,
                handle=handle,
                latest=latest,
                latest_at=latest_at,
                change_1d=_change(points, period.end - DAY),
                change_7d=_change(points, period.end - WEEK),
                series=[point for point in points if point[0] >= period.end - WEEK],
                status=status,
                flags=flags.get(account_id, []),
            )
        )
    return result


def _change(points: list[tuple[datetime, int]], baseline_at: datetime) -> int | None:
    """Latest value minus the last value at or before `baseline_at` (None without one)."""
    if not points:
        return None
    index = bisect_right([at for at, _ in points], baseline_at)
    if index == 0 or index == len(points):  # no baseline, or nothing newer than it
        return None
    return points[-1][1] - points[index - 1][1]


def _latest_before(
    session: Session, account_id: int, end: datetime
) -> tuple[datetime | None, int | None]:
    """An account's last follower count before the week window (a stale one, shown as such)."""
    row = session.execute(
        select(AudienceSnapshot.captured_at, AudienceSnapshot.followers)
        .where(
            AudienceSnapshot.account_id == account_id,
            AudienceSnapshot.captured_at <= end,
            AudienceSnapshot.followers.is_not(None),
        )
        .order_by(AudienceSnapshot.captured_at.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (None, None)
