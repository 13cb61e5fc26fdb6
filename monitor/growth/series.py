"""Regular series from irregular snapshots: last value per period, gaps kept, actor totals."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Interval = Literal["day", "week", "month"]
INTERVALS: tuple[Interval, ...] = ("day", "week", "month")


@dataclass(frozen=True, slots=True)
class Point:
    """One period of a series; `value` None is a gap (no capture in that period)."""

    period_start: date
    value: int | None
    approximate: bool = False


def period_start(day: date, interval: Interval) -> date:
    """The first day of the period (ISO week from Monday, calendar month) containing `day`."""
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def period_starts(since: date, until: date, interval: Interval) -> list[date]:
    """Every period start from the one containing `since` to the one containing `until`."""
    starts = []
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
    points = []
    for start in starts:
        found = last.get(start)
        points.append(Point(start, found[0], found[1]) if found else Point(start, None))
    return points


def actor_total(accounts: Sequence[tuple[Sequence[Point], bool]]) -> list[Point]:
    """The sum of an actor's accounts per period.

    `accounts` holds each account's series (same periods) and whether it has ended (deleted or
    private). An account missing a period contributes its previous value (the point is then
    marked approximate); an ended account stops contributing after its last value; a period in
    which no account has a value is a gap.
    """
    if not accounts:
        return []
    length = len(accounts[0][0])
    bounds = []
    for series, ended in accounts:
        filled = [i for i, p in enumerate(series) if p.value is not None]
        bounds.append((filled[0], filled[-1] if ended else length) if filled else (length, -1))
    totals = []
    carried: list[int | None] = [None] * len(accounts)
    for i in range(length):
        total, real, approximate = 0, False, False
        for index, (series, _ended) in enumerate(accounts):
            point = series[i]
            first, last = bounds[index]
            if point.value is not None:
                total += point.value
                real = True
                approximate = approximate or point.approximate
                carried[index] = point.value
            elif first < i <= last and carried[index] is not None:
                total += carried[index] or 0
                approximate = True
        start = accounts[0][0][i].period_start
        totals.append(Point(start, total, approximate) if real else Point(start, None))
    return totals


def change(new: int | None, old: int | None) -> tuple[int | None, float | None]:
    """Absolute and percent change from `old` to `new` (percent None when old is 0 or unknown)."""
    if new is None or old is None:
        return None, None
    percent = round((new - old) * 100.0 / old, 2) if old else None
    return new - old, percent
