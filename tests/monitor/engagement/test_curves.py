"""The view-curve arithmetic against values worked out by hand."""

from __future__ import annotations

import pytest

from monitor.engagement.curves import (
    FlagRule,
    TypicalPoint,
    curve,
    judge,
    reactions_total,
    typical_curve,
    value_at,
)

H = 3600.0


def test_a_capture_at_the_age_is_taken_as_it_is() -> None:
    assert value_at([(0.5 * H, 100), (H, 250), (3 * H, 900)], H, 1.0) == 250


def test_between_two_captures_the_value_lies_on_the_line_joining_them() -> None:
    # 30 min: 100, 1 h 30: 300 -> halfway: 200.
    assert value_at([(0.5 * H, 100), (1.5 * H, 300)], H, 1.0) == 200
    # 20 h: 1800, 30 h: 2400 -> 24 h is 4/10 of the way: 1800 + 0.4 * 600 = 2040.
    assert value_at([(20 * H, 1800), (30 * H, 2400)], 24 * H, 1.0) == pytest.approx(2040)


def test_no_value_before_the_first_or_after_the_last_capture() -> None:
    points = [(2 * H, 500), (5 * H, 800)]
    assert value_at(points, H, 10.0) is None
    assert value_at(points, 6 * H, 10.0) is None
    assert value_at([], H, 1.0) is None


def test_captures_too_far_apart_give_no_value() -> None:
    # 10 min and 2 h 30 are 2 h 20 apart: more than 1.0 x 1 h.
    points = [(H / 6, 50), (2.5 * H, 700)]
    assert value_at(points, H, 1.0) is None
    # The same captures with a looser gap (3 x the age): 50 + (50/140) * 650 = 282.14…
    assert value_at(points, H, 3.0) == pytest.approx(50 + 650 * 50 / 140)
    # Exactly max_gap_ratio x the age apart still counts: 0.5 h and 1.5 h around 1 h.
    assert value_at([(0.5 * H, 10), (1.5 * H, 20)], H, 1.0) == 15


def test_curve_reads_every_age() -> None:
    points = [(0.5 * H, 100), (1.5 * H, 300), (6 * H, 1000), (20 * H, 1800), (30 * H, 2400)]
    assert curve(points, 1.0) == {"1h": 200, "6h": 1000, "24h": pytest.approx(2040), "7d": None}


def test_typical_curve_is_the_median_where_enough_posts_have_a_value() -> None:
    curves = [
        {"1h": 40.0, "6h": 500.0, "24h": None, "7d": None},
        {"1h": 100.0, "6h": 600.0, "24h": None, "7d": None},
        {"1h": 120.0, "6h": None, "24h": None, "7d": None},
        {"1h": 600.0, "6h": None, "24h": None, "7d": None},
    ]
    typical = typical_curve(curves, 3)
    assert typical["1h"] == TypicalPoint((100 + 120) / 2, 4)  # even count: mean of the middle two
    assert typical["6h"] == TypicalPoint(None, 2)  # two posts, three needed
    assert typical["7d"] == TypicalPoint(None, 0)
    assert typical_curve(curves[:3], 3)["1h"] == TypicalPoint(100, 3)


def typical(**medians: float | None) -> dict[str, TypicalPoint]:
    return {age: TypicalPoint(medians.get(age), 5) for age in ("1h", "6h", "24h", "7d")}


def test_three_times_the_median_is_boosted_a_third_is_suppressed() -> None:
    rule = FlagRule(boosted_ratio=3.0, suppressed_ratio=3.0)
    base = typical(**{"1h": 150.0, "24h": 1200.0})
    exactly = judge({"1h": 450.0, "24h": 1200.0}, base, rule)
    assert exactly.flag == "boosted" and exactly.ages == ("1h",)
    assert exactly.ratios == {"1h": 3.0, "6h": None, "24h": 1.0, "7d": None}
    just_under = judge({"1h": 449.0}, base, rule)
    assert just_under.flag is None and just_under.ages == ()
    low = judge({"1h": 50.0, "24h": 399.0}, base, rule)  # 50 = 150/3; 399 < 1200/3
    assert low.flag == "suppressed" and low.ages == ("1h", "24h")
    assert judge({"1h": 51.0}, base, rule).flag is None
    both = judge({"1h": 600.0, "24h": 100.0}, base, rule)
    assert both.flag == "mixed" and both.ages == ("1h", "24h")


def test_no_flag_without_a_typical_value_or_with_a_zero_median() -> None:
    rule = FlagRule()
    assert judge({"1h": 10_000.0}, typical(), rule).flag is None
    zero = judge({"1h": 10_000.0}, typical(**{"1h": 0.0}), rule)
    assert zero.flag is None and zero.ratios["1h"] is None


def test_other_ratios_follow_the_rule() -> None:
    base = typical(**{"6h": 100.0})
    assert judge({"6h": 200.0}, base, FlagRule(boosted_ratio=2.0)).flag == "boosted"
    assert judge({"6h": 60.0}, base, FlagRule(suppressed_ratio=1.5)).flag == "suppressed"


def test_reactions_total_adds_the_counts() -> None:
    assert reactions_total({"👍": 3, "❤": 1}) == 4
    assert reactions_total({}) == 0
    assert reactions_total(None) is None
    assert reactions_total({"x": "7", "y": True, "z": 2}) == 2  # only whole counts
