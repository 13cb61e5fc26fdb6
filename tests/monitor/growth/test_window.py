"""Growth over a window and inside a day, against hand-computed values, on both engines."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from monitor.config import GrowthConfig
from monitor.growth import growth_report
from monitor.growth.report import AccountGrowth, GrowthReport
from monitor.queries.growth.window import hourly_values, window_ends
from storage.engine import transaction
from tests.conftest import TestDatabase
from tests.support import growth_window
from tests.support.growth_window import DAY0


@pytest.fixture
def world(db: TestDatabase) -> growth_window.WindowWorld:
    with transaction(db.engine) as session:
        return growth_window.build(session)


def _report(
    db: TestDatabase, since: datetime | None, until: datetime, **options: object
) -> GrowthReport:
    with transaction(db.engine) as session:
        return growth_report(
            session,
            GrowthConfig(),
            since=since,
            as_of=until,
            **options,  # type: ignore[arg-type]
        )


def _account(report: GrowthReport, handle: str) -> AccountGrowth:
    return next(a for actor in report.actors for a in actor.accounts if a.info.handle == handle)


def test_two_passes_an_hour_apart_show_their_change(
    db: TestDatabase, world: growth_window.WindowWorld
) -> None:
    # 850,000 at 10:00, 862,500 at 11:00: +12,500, 12,500 / 850,000 = 1.4706 % -> 1.47.
    report = _report(db, DAY0, DAY0 + timedelta(hours=12))
    kem = _account(report, "kemsokha")
    assert kem.window_change == (12_500, 1.47)
    assert kem.window is not None
    assert (kem.window.first.value, kem.window.first.captured_at) == (
        850_000,
        DAY0.replace(hour=10),
    )
    assert (kem.window.last.value, kem.window.last.captured_at) == (862_500, DAY0.replace(hour=11))
    assert kem.latest is not None and kem.latest.value == 862_500
    # Nothing a day, a week or a month before: those columns stay empty; the window does not.
    assert kem.changes == {"1d": (None, None), "7d": (None, None), "30d": (None, None)}
    (kem_actor,) = [a for a in report.actors if a.actor == "Kem Sokha"]
    assert kem_actor.window_change == (12_500, 1.47)


def test_a_day_with_two_passes_and_a_window_of_days(
    db: TestDatabase, world: growth_window.WindowWorld
) -> None:
    # Day 2 alone: 104,000 at 08:00 -> 104,500 at 20:00 = +500, 500 / 104,000 = 0.4808 %.
    day_2 = _report(db, DAY0 + timedelta(days=2), DAY0 + timedelta(days=2, hours=23, minutes=59))
    assert _account(day_2, "samrainsy").window_change == (500, 0.48)
    # YouTube's first capture is on day 2 at 08:00: one capture in the window, no change.
    assert _account(day_2, "@samrainsy").window_change == (0, 0.0)


def test_window_over_several_days_and_the_actor_total(
    db: TestDatabase, world: growth_window.WindowWorld
) -> None:
    until = DAY0 + timedelta(days=4)
    report = _report(db, DAY0, until)
    # Telegram: 100,000 (day 0 08:00) -> 106,800 (day 3 20:45) = +6,800, 6.8 %.
    telegram = _account(report, "samrainsy")
    assert telegram.window_change == (6_800, 6.8)
    # YouTube, first captured mid-window: 5,000 -> 5,400 = +400, 8.0 %.
    assert _account(report, "@samrainsy").window_change == (400, 8.0)
    # The total adds growth, not YouTube's arrival: 6,800 + 400 = 7,200 over 105,000 = 6.857 %.
    (sam,) = [a for a in report.actors if a.actor == "Sam Rainsy"]
    assert sam.window_change == (7_200, 6.86)
    # The daily series: each day's last capture (the evening pass; day 3's 20:45 capture).
    assert [p.value for p in telegram.series] == [100_500, 102_500, 104_500, 106_800, None]
    # A window with no capture in it has no window change, though the latest count is known.
    later = _report(db, until, until + timedelta(days=1))
    assert _account(later, "samrainsy").window_change == (None, None)
    assert _account(later, "samrainsy").latest is not None


def test_hourly_series_the_last_capture_in_each_hour(
    db: TestDatabase, world: growth_window.WindowWorld
) -> None:
    since = DAY0 + timedelta(days=3)
    until = since + timedelta(hours=23)
    report = _report(db, since, until, interval="hour")
    assert report.interval == "hour"
    telegram = _account(report, "samrainsy")
    assert len(telegram.series) == 24  # 00:00 ... 23:00 on day 3
    by_hour = {p.period_start: p.value for p in telegram.series}
    assert by_hour[since + timedelta(hours=8)] == 106_000
    # 106,500 at 20:00 and 106,800 at 20:45: the hour's value is its last capture.
    assert by_hour[since + timedelta(hours=20)] == 106_800
    assert [h for h, v in by_hour.items() if v is not None] == [
        since + timedelta(hours=8),
        since + timedelta(hours=20),
    ]
    youtube = {p.period_start: p.value for p in _account(report, "@samrainsy").series}
    assert youtube[since + timedelta(hours=20)] == 5_400
    # The actor's total: YouTube's day-2 count (5,000, from before the window) carried until
    # its capture at 20:00, an approximate point.
    (sam,) = [a for a in report.actors if a.actor == "Sam Rainsy"]
    total = {p.period_start: p for p in sam.series}
    assert total[since + timedelta(hours=8)].value == 106_000 + 5_000
    assert total[since + timedelta(hours=8)].approximate
    assert total[since + timedelta(hours=20)].value == 106_800 + 5_400
    assert not total[since + timedelta(hours=20)].approximate
    assert total[since + timedelta(hours=9)].value is None  # nobody captured: a gap
    # The two passes an hour apart, hour by hour.
    kem = _account(_report(db, DAY0, DAY0 + timedelta(hours=12), interval="hour"), "kemsokha")
    assert [(p.period_start.hour, p.value) for p in kem.series if p.value] == [
        (10, 850_000),
        (11, 862_500),
    ]


def test_default_window_is_90_days_or_48_hours_hourly(
    db: TestDatabase, world: growth_window.WindowWorld
) -> None:
    until = DAY0 + timedelta(hours=12)
    daily = _report(db, None, until)
    assert daily.since == until - timedelta(days=90)
    assert _account(daily, "kemsokha").window_change == (12_500, 1.47)
    with transaction(db.engine) as session:
        hourly = growth_report(session, GrowthConfig(), as_of=until, interval="hour")
    assert hourly.since == until - timedelta(hours=48)
    assert len(_account(hourly, "kemsokha").series) == 49


def test_the_window_queries_on_their_own(
    db: TestDatabase, world: growth_window.WindowWorld
) -> None:
    ids = [world.kem_channel, world.sam_channel, world.sam_youtube]
    with transaction(db.engine) as session:
        ends = window_ends(
            session, ids, DAY0 + timedelta(days=1), DAY0 + timedelta(days=3), "followers"
        )
        hours = hourly_values(
            session, ids, DAY0 + timedelta(days=1), DAY0 + timedelta(days=1, hours=23), "followers"
        )
    assert set(ends) == {world.sam_channel, world.sam_youtube}  # Kem: nothing in the window
    assert (ends[world.sam_channel].first.value, ends[world.sam_channel].last.value) == (
        102_000,  # day 1 08:00
        104_500,  # day 2 20:00: day 3 00:00 ends the window, day 3's passes are after it
    )
    assert ends[world.sam_youtube].first == ends[world.sam_youtube].last
    assert hours == {
        world.kem_channel: {},
        world.sam_channel: {
            DAY0 + timedelta(days=1, hours=8): (102_000, False),
            DAY0 + timedelta(days=1, hours=20): (102_500, False),
        },
        world.sam_youtube: {},
    }
