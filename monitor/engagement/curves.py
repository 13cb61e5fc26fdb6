"""Pure view-curve arithmetic: a value at an age from captures, medians, the flag rule.

A post's numbers are captured whenever a collection pass sees them change (`post_metrics`),
rarely at exactly 1 h or 24 h after publication. The value at an age is therefore:

- the captured value itself when a capture was taken at exactly that age;
- else the straight line between the last capture before and the first capture after it, when
  those two are at most `max_gap_ratio` × the age apart (views, forwards and reactions are
  running totals, so the true value lies between the two captured ones, and a short gap keeps
  the guess close);
- else nothing: no value is ever given before the first capture or after the last one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from statistics import median
from typing import Literal

# The ages analysts read a curve at: (label, age).
AGES: tuple[tuple[str, timedelta], ...] = (
    ("1h", timedelta(hours=1)),
    ("6h", timedelta(hours=6)),
    ("24h", timedelta(hours=24)),
    ("7d", timedelta(days=7)),
)
AGE_LABELS = tuple(label for label, _ in AGES)
METRICS = ("views", "forwards", "reactions")

Flag = Literal["boosted", "suppressed", "mixed"]
# One capture of one number: (seconds since publication, value).
Point = tuple[float, float]
Curve = dict[str, float | None]  # age label -> value at that age


def value_at(points: Sequence[Point], age: float, max_gap_ratio: float) -> float | None:
    """The value at `age` seconds from captures sorted by age (see the module's rule)."""
    before: Point | None = None
    for point in points:
        if point[0] == age:
            return point[1]
        if point[0] < age:
            before = point
            continue
        if before is None or point[0] - before[0] > max_gap_ratio * age:
            return None
        share = (age - before[0]) / (point[0] - before[0])
        return before[1] + share * (point[1] - before[1])
    return None


def curve(points: Sequence[Point], max_gap_ratio: float) -> Curve:
    """The value at each of `AGES` (None where the captures do not give one)."""
    return {label: value_at(points, age.total_seconds(), max_gap_ratio) for label, age in AGES}


@dataclass(frozen=True)
class TypicalPoint:
    """The typical value at one age: the median of `posts` posts' values (None if too few)."""

    median: float | None
    posts: int


def typical_curve(curves: Iterable[Curve], min_posts: int) -> dict[str, TypicalPoint]:
    """At each age, the median of the curves that have a value there, when at least
    `min_posts` of them do."""
    values: dict[str, list[float]] = {label: [] for label in AGE_LABELS}
    for one in curves:
        for label in AGE_LABELS:
            value = one.get(label)
            if value is not None:
                values[label].append(value)
    return {
        label: TypicalPoint(
            median(found) if len(found) >= min_posts else None,
            len(found),
        )
        for label, found in values.items()
    }


@dataclass(frozen=True)
class FlagRule:
    """Boosted: views ≥ `boosted_ratio` × the typical value at the same age; suppressed:
    views ≤ the typical value / `suppressed_ratio`. Only ages with a typical value above 0."""

    boosted_ratio: float = 3.0
    suppressed_ratio: float = 3.0


@dataclass(frozen=True)
class Verdict:
    """A post's views against its account's typical curve: the ratio at each age, the flag,
    and the ages that gave it."""

    ratios: dict[str, float | None]
    flag: Flag | None
    ages: tuple[str, ...]


def judge(views: Curve, typical: Mapping[str, TypicalPoint], rule: FlagRule) -> Verdict:
    """Compare a post's views with the typical curve at every age where both have a value."""
    ratios: dict[str, float | None] = {}
    boosted: list[str] = []
    suppressed: list[str] = []
    for label in AGE_LABELS:
        value = views.get(label)
        point = typical.get(label)
        base = point.median if point is not None else None
        if value is None or base is None or base <= 0:
            ratios[label] = None
            continue
        ratios[label] = value / base
        if value >= rule.boosted_ratio * base:
            boosted.append(label)
        elif value * rule.suppressed_ratio <= base:
            suppressed.append(label)
    flag: Flag | None = None
    if boosted and suppressed:
        flag = "mixed"
    elif boosted:
        flag = "boosted"
    elif suppressed:
        flag = "suppressed"
    flagged = boosted + suppressed
    return Verdict(ratios, flag, tuple(label for label in AGE_LABELS if label in flagged))


def reactions_total(reactions: object) -> int | None:
    """The sum of a reactions mapping's counts ({"👍": 3, "❤": 2} → 5); None without one."""
    if not isinstance(reactions, Mapping):
        return None
    counts = reactions.values()
    return sum(n for n in counts if isinstance(n, int) and not isinstance(n, bool))
