"""Assemble growth per account and per actor: latest, changes, series, flags, engagement."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from monitor.config import GrowthConfig
from monitor.growth.flags import WindowChange, jump_flag, migration_flags, status_flag
from monitor.growth.series import (
    GrowthInterval,
    Point,
    actor_total,
    aligned,
    change,
    period_starts,
)
from monitor.queries.growth import data, rollup, window
from monitor.queries.growth.data import AccountInfo, Capture, Engagement, Metric
from monitor.queries.growth.window import WindowEnds
from storage.types import utcnow

CHANGE_DAYS = {"1d": 1, "7d": 7, "30d": 30}
DEFAULT_WINDOW_DAYS = 90
# Without --since an hourly report covers the last two days.
DEFAULT_HOURLY_WINDOW = timedelta(days=2)
Change = tuple[int | None, float | None]


def default_since(as_of: datetime, interval: GrowthInterval) -> datetime:
    """The window's start when none is given: 90 days before `as_of`, 48 hours if hourly."""
    if interval == "hour":
        return as_of - DEFAULT_HOURLY_WINDOW
    return as_of - timedelta(days=DEFAULT_WINDOW_DAYS)


def window_change(ends: WindowEnds | None) -> Change:
    """From the first to the last capture inside the window (None without a capture in it)."""
    if ends is None:
        return None, None
    return change(ends.last.value, ends.first.value)


def total_window_change(windows: Sequence[WindowEnds | None]) -> Change:
    """An actor's change over the window: the sum of its accounts' changes (each from its own
    first to its own last capture inside the window, so an account first captured mid-window
    adds its growth, not its size), as a percent of the sum of their first counts."""
    found = [ends for ends in windows if ends is not None]
    if not found:
        return None, None
    absolute = sum(ends.last.value - ends.first.value for ends in found)
    base = sum(ends.first.value for ends in found)
    return absolute, (round(absolute * 100.0 / base, 2) if base else None)


@dataclass
class AccountGrowth:
    info: AccountInfo
    latest: Capture | None
    changes: dict[str, Change]
    series: list[Point]
    flags: list[dict[str, Any]]
    engagement: Engagement | None = None
    window: WindowEnds | None = None  # first and last capture inside the report's window

    @property
    def window_change(self) -> Change:
        return window_change(self.window)

    @property
    def views_per_subscriber(self) -> float | None:
        """ERR: median views per post over the latest audience count."""
        if self.engagement is None or self.engagement.median_views is None:
            return None
        if self.latest is None or not self.latest.value:
            return None
        return round(self.engagement.median_views / self.latest.value, 6)


@dataclass
class ActorGrowth:
    actor: str
    latest: int | None
    approximate: bool
    changes: dict[str, Change]
    series: list[Point]
    flags: list[dict[str, Any]]
    accounts: list[AccountGrowth] = field(default_factory=list)

    @property
    def window_change(self) -> Change:
        return total_window_change([item.window for item in self.accounts])


@dataclass
class GrowthReport:
    as_of: datetime
    since: datetime
    interval: GrowthInterval
    metric: Metric
    actors: list[ActorGrowth]


def _actor_value_at(
    accounts: Sequence[AccountInfo],
    captures: dict[int, Capture],
    latest: dict[int, Capture],
    when: datetime,
) -> tuple[int | None, bool]:
    """Sum of the accounts' values at `when`; an ended account counts until its last capture."""
    total, found, approximate = 0, False, False
    for account in accounts:
        capture = captures.get(account.id)
        last = latest.get(account.id)
        if capture is None:
            continue
        if account.ended and last is not None and last.captured_at.date() < when.date():
            continue
        total += capture.value
        found = True
        approximate = approximate or capture.approximate
    return (total if found else None), approximate


def growth_report(
    session: Session,
    settings: GrowthConfig,
    *,
    actor: str | None = None,
    platform: str | None = None,
    account_ids: Collection[int] | None = None,
    since: datetime | None = None,
    interval: GrowthInterval = "day",
    metric: Metric = "followers",
    as_of: datetime | None = None,
    with_series: bool = True,
) -> GrowthReport:
    """Growth of the matching accounts and of their actors (the sum of their accounts).

    The window runs from `since` (default: `default_since`) to `as_of` (default: now); its
    change is from each account's first to its last capture inside it, read from
    audience_snapshots. Hourly series come from audience_snapshots too (the last capture in
    each UTC hour), the others from the daily rollup.
    """
    as_of = as_of or utcnow()
    since = since or default_since(as_of, interval)
    accounts = data.select_accounts(
        session, actor=actor, platform=platform, account_ids=account_ids
    )
    ids = [a.id for a in accounts]
    moments = {"now": as_of, **{k: as_of - timedelta(days=d) for k, d in CHANGE_DAYS.items()}}
    moments["since"] = since
    values = data.values_at(session, ids, moments, metric)
    latest = values["now"]
    ends = window.window_ends(session, ids, since, as_of, metric) if ids else {}
    periods: dict[int, dict[Any, tuple[int, bool]]] = {}
    if interval == "hour":
        starts = period_starts(since, as_of, interval)
        if with_series and ids:
            periods = dict(window.hourly_values(session, ids, since, as_of, metric))
    else:
        starts = period_starts(since.date(), as_of.date(), interval)
        if with_series and ids:
            periods = dict(
                rollup.period_values(session, ids, starts[0], as_of.date(), metric, interval)
            )
    jump_rows: dict[int, list[dict[str, Any]]] = {}
    for row in rollup.jumps(
        session,
        ids,
        since.date(),
        as_of.date(),
        metric,
        threshold_percent=settings.jump().percent,
        min_change=settings.jump().min_change,
    ):
        jump_rows.setdefault(row["account_id"], []).append(jump_flag(row))
    engagement = data.engagement(
        session,
        ids,
        last_posts=settings.engagement_posts,
        days=settings.engagement_days,
        as_of=as_of,
    )
    by_actor: dict[str, list[AccountGrowth]] = {}
    for info in accounts:
        capture = latest.get(info.id)
        changes = {
            key: change(
                capture.value if capture else None,
                values[key][info.id].value if info.id in values[key] else None,
            )
            for key in CHANGE_DAYS
        }
        flags = list(jump_rows.get(info.id, []))
        ended = status_flag(info, capture)
        if ended:
            flags.append(ended)
        series = aligned(periods.get(info.id, {}), starts) if with_series else []
        by_actor.setdefault(info.actor, []).append(
            AccountGrowth(
                info,
                capture,
                changes,
                series,
                flags,
                engagement.get(info.id),
                ends.get(info.id),
            )
        )
    actors = [
        _actor_growth(name, members, values, moments, settings, since, with_series)
        for name, members in by_actor.items()
    ]
    return GrowthReport(as_of, since, interval, metric, actors)


def _actor_growth(
    name: str,
    members: list[AccountGrowth],
    values: dict[str, dict[int, Capture]],
    moments: dict[str, datetime],
    settings: GrowthConfig,
    since: datetime,
    with_series: bool,
) -> ActorGrowth:
    infos = [m.info for m in members]
    latest = values["now"]
    now_total, approximate = _actor_value_at(infos, latest, latest, moments["now"])
    changes = {
        key: change(now_total, _actor_value_at(infos, values[key], latest, moments[key])[0])
        for key in CHANGE_DAYS
    }
    window = [
        WindowChange(
            m.info,
            change(
                m.latest.value if m.latest else None,
                values["since"][m.info.id].value if m.info.id in values["since"] else None,
            )[1],
            m.latest.captured_at if m.latest else None,
        )
        for m in members
    ]
    flags = migration_flags(
        window, threshold_percent=settings.migration_threshold_percent, since=since
    )
    series = (
        actor_total(
            [(m.series, m.info.ended) for m in members],
            before=[
                values["since"][m.info.id].value if m.info.id in values["since"] else None
                for m in members
            ],
            labels=[m.info.label for m in members],
        )
        if with_series
        else []
    )
    return ActorGrowth(name, now_total, approximate, changes, series, flags, members)
