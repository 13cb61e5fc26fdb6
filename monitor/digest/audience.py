"""Digest audience section: latest followers per account, their change over the period (first
to last capture inside it), over 1 day and over 7 days."""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from monitor.config import GrowthConfig
from monitor.digest.audience_flags import account_flags
from monitor.digest.data import AudienceRow, Period, Scope
from monitor.growth.report import window_change
from monitor.queries.digest.audience import (
    active_accounts,
    follower_series,
    latest_followers_before,
)
from monitor.queries.growth.window import window_ends

WEEK = timedelta(days=7)
DAY = timedelta(days=1)
# Snapshots this much older than a week still serve as the 7-day baseline.
BASELINE_SLACK = timedelta(days=1)


def audience_changes(
    session: Session, period: Period, scope: Scope, growth: GrowthConfig | None = None
) -> list[AudienceRow]:
    """One row per active account in scope, its latest follower count, changes and flags."""
    accounts = active_accounts(session, scope)
    if not accounts:
        return []
    ids = [account.id for account in accounts]
    series = follower_series(session, ids, period.end - WEEK - BASELINE_SLACK, period.end)
    flags = account_flags(session, growth or GrowthConfig(), period, ids)
    inside = window_ends(session, ids, period.start, period.end, "followers")
    result = []
    for account_id, actor, platform, handle, status in accounts:
        points = series.get(account_id, [])
        latest_at, latest = points[-1] if points else (None, None)
        if latest is None:
            latest_at, latest = latest_followers_before(session, account_id, period.end)
        change_period, percent_period = window_change(inside.get(account_id))
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
                change_period=change_period,
                percent_period=percent_period,
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
