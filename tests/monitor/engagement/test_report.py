"""The engagement report on SQLite and PostgreSQL, against the hand-worked values of
tests/support/engagement_data.py."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.engagement.config import EngagementConfig
from monitor.engagement.report import EngagementReport, engagement_report
from storage.engine import session_factory
from tests.conftest import TestDatabase
from tests.support.engagement_data import DAY, HOSTILE, Scenario, build
from tests.support.factories import T0

CONFIG = EngagementConfig(baseline_posts=8, min_posts=5)
AGES = ("1h", "6h", "24h", "7d")


@pytest.fixture
def scenario(db: TestDatabase) -> Scenario:
    return build(db.engine)


def report(db: TestDatabase, config: EngagementConfig = CONFIG, **kwargs: Any) -> EngagementReport:
    with session_factory(db.engine)() as session:
        return engagement_report(session, config, limit=None, now=T0 + 60 * DAY, **kwargs)


def by_id(result: EngagementReport) -> dict[int, dict[str, Any]]:
    return {int(row["id"]): dict(row) for row in result.posts}


def values(row: dict[str, Any], metric: str) -> list[Any]:
    return [row[f"{metric}_{age}"] for age in AGES]


def test_values_at_each_age_are_read_from_the_captures(
    db: TestDatabase, scenario: Scenario
) -> None:
    rows = by_id(report(db, actor="Sam Rainsy"))
    interp = rows[scenario.ids["interp"]]
    # 1 h: halfway between 100 (30 min) and 300 (1 h 30); 6 h: the capture; 24 h: 1800 + 0.4 * 600.
    assert values(interp, "views") == [200, 1000, 2040, None]
    assert values(interp, "forwards") == [4, 10, 34, None]  # 2..6; 10; 30 + 0.4 * 10
    assert values(interp, "reactions") == [8, 20, 44, None]  # 4..12; 20; 40 + 0.4 * 10
    # 10 min and 2 h 30 are too far apart for 1 h; nothing is given past the last capture.
    assert values(rows[scenario.ids["gap"]], "views") == [None, None, None, None]
    # Captured at 5 d (5000) and seen unchanged at 8 d: 7 d is 5000; before 5 d nothing.
    assert values(rows[scenario.ids["held"]], "views") == [None, None, None, 5000]
    # Three posts: too few for a typical curve, so no ratio and no flag.
    assert {row["flag"] for row in rows.values()} == {None}
    assert {row["ratio_1h"] for row in rows.values()} == {None}


def test_a_looser_gap_gives_the_value_the_strict_one_refused(
    db: TestDatabase, scenario: Scenario
) -> None:
    loose = EngagementConfig(baseline_posts=8, max_gap_ratio=3.0)
    gap = by_id(report(db, loose, actor="Sam Rainsy"))[scenario.ids["gap"]]
    assert gap["views_1h"] == 282  # 50 + 650 * (50 min / 140 min) = 282.1


def test_the_typical_curve_is_the_median_of_the_latest_posts(
    db: TestDatabase, scenario: Scenario
) -> None:
    typical = [row for row in report(db, actor="Hun Sen").typical]
    assert [(row["account"], row["age"], row["posts"], row["views"]) for row in typical] == [
        ("chan", "1h", 8, 150.0),  # 40 100 120 140 | 160 180 450 600: the old post left out
        ("chan", "6h", 4, None),  # four posts, five needed
        ("chan", "24h", 6, 1200.0),
        ("chan", "7d", 0, None),
    ]
    assert {row["forwards"] for row in typical} == {None}


def test_posts_far_from_the_typical_curve_are_flagged(db: TestDatabase, scenario: Scenario) -> None:
    rows = by_id(report(db, actor="Hun Sen"))
    ids = scenario.ids
    flags = {name: (rows[i]["flag"], rows[i]["flagged_at"]) for name, i in ids.items() if i in rows}
    assert flags["boost"] == ("boosted", "1h")  # 600 = 4 x 150; at 24 h 1200 = 1 x 1200
    assert flags["edge"] == ("boosted", "1h")  # 450 = exactly 3 x 150
    assert flags["low"] == ("suppressed", "1h")  # 40 <= 150 / 3
    assert flags["old"] == ("boosted", "1h")  # 10,000 against the recent 150
    for name in ("b1", "b2", "b3", "b4", "b5"):
        assert flags[name] == (None, None)
    boost = rows[ids["boost"]]
    assert [boost[f"ratio_{age}"] for age in AGES] == [4.0, None, 1.0, None]
    assert rows[ids["low"]]["ratio_1h"] == 0.27  # 40 / 150
    assert rows[ids["b1"]]["ratio_24h"] == pytest.approx(1000 / 1200, abs=0.005)
    assert boost["text"] == HOSTILE  # stored text, exact: escaping is the output's work
    flagged = report(db, actor="Hun Sen", flagged_only=True)
    assert sorted(int(row["id"]) for row in flagged.posts) == sorted(
        ids[name] for name in ("boost", "edge", "low", "old")
    )


def test_with_the_old_post_in_the_baseline_the_median_moves(
    db: TestDatabase, scenario: Scenario
) -> None:
    wide = EngagementConfig(baseline_posts=30, min_posts=5)
    result = report(db, wide, actor="Hun Sen")
    assert result.typical[0]["views"] == 160.0  # nine values: 10,000 joins, the middle is 160
    assert by_id(result)[scenario.ids["edge"]]["flag"] is None  # 450 < 3 x 160
    assert result.rule["baseline_posts"] == 30


def test_the_window_lists_posts_and_until_ends_the_baseline(
    db: TestDatabase, scenario: Scenario
) -> None:
    ids = scenario.ids
    # Posts published from day 5 on: boost, low, edge; the typical curve is still all eight.
    window = report(db, actor="Hun Sen", since=T0 + 5 * DAY)
    assert [int(row["id"]) for row in window.posts] == [ids["edge"], ids["low"], ids["boost"]]
    assert window.typical[0]["views"] == 150.0
    # Until day 5: b1..b5 and the old post; the baseline is those six: median of
    # 100 120 140 160 180 10000 = 150 at 1 h; 24 h: 1000..1400 -> 1200.
    before = report(db, actor="Hun Sen", until=T0 + 5 * DAY)
    assert {int(row["id"]) for row in before.posts} == {
        ids[name] for name in ("old", "b1", "b2", "b3", "b4", "b5")
    }
    assert [row["views"] for row in before.typical] == [150.0, None, 1200.0, None]
    limited = engagement_report_limit(db, 2)
    assert [int(row["id"]) for row in limited.posts] == [ids["edge"], ids["low"]]


def engagement_report_limit(db: TestDatabase, limit: int) -> EngagementReport:
    with session_factory(db.engine)() as session:
        return engagement_report(session, CONFIG, actor="Hun Sen", limit=limit, now=T0 + 60 * DAY)


def test_no_posts_no_rows(db: TestDatabase) -> None:
    result = report(db)
    assert result.posts == [] and result.typical == []
