"""The overview as data from `monitor.growth` reports: rows, sorting, sparklines (pages, API)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from monitor.config import GrowthConfig
from monitor.growth import growth_report
from monitor.growth.report import CHANGE_DAYS, AccountGrowth, ActorGrowth, GrowthReport
from monitor.growth.series import Interval
from monitor.queries import audience
from monitor.queries.growth.data import Metric
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


def _account_line(item: AccountGrowth, card: audience.AccountCard | None) -> AccountLine:
    changes = {k: _cells(*v) for k, v in item.changes.items()}
    latest = item.latest.value if item.latest else None
    changes["window"] = _cells(*item.window_change)  # first to last capture in the window
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
    changes["window"] = _cells(*actor.window_change)
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


def change_keys() -> list[str]:
    """The change columns the overview shows, in order."""
    return [*CHANGE_DAYS, "window"]
