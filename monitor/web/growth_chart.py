"""The actor chart as data: per account and total over a window, at a resolution, with events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal

from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from monitor.config import GrowthConfig
from monitor.growth import growth_report
from monitor.growth.plot_data import TOTAL_COLOUR, account_colours
from monitor.growth.report import ActorGrowth
from monitor.growth.series import MAX_HOURLY_SPAN, GrowthInterval
from monitor.queries import audience
from monitor.queries.events import list_events
from monitor.queries.growth.data import Metric
from monitor.web.growth_cache import cached
from storage.types import utcnow

Resolution = Literal["auto", "hour", "day", "week", "month"]
RESOLUTIONS: tuple[Resolution, ...] = ("auto", "hour", "day", "week", "month")


class ChartSeries(TypedDict):
    label: str
    account_id: int | None
    platform: str | None
    colour: str
    values: list[int | None]


class ChartEvent(TypedDict):
    """Something to mark on the time axis (unix seconds), from account events or growth."""

    t: float
    kind: str
    label: str


class GrowthChart(TypedDict):
    """The actor chart: x in unix seconds (UTC), one series per account then the total."""

    actor_id: int
    actor: str
    metric: str
    resolution: str
    since: datetime
    until: datetime
    x: list[float]
    series: list[ChartSeries]
    events: list[ChartEvent]


def pick_resolution(requested: Resolution, since: datetime, until: datetime) -> GrowthInterval:
    """`auto`: hourly up to 4 days, daily up to ~6 months, weekly up to 4 years, then monthly;
    an hourly request over more than `MAX_HOURLY_SPAN` is served daily."""
    span = until - since
    if requested == "hour" and span > MAX_HOURLY_SPAN:
        return "day"
    if requested != "auto":
        return requested
    if span <= timedelta(days=4):
        return "hour"
    if span <= timedelta(days=186):
        return "day"
    return "week" if span <= timedelta(days=1461) else "month"


def _stamp(value: date) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp()


def growth_chart(
    session: Session,
    settings: GrowthConfig,
    card: audience.ActorCard,
    *,
    since: datetime | None,
    until: datetime | None,
    resolution: Resolution = "auto",
    metric: Metric = "followers",
) -> GrowthChart:
    """The actor's chart (`_growth_chart`), built once per data version (`growth_cache`)."""
    key = ("growth_chart", settings.model_dump_json(), card, since, until, resolution, metric)
    return cached(
        session,
        key,
        lambda: _growth_chart(
            session,
            settings,
            card,
            since=since,
            until=until,
            resolution=resolution,
            metric=metric,
        ),
    )


def _growth_chart(
    session: Session,
    settings: GrowthConfig,
    card: audience.ActorCard,
    *,
    since: datetime | None,
    until: datetime | None,
    resolution: Resolution = "auto",
    metric: Metric = "followers",
) -> GrowthChart:
    """The actor's audience per account and in total over the window, with events to mark.

    Without `until` the window ends at the actor's latest capture (or now), without `since`
    90 days before it.
    """
    if until is None:
        latest = audience.latest_capture(session, card.id)
        until = latest + timedelta(seconds=1) if latest else utcnow()
    since = since or until - timedelta(days=90)
    chosen = pick_resolution(resolution, since, until)
    actor = None
    if since < until:  # a window starting after the latest capture has nothing to draw
        report = growth_report(
            session,
            settings,
            actor=card.name,
            since=since,
            as_of=until,
            interval=chosen,
            metric=metric,
        )
        actor = report.actors[0] if report.actors else None
    if actor is None:
        return GrowthChart(
            actor_id=card.id,
            actor=card.name,
            metric=metric,
            resolution=chosen,
            since=since,
            until=until,
            x=[],
            series=[],
            events=[],
        )
    # Hourly points are the last capture in each UTC hour (from audience_snapshots), the
    # others the last in each day, week or month (from the daily rollup).
    account_series = [item.series for item in actor.accounts]
    total = actor.series
    x = [_stamp(p.period_start) for p in total]
    colours = account_colours([item.info.platform for item in actor.accounts])
    series = [
        ChartSeries(
            label=f"{item.info.platform}: {item.info.handle}",
            account_id=item.info.id,
            platform=item.info.platform,
            colour=colour,
            values=[p.value for p in points],
        )
        for item, points, colour in zip(actor.accounts, account_series, colours, strict=True)
    ]
    series.append(
        ChartSeries(
            label=f"{card.name}: total",
            account_id=None,
            platform=None,
            colour=TOTAL_COLOUR,
            values=[p.value for p in total],
        )
    )
    return GrowthChart(
        actor_id=card.id,
        actor=card.name,
        metric=metric,
        resolution=chosen,
        since=since,
        until=until,
        x=x,
        series=series,
        events=chart_events(session, actor, since, until),
    )


def chart_events(
    session: Session, actor: ActorGrowth, since: datetime, until: datetime
) -> list[ChartEvent]:
    """Account events (renamed, deleted, came back…) and growth flags (jumps, drops), by time."""
    ids = [item.info.id for item in actor.accounts]
    events = [
        ChartEvent(
            t=row["detected_at"].timestamp(),
            kind=row["kind"],
            label=f"{row['platform']} {row['account']}: {row['kind']}",
        )
        for row in list_events(session, account_ids=ids, since=since, until=until, limit=500)
    ]
    for item in actor.accounts:
        for flag in item.flags:
            if flag["kind"] in ("jump", "drop"):
                events.append(
                    ChartEvent(
                        t=_stamp(flag["day"]),
                        kind=flag["kind"],
                        label=(
                            f"{item.info.label}: {flag['kind']} {flag['from']:,} → {flag['to']:,}"
                        ),
                    )
                )
    for flag in actor.flags:  # migrations span the window: marked at its end
        events.append(
            ChartEvent(
                t=until.timestamp(),
                kind="migration",
                label=f"migration {flag['from']} → {flag['to']}",
            )
        )
    return sorted(events, key=lambda e: e["t"])
