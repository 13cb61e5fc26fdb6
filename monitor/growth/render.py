"""A growth report as a JSON document (shape in docs/cli.md) or flat summary rows."""

from __future__ import annotations

from typing import Any

from monitor.growth.report import AccountGrowth, ActorGrowth, Change, GrowthReport
from monitor.growth.series import Point

SUMMARY_COLUMNS = (
    "actor",
    "platform",
    "account",
    "status",
    "latest",
    "approximate",
    "change_1d",
    "percent_1d",
    "change_7d",
    "percent_7d",
    "change_30d",
    "percent_30d",
    "change_window",
    "percent_window",
    "median_views",
    "views_per_subscriber",
    "posts_per_day",
    "flags",
)


def _changes(changes: dict[str, Change], window: Change) -> dict[str, dict[str, Any]]:
    """The 1/7/30-day changes and, under "window", the change over the report's window."""
    return {k: {"absolute": a, "percent": p} for k, (a, p) in {**changes, "window": window}.items()}


def _window_json(item: AccountGrowth) -> dict[str, Any] | None:
    """The first and last capture inside the window the account's window change is between."""
    if item.window is None:
        return None
    first, last = item.window.first, item.window.last
    return {
        "first": first.value,
        "first_at": first.captured_at,
        "last": last.value,
        "last_at": last.captured_at,
    }


def _series(points: list[Point]) -> list[dict[str, Any]]:
    return [
        {"period_start": p.period_start, "value": p.value, "approximate": p.approximate}
        for p in points
    ]


def _total_series(points: list[Point]) -> list[dict[str, Any]]:
    """An actor's total: each point also names the accounts that joined or ended there."""
    return [
        {**row, "joined": list(p.joined), "ended": list(p.ended)}
        for row, p in zip(_series(points), points, strict=True)
    ]


def _account_json(item: AccountGrowth) -> dict[str, Any]:
    engagement = item.engagement
    return {
        "account_id": item.info.id,
        "platform": item.info.platform,
        "handle": item.info.handle,
        "status": item.info.status,
        "latest": item.latest.value if item.latest else None,
        "latest_at": item.latest.captured_at if item.latest else None,
        "approximate": item.latest.approximate if item.latest else False,
        "change": _changes(item.changes, item.window_change),
        "window": _window_json(item),
        "flags": item.flags,
        "engagement": {
            "median_views": engagement.median_views if engagement else None,
            "posts_considered": engagement.posts_considered if engagement else 0,
            "views_per_subscriber": item.views_per_subscriber,
            "posts_per_day": engagement.posts_per_day if engagement else 0.0,
        },
        "series": _series(item.series),
    }


def _actor_json(item: ActorGrowth) -> dict[str, Any]:
    return {
        "actor": item.actor,
        "latest": item.latest,
        "approximate": item.approximate,
        "change": _changes(item.changes, item.window_change),
        "flags": item.flags,
        "series": _total_series(item.series),
        "accounts": [_account_json(a) for a in item.accounts],
    }


def report_json(report: GrowthReport) -> dict[str, Any]:
    return {
        "as_of": report.as_of,
        "since": report.since,
        "interval": report.interval,
        "metric": report.metric,
        "actors": [_actor_json(a) for a in report.actors],
    }


def _change_cells(changes: dict[str, Change]) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for key, (absolute, percent) in changes.items():
        cells[f"change_{key}"] = absolute
        cells[f"percent_{key}"] = percent
    return cells


def summary_rows(report: GrowthReport) -> list[dict[str, Any]]:
    """One row per account, then one for its actor's total (platform "all")."""
    rows = []
    for actor in report.actors:
        for item in actor.accounts:
            engagement = item.engagement
            rows.append(
                {
                    "actor": actor.actor,
                    "platform": item.info.platform,
                    "account": item.info.handle,
                    "status": item.info.status,
                    "latest": item.latest.value if item.latest else None,
                    "approximate": item.latest.approximate if item.latest else False,
                    **_change_cells({**item.changes, "window": item.window_change}),
                    "median_views": engagement.median_views if engagement else None,
                    "views_per_subscriber": item.views_per_subscriber,
                    "posts_per_day": engagement.posts_per_day if engagement else None,
                    "flags": ", ".join(f["kind"] for f in item.flags),
                }
            )
        rows.append(
            {
                "actor": actor.actor,
                "platform": "all",
                "account": "(total)",
                "status": "",
                "latest": actor.latest,
                "approximate": actor.approximate,
                **_change_cells({**actor.changes, "window": actor.window_change}),
                "flags": ", ".join(f"migration {f['from']} -> {f['to']}" for f in actor.flags),
            }
        )
    return rows


def _signed(absolute: Any, percent: Any) -> str:
    if absolute is None:
        return ""
    text = f"{absolute:+,}"
    return text + (f" ({percent:+.1f}%)" if percent is not None else "")


def table_rows(report: GrowthReport) -> list[dict[str, Any]]:
    """Summary rows condensed for a terminal: changes as "+1,000 (+0.1%)", "~" when approximate."""
    rows = []
    for row in summary_rows(report):
        latest = row["latest"]
        rows.append(
            {
                "actor": row["actor"],
                "account": f"{row['platform']} {row['account']}",
                "latest": ""
                if latest is None
                else ("~" if row["approximate"] else "") + f"{latest:,}",
                **{
                    k: _signed(row[f"change_{k}"], row[f"percent_{k}"])
                    for k in ("1d", "7d", "30d", "window")
                },
                "views/post": ""
                if row.get("median_views") is None
                else f"{row['median_views']:,.0f}",
                "ERR": ""
                if row.get("views_per_subscriber") is None
                else f"{row['views_per_subscriber']:.2%}",
                "posts/day": row.get("posts_per_day"),
                "flags": row["flags"],
            }
        )
    for actor in report.actors:  # the total's flags, short: "migration facebook→telegram"
        targets: dict[str, list[str]] = {}
        for flag in actor.flags:
            targets.setdefault(flag["from"].split(":")[0], []).append(flag["to"].split(":")[0])
        short = "; ".join(f"migration {src}→{','.join(dst)}" for src, dst in targets.items())
        for row in rows:
            if row["actor"] == actor.actor and row["account"] == "all (total)":
                row["flags"] = short
    return rows
