"""Growth from a hand-made history: gaps, approximate counts, a deleted page, flags, the plot."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from monitor.config import GrowthConfig
from monitor.growth import growth_report, summary_rows
from monitor.growth.plot import plot_growth
from monitor.growth.report import AccountGrowth, GrowthReport
from monitor.growth.series import Point, actor_total, period_starts, resample
from storage.engine import transaction
from tests.conftest import TestDatabase
from tests.support import factories, growth_history
from tests.support.growth_history import AS_OF, telegram_value

DAY0 = factories.T0.date()


def _report(db: TestDatabase, **options: object) -> GrowthReport:
    with transaction(db.engine) as session:
        growth_history.build(session)
    with transaction(db.engine) as session:
        return growth_report(
            session,
            GrowthConfig(),
            since=factories.T0,
            as_of=AS_OF,
            **options,  # type: ignore[arg-type]
        )


def _account(report: GrowthReport, platform: str) -> AccountGrowth:
    return next(a for a in report.actors[0].accounts if a.info.platform == platform)


def test_accounts_latest_changes_series_and_flags(db: TestDatabase) -> None:
    report = _report(db)
    tg = _account(report, "telegram")
    assert tg.latest is not None and tg.latest.value == telegram_value(40)
    assert tg.changes == {"1d": (1_000, 0.09), "7d": (7_000, 0.62), "30d": (280_000, 32.56)}
    by_day = {p.period_start: p for p in tg.series}
    assert len(tg.series) == 41
    assert [by_day[DAY0 + timedelta(days=d)].value for d in range(14, 21)] == [
        telegram_value(14),
        None,
        None,
        None,
        None,
        None,
        telegram_value(20),
    ]  # gaps are gaps, and each day's value is its last capture
    assert by_day[DAY0 + timedelta(days=20)].approximate
    assert [f["kind"] for f in tg.flags] == ["jump"]
    assert tg.flags[0]["day"] == DAY0 + timedelta(days=30)
    assert tg.flags[0]["from"] == telegram_value(29)
    fb = _account(report, "facebook")
    assert fb.latest is not None and fb.latest.value == 13_900_000  # last count kept
    assert fb.flags == [
        {
            "kind": "deleted",
            "last_count": 13_900_000,
            "last_captured_at": factories.T0 + timedelta(days=10),
        }
    ]
    tt = _account(report, "tiktok")
    assert tt.latest is not None and tt.latest.approximate
    assert tg.engagement is not None and tg.engagement.median_views == 300
    assert tg.engagement.posts_per_day == round(5 / 30, 3)
    assert tg.views_per_subscriber == round(300 / telegram_value(40), 6)
    assert tt.engagement is not None and tt.engagement.median_views is None


def test_actor_total_drops_the_deleted_page_and_flags_migration(db: TestDatabase) -> None:
    actor = _report(db).actors[0]
    assert actor.actor == "Hun Sen"
    assert actor.latest == telegram_value(40) + 1_330_000 and actor.approximate
    thirty_days_ago = 13_900_000 + telegram_value(10) + 1_230_000
    assert actor.changes["30d"][0] == actor.latest - thirty_days_ago
    assert {(f["from"], f["to"]) for f in actor.flags} == {
        ("facebook:hunsencambodia", "telegram:samdechhunsen"),
        ("facebook:hunsencambodia", "tiktok:@samdechhunsen"),
    }
    totals = {p.period_start: p for p in actor.series}
    day = DAY0 + timedelta(days=12)
    assert totals[day] == Point(day, telegram_value(12) + 1_240_000, True)
    # Day 15: only TikTok captured; Telegram carries its day-14 value (approximate).
    day = DAY0 + timedelta(days=15)
    assert totals[day] == Point(day, telegram_value(14) + 1_250_000, True)
    assert totals[DAY0 + timedelta(days=16)].value is None  # nobody captured: a gap


def test_weekly_and_monthly_series(db: TestDatabase) -> None:
    weekly = _account(_report(db, interval="week"), "telegram").series
    by_week = {p.period_start: p.value for p in weekly}
    assert weekly[0].period_start == date(2025, 2, 24)  # the Monday of T0's week
    assert by_week[date(2025, 2, 24)] == telegram_value(1)
    assert by_week[date(2025, 3, 10)] == telegram_value(14)  # last capture before the gap
    assert by_week[date(2025, 3, 17)] == telegram_value(22)


def test_summary_rows_have_a_total_per_actor(db: TestDatabase) -> None:
    rows = summary_rows(_report(db))
    assert [(r["platform"], r["account"]) for r in rows] == [
        ("facebook", "hunsencambodia"),
        ("telegram", "samdechhunsen"),
        ("tiktok", "@samdechhunsen"),
        ("all", "(total)"),
    ]
    assert rows[0]["flags"] == "deleted" and rows[1]["flags"] == "jump"
    assert rows[3]["flags"].count("migration") == 2


def test_series_helpers_on_their_own() -> None:
    starts = period_starts(date(2025, 1, 30), date(2025, 3, 2), "month")
    assert starts == [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
    daily = [
        (date(2025, 1, 30), 5, False),
        (date(2025, 1, 31), 6, True),
        (date(2025, 3, 2), None, False),
    ]
    assert resample(daily, starts, "month") == [
        Point(date(2025, 1, 1), 6, True),
        Point(date(2025, 2, 1), None),
        Point(date(2025, 3, 1), None),
    ]
    a = [Point(date(2025, 1, d), v) for d, v in ((1, 10), (2, None), (3, 30))]
    b = [Point(date(2025, 1, d), v) for d, v in ((1, 1), (2, 2), (3, None))]
    assert [p.value for p in actor_total([(a, False), (b, True)])] == [11, 12, 30]
    assert [p.approximate for p in actor_total([(a, False), (b, True)])] == [False, True, False]


@pytest.mark.parametrize("interval", ["day", "month"])
def test_plot_written(sqlite_db: TestDatabase, tmp_path: Path, interval: str) -> None:
    path = plot_growth(_report(sqlite_db, interval=interval), tmp_path / f"growth-{interval}.png")
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
