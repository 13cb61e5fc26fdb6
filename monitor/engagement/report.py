"""The engagement report: each post's curve by age, its account's typical curve, and the flags."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from monitor.engagement.config import EngagementConfig
from monitor.engagement.curves import (
    AGE_LABELS,
    METRICS,
    Curve,
    FlagRule,
    Point,
    TypicalPoint,
    curve,
    judge,
    reactions_total,
    typical_curve,
)
from monitor.queries.engagement import Capture, CapturedPost, captured_posts

ENGAGEMENT_COLUMNS = (
    "id",
    "actor",
    "platform",
    "account",
    "post_id",
    "published_at",
    *(f"{metric}_{age}" for metric in METRICS for age in AGE_LABELS),
    *(f"ratio_{age}" for age in AGE_LABELS),
    "flag",
    "flagged_at",
    "url",
    "text",
)
# The table: views at each age with their ratio to the typical views ("600 ×4.0").
ENGAGEMENT_TABLE_COLUMNS = ("id", "account", "published_at", *AGE_LABELS, "flag", "flagged_at")
TYPICAL_COLUMNS = ("actor", "platform", "account", "age", "posts", *METRICS)


class EngagementRow(TypedDict):
    """One post: views, forwards and reactions at 1 h, 6 h, 24 h and 7 d after publication
    (None where the captures do not give one), views ÷ the account's typical views at each
    age, the flag (boosted, suppressed, mixed or None) and the ages that raised it."""

    id: int
    actor: str
    platform: str
    account: str
    post_id: str
    published_at: datetime
    views_1h: int | None
    views_6h: int | None
    views_24h: int | None
    views_7d: int | None
    forwards_1h: int | None
    forwards_6h: int | None
    forwards_24h: int | None
    forwards_7d: int | None
    reactions_1h: int | None
    reactions_6h: int | None
    reactions_24h: int | None
    reactions_7d: int | None
    ratio_1h: float | None
    ratio_6h: float | None
    ratio_24h: float | None
    ratio_7d: float | None
    flag: str | None
    flagged_at: str | None
    url: str | None
    text: str | None


class TypicalRow(TypedDict):
    """An account's typical curve at one age: the median of its latest posts' values there
    (`posts` of them had a view count at that age; None below `min_posts`)."""

    account_id: int
    actor: str
    platform: str
    account: str
    age: str
    posts: int
    views: float | None
    forwards: float | None
    reactions: float | None


class RuleRow(TypedDict):
    """The `[engagement]` settings the report was made with."""

    max_gap_ratio: float
    baseline_posts: int
    min_posts: int
    boosted_ratio: float
    suppressed_ratio: float


@dataclass
class EngagementReport:
    posts: list[EngagementRow]
    typical: list[TypicalRow]
    rule: RuleRow


def _number(capture: Capture, metric: str) -> float | None:
    if metric == "views":
        return capture.views
    if metric == "forwards":
        return capture.shares
    return reactions_total(capture.reactions)


def metric_points(post: CapturedPost, metric: str) -> list[Point]:
    """(age in seconds, value) of each capture with a value; the latest capture's value again
    at `last_seen_at`: a pass writes a capture only when a number changed, so every later pass
    up to then saw the same numbers."""
    points: list[Point] = []
    for capture in post.captures:
        value = _number(capture, metric)
        if value is not None:
            points.append(((capture.captured_at - post.published_at).total_seconds(), value))
    if post.captures and post.last_seen_at > post.captures[-1].captured_at:
        value = _number(post.captures[-1], metric)
        if value is not None:
            points.append(((post.last_seen_at - post.published_at).total_seconds(), value))
    return points


def _whole(value: float | None) -> int | None:
    return None if value is None else round(value)


def _tenth(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def engagement_report(
    session: Session,
    config: EngagementConfig,
    *,
    account_ids: Collection[int] | None = None,
    actor: str | None = None,
    platform: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 50,
    flagged_only: bool = False,
    now: datetime | None = None,
) -> EngagementReport:
    """Posts published in `since <= t < until`, newest first, each against the typical
    curve of its account's latest `baseline_posts` posts published before `until` (or now)."""
    posts = captured_posts(
        session,
        account_ids=account_ids,
        actor=actor,
        platform=platform,
        since=since,
        until=until,
        limit=limit,
        baseline_posts=config.baseline_posts,
        now=now or datetime.now(UTC),
    )
    curves: dict[int, dict[str, Curve]] = {
        post.id: {
            metric: curve(metric_points(post, metric), config.max_gap_ratio) for metric in METRICS
        }
        for post in posts
    }
    members: dict[int, list[int]] = {post.account_id: [] for post in posts}
    for post in posts:
        if post.baseline:
            members[post.account_id].append(post.id)
    typical = {
        account_id: {
            metric: typical_curve((curves[i][metric] for i in ids), config.min_posts)
            for metric in METRICS
        }
        for account_id, ids in members.items()
    }
    rule = FlagRule(config.boosted_ratio, config.suppressed_ratio)
    rows: list[EngagementRow] = []
    for post in posts:
        if not post.listed:
            continue
        verdict = judge(curves[post.id]["views"], typical[post.account_id]["views"], rule)
        if flagged_only and verdict.flag is None:
            continue
        values = {
            f"{metric}_{age}": _whole(curves[post.id][metric][age])
            for metric in METRICS
            for age in AGE_LABELS
        }
        ratios = {
            f"ratio_{age}": None if ratio is None else round(ratio, 2)
            for age, ratio in verdict.ratios.items()
        }
        row: dict[str, object] = {
            "id": post.id,
            "actor": post.actor,
            "platform": post.platform,
            "account": post.account,
            "post_id": post.post_id,
            "published_at": post.published_at,
            **values,
            **ratios,
            "flag": verdict.flag,
            "flagged_at": " ".join(verdict.ages) or None,
            "url": post.url,
            "text": post.text,
        }
        rows.append(cast(EngagementRow, row))
    return EngagementReport(rows, _typical_rows(posts, typical), _rule_row(config))


def table_rows(rows: list[EngagementRow]) -> list[dict[str, object]]:
    """`rows` as the table shows them: one column per age, the views and × the typical views."""
    shown: list[dict[str, object]] = []
    for row in rows:
        line: dict[str, object] = {
            "id": row["id"],
            "account": row["account"],
            "published_at": row["published_at"],
            "flag": row["flag"],
            "flagged_at": row["flagged_at"],
        }
        for age in AGE_LABELS:
            views, ratio = row.get(f"views_{age}"), row.get(f"ratio_{age}")
            line[age] = views if views is None or ratio is None else f"{views} ×{ratio}"
        shown.append(line)
    return shown


def _typical_rows(
    posts: list[CapturedPost], typical: dict[int, dict[str, dict[str, TypicalPoint]]]
) -> list[TypicalRow]:
    names = {post.account_id: post for post in posts if post.listed}
    ordered = sorted(names.values(), key=lambda p: (p.actor.casefold(), p.platform, p.account))
    return [
        TypicalRow(
            account_id=post.account_id,
            actor=post.actor,
            platform=post.platform,
            account=post.account,
            age=age,
            posts=typical[post.account_id]["views"][age].posts,
            views=_tenth(typical[post.account_id]["views"][age].median),
            forwards=_tenth(typical[post.account_id]["forwards"][age].median),
            reactions=_tenth(typical[post.account_id]["reactions"][age].median),
        )
        for post in ordered
        for age in AGE_LABELS
    ]


def _rule_row(config: EngagementConfig) -> RuleRow:
    return RuleRow(
        max_gap_ratio=config.max_gap_ratio,
        baseline_posts=config.baseline_posts,
        min_posts=config.min_posts,
        boosted_ratio=config.boosted_ratio,
        suppressed_ratio=config.suppressed_ratio,
    )
