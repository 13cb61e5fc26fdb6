"""Regular series from irregular snapshots: last value per period, gaps kept, actor totals."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

import numpy as np

Interval = Literal["day", "week", "month"]  # trends and the daily rollup
INTERVALS: tuple[Interval, ...] = ("day", "week", "month")
# Growth series also come hourly, from audience_snapshots rather than the daily rollup.
GrowthInterval = Literal["hour", "day", "week", "month"]
GROWTH_INTERVALS: tuple[GrowthInterval, ...] = ("hour", *INTERVALS)
# The longest window an hourly series covers (744 points); longer ones are refused or daily.
MAX_HOURLY_SPAN = timedelta(days=31)


@dataclass(frozen=True, slots=True)
class Point:
    """One period of a series; `value` None is a gap (no capture in that period).

    On an actor's total, `joined` names the accounts whose first capture falls in this period
    (they contribute from here on) and `ended` those that stopped contributing after it.
    """

    period_start: date  # a UTC datetime (the hour's start) in an hourly series
    value: int | None
    approximate: bool = False
    joined: tuple[str, ...] = ()
    ended: tuple[str, ...] = ()


def hour_start(moment: datetime) -> datetime:
    """The start of the hour containing `moment`."""
    return moment.replace(minute=0, second=0, microsecond=0)


def hour_starts(since: datetime, until: datetime) -> list[datetime]:
    """Every hour start from the hour containing `since` to the one containing `until`."""
    starts = []
    current = hour_start(since)
    while current <= until:
        starts.append(current)
        current += timedelta(hours=1)
    return starts


def period_start(day: date, interval: GrowthInterval) -> date:
    """The first day of the period (ISO week from Monday, calendar month) containing `day`;
    for `hour`, the start of the hour containing the datetime `day`."""
    if interval == "hour":
        assert isinstance(day, datetime), "an hourly period starts at a datetime"
        return hour_start(day)
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def period_starts(since: date, until: date, interval: GrowthInterval) -> list[date]:
    """Every period start from the one containing `since` to the one containing `until`
    (for `hour`, `since` and `until` are datetimes)."""
    if interval == "hour":
        assert isinstance(since, datetime) and isinstance(until, datetime)
        hours: list[date] = [*hour_starts(since, until)]
        return hours
    starts: list[date] = []
    current = period_start(since, interval)
    while current <= until:
        starts.append(current)
        if interval == "day":
            current += timedelta(days=1)
        elif interval == "week":
            current += timedelta(days=7)
        else:
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
    return starts


def resample(
    daily: Iterable[tuple[date, int | None, bool]], starts: Sequence[date], interval: Interval
) -> list[Point]:
    """The last non-null daily value in each period (days in ascending order); gaps stay None."""
    last: dict[date, tuple[int, bool]] = {}
    for day, value, approximate in daily:
        if value is not None:
            last[period_start(day, interval)] = (value, approximate)
    return aligned(last, starts)


def aligned(by_period: dict[date, tuple[int, bool]], starts: Sequence[date]) -> list[Point]:
    """One point per period start: the value found for that period, or a gap."""
    gap = (None, False)
    return [Point(start, *by_period.get(start, gap)) for start in starts]


def actor_total(
    accounts: Sequence[tuple[Sequence[Point], bool]],
    *,
    before: Sequence[int | None] | None = None,
    labels: Sequence[str] | None = None,
) -> list[Point]:
    """The sum of an actor's accounts per period.

    `accounts` holds each account's series (same periods) and whether it has ended (deleted or
    private); `before` each account's last value before the first period (None if none) and
    `labels` their names. An account missing a period contributes its previous value (the point
    is then marked approximate), starting from its value before the window if it has one; an
    account first captured after the total's first value contributes from its first capture on,
    and that point names it in `joined`; an ended account stops contributing after its last
    value (named in `ended` at that point); a period in which no account has a value is a gap.
    """
    if not accounts:
        return []
    starts = [p.period_start for p in accounts[0][0]]
    length = len(starts)
    names = list(labels) if labels is not None else [str(i) for i in range(len(accounts))]
    prior = list(before) if before is not None else [None] * len(accounts)
    values = np.array(
        [[np.nan if p.value is None else p.value for p in series] for series, _ in accounts],
        dtype=float,
    ).reshape(len(accounts), length)
    rounded = np.array([[p.approximate for p in series] for series, _ in accounts], dtype=bool)
    rounded = rounded.reshape(len(accounts), length)
    present = ~np.isnan(values)
    seeded = np.array(
        [
            value is not None and not (ended and not present[row].any())
            for row, (value, (_series, ended)) in enumerate(zip(prior, accounts, strict=True))
        ],
        dtype=bool,
    )
    # A column -1 holds the value from before the window, so carrying forward starts from it.
    first = np.array([np.nan if v is None else v for v in prior], dtype=float).reshape(-1, 1)
    values = np.hstack([np.where(seeded.reshape(-1, 1), first, np.nan), values])
    known = np.hstack([seeded.reshape(-1, 1), present])
    # Carry each account's last value forward: index of the latest known column so far.
    columns = np.where(known, np.arange(length + 1), -1)
    last_seen = np.maximum.accumulate(columns, axis=1)
    carried = np.take_along_axis(np.nan_to_num(values), np.maximum(last_seen, 0), axis=1)[:, 1:]
    alive = last_seen[:, 1:] >= 0
    real = present.any(axis=0)
    total_starts = int(np.flatnonzero(real)[0]) if real.any() else length
    joined: list[list[str]] = [[] for _ in starts]
    ended_at: list[list[str]] = [[] for _ in starts]
    for row, (_series, ended) in enumerate(accounts):
        if not present[row].any():
            continue
        first_column = int(np.flatnonzero(present[row])[0])
        if first_column > total_starts and not seeded[row]:
            joined[first_column].append(names[row])
        if ended:
            last_column = int(np.flatnonzero(present[row])[-1])
            alive[row, last_column + 1 :] = False  # stops after its last value
            if last_column + 1 < length:
                ended_at[last_column].append(names[row])
    totals = np.where(alive, carried, 0).sum(axis=0)
    approximate = ((alive & ~present) | (present & rounded)).any(axis=0)
    return [
        Point(
            start,
            int(totals[i]),
            bool(approximate[i]),
            tuple(joined[i]),
            tuple(ended_at[i]),
        )
        if real[i]
        else Point(start, None)
        for i, start in enumerate(starts)
    ]


def change(new: int | None, old: int | None) -> tuple[int | None, float | None]:
    """Absolute and percent change from `old` to `new` (percent None when old is 0 or unknown)."""
    if new is None or old is None:
        return None, None
    percent = round((new - old) * 100.0 / old, 2) if old else None
    return new - old, percent
