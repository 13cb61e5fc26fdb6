"""The overview and the actor chart as data, from `monitor.growth` reports: pages and API alike."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from monitor.config import GrowthConfig
from monitor.growth import growth_report
from monitor.growth.data import Metric, values_at
from monitor.growth.plot_data import TOTAL_COLOUR, account_colours
from monitor.growth.report import CHANGE_DAYS, AccountGrowth, ActorGrowth, GrowthReport
from monitor.growth.series import Interval, Point, actor_total, aligned, change
from monitor.queries import audience
from monitor.queries.events import list_events
from monitor.web.growth_cache import cached
from storage.types import utcnow

FLAG_KINDS = ("jump", "drop", "deleted", "private", "unavailable", "migration")
SORT_KEYS = (
    "actor",
    "latest",
    "change_1d",
    "change_7d",
    "change_30d",
    "change_window",
    "percent_window",
    "posts_per_day",
    "last_collected_at",
)
Resolution = Literal["auto", "hour", "day", "week", "month"]
RESOLUTIONS: tuple[Resolution, ...] = ("auto", "hour", "day", "week", "month")
MAX_HOURLY_SPAN = timedelta(days=31)
# The overview lists this many accounts under an actor; the actor page lists them all.
OVERVIEW_ACCOUNTS_SHOWN = 12


class ChangeCells(TypedDict):
    absolute: int | None
    percent: float | None


class AccountLine(TypedDict):
    """One account of an overview row."""

    account_id: int
    platform: str
    handle: str
    display_name: str | None
    status: str
    latest: int | None
    approximate: bool
    change: dict[str, ChangeCells]
    flags: list[str]
    posts_per_day: float | None
    last_collected_at: datetime | None
    sparkline: list[int | None]


class OverviewRow(TypedDict):
    """One actor: the total of its (filtered) accounts, its flags, and each account."""

    actor_id: int
    actor: str
    country: str | None
    latest: int | None
    approximate: bool
    change: dict[str, ChangeCells]
    flags: list[str]
    posts_per_day: float
    last_collected_at: datetime | None
    sparkline: list[int | None]
    accounts: list[AccountLine]


def _cells(absolute: int | None, percent: float | None) -> ChangeCells:
    return ChangeCells(absolute=absolute, percent=percent)


def _window_change(series: Sequence[Point], latest: int | None) -> ChangeCells:
    """From the first value in the window's series to the latest."""
    first = next((p.value for p in series if p.value is not None), None)
    return _cells(*change(latest, first))


def _account_line(item: AccountGrowth, card: audience.AccountCard | None) -> AccountLine:
    changes = {k: _cells(*v) for k, v in item.changes.items()}
    latest = item.latest.value if item.latest else None
    changes["window"] = _window_change(item.series, latest)
    return AccountLine(
        account_id=item.info.id,
        platform=item.info.platform,
        handle=item.info.handle,
        display_name=card.display_name if card else None,
        status=item.info.status,
        latest=latest,
        approximate=item.latest.approximate if item.latest else False,
        change=changes,
        flags=sorted({flag["kind"] for flag in item.flags}),
        posts_per_day=item.engagement.posts_per_day if item.engagement else None,
        last_collected_at=card.last_collected_at if card else None,
        sparkline=[p.value for p in item.series],
    )


def _overview_row(
    actor: ActorGrowth, card: audience.ActorCard, cards: dict[int, audience.AccountCard]
) -> OverviewRow:
    accounts = [_account_line(item, cards.get(item.info.id)) for item in actor.accounts]
    changes = {k: _cells(*v) for k, v in actor.changes.items()}
    changes["window"] = _window_change(actor.series, actor.latest)
    kinds = {flag["kind"] for flag in actor.flags}
    kinds.update(kind for line in accounts for kind in line["flags"])
    collected = [a["last_collected_at"] for a in accounts if a["last_collected_at"]]
    return OverviewRow(
        actor_id=card.id,
        actor=actor.actor,
        country=card.country,
        latest=actor.latest,
        approximate=actor.approximate,
        change=changes,
        flags=sorted(kinds),
        posts_per_day=round(sum(a["posts_per_day"] or 0.0 for a in accounts), 3),
        last_collected_at=max(collected) if collected else None,
        sparkline=[p.value for p in actor.series],
        accounts=accounts,
    )


def window_interval(since: datetime, until: datetime) -> Interval:
    """Daily points up to half a year, weekly beyond (a sparkline needs no more)."""
    return "day" if until - since <= timedelta(days=186) else "week"


def overview(
    session: Session,
    settings: GrowthConfig,
    *,
    days: int = 90,
    until: datetime | None = None,
    actor: str | None = None,
    platform: str | None = None,
    country: str | None = None,
    flag: str | None = None,
    sort: str = "-latest",
    metric: Metric = "followers",
) -> tuple[GrowthReport, list[OverviewRow]]:
    """Every actor (its accounts on `platform` if given) with growth over the last `days`;
    built once per data version (`growth_cache`)."""
    key = (
        "overview",
        settings.model_dump_json(),
        days,
        until,
        actor,
        platform,
        country,
        flag,
        sort,
        metric,
    )
    return cached(
        session,
        key,
        lambda: _overview(
            session,
            settings,
            days=days,
            until=until,
            actor=actor,
            platform=platform,
            country=country,
            flag=flag,
            sort=sort,
            metric=metric,
        ),
    )


def _overview(
    session: Session,
    settings: GrowthConfig,
    *,
    days: int,
    until: datetime | None,
    actor: str | None,
    platform: str | None,
    country: str | None,
    flag: str | None,
    sort: str,
    metric: Metric,
) -> tuple[GrowthReport, list[OverviewRow]]:
    as_of = until or utcnow()
    since = as_of - timedelta(days=days)
    report = growth_report(
        session,
        settings,
        actor=actor,
        platform=platform,
        since=since,
        as_of=as_of,
        interval=window_interval(since, as_of),
        metric=metric,
    )
    actors = audience.actors_by_name(session)
    ids = [item.info.id for actor in report.actors for item in actor.accounts]
    cards = audience.account_cards(session, ids)
    rows = [_overview_row(actor, actors[actor.actor], cards) for actor in report.actors]
    if country:
        rows = [row for row in rows if (row["country"] or "").upper() == country.upper()]
    if flag:
        rows = [row for row in rows if flag in row["flags"]]
    report.actors = [a for a in report.actors if a.actor in {row["actor"] for row in rows}]
    return report, sort_rows(rows, sort)


def _sort_value(row: OverviewRow, key: str) -> Any:
    if key == "actor":
        return row["actor"].casefold()
    if key.startswith("change_"):
        return row["change"][key.removeprefix("change_")]["absolute"]
    if key == "percent_window":
        return row["change"]["window"]["percent"]
    return row[key]  # type: ignore[literal-required]


def sort_rows(rows: list[OverviewRow], sort: str) -> list[OverviewRow]:
    """Rows ordered by a `SORT_KEYS` key ("-" first for descending); unknown values last."""
    key = sort.removeprefix("-")
    if key not in SORT_KEYS:
        key, sort = "latest", "-latest"
    descending = sort.startswith("-")
    known = [row for row in rows if _sort_value(row, key) is not None]
    unknown = [row for row in rows if _sort_value(row, key) is None]
    known.sort(key=lambda row: _sort_value(row, key), reverse=descending)
    return known + unknown


def sparkline_points(values: Sequence[int | None], width: int = 120, height: int = 28) -> str:
    """An SVG polyline's `points` for the known values (gaps skipped), scaled to the box from
    the first known value to the window's end."""
    return _sparkline_points(tuple(values), width, height)


@functools.lru_cache(maxsize=8192)
def _sparkline_points(values: tuple[int | None, ...], width: int, height: int) -> str:
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if not known:
        return ""
    first = known[0][0]
    low = min(v for _, v in known)
    high = max(v for _, v in known)
    span_x = max(len(values) - 1 - first, 1)
    span_y = (high - low) or 1
    return " ".join(
        f"{(i - first) * width / span_x:.1f},{height - 2 - (v - low) * (height - 4) / span_y:.1f}"
        for i, v in known
    )


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


def pick_resolution(requested: Resolution, since: datetime, until: datetime) -> Interval | str:
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


def _hourly(
    session: Session, actor: ActorGrowth, since: datetime, until: datetime, metric: Metric
) -> tuple[list[datetime], list[list[Point]], list[Point]]:
    """Per account the last capture in each hour, and the actor's total (series.actor_total)."""
    start = since.replace(minute=0, second=0, microsecond=0)
    starts = []
    while start <= until:
        starts.append(start)
        start += timedelta(hours=1)
    ids = [item.info.id for item in actor.accounts]
    by_account: dict[int, dict[date, tuple[int, bool]]] = {i: {} for i in ids}
    for row in audience.captures(session, ids, since, until, metric):
        hour = row["captured_at"].replace(minute=0, second=0, microsecond=0)
        by_account[row["account_id"]][hour] = (row["value"], row["approximate"])
    series = [aligned(by_account[i], starts) for i in ids]
    before = values_at(session, ids, {"since": since}, metric)["since"]
    total = actor_total(
        [(s, item.info.ended) for s, item in zip(series, actor.accounts, strict=True)],
        before=[before[i].value if i in before else None for i in ids],
        labels=[item.info.label for item in actor.accounts],
    )
    return starts, series, total


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
    interval: Interval = "day" if chosen == "hour" else chosen  # type: ignore[assignment]
    if since >= until:  # a window starting after the latest capture: nothing to draw
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
    report = growth_report(
        session,
        settings,
        actor=card.name,
        since=since,
        as_of=until,
        interval=interval,
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
    if chosen == "hour":
        starts, account_series, total = _hourly(session, actor, since, until, metric)
        x = [s.timestamp() for s in starts]
    else:
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


def change_keys() -> list[str]:
    """The change columns the overview shows, in order."""
    return [*CHANGE_DAYS, "window"]
