"""`polmon keywords rescan`, `polmon hits` and `polmon trends`: keyword hits for analysts."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

import click

from collectors.records import PLATFORMS
from monitor.cli.context import app
from monitor.growth.series import Interval
from monitor.hit_confidence import match_label
from monitor.keywords import rescan_keywords
from monitor.output import dumps, emit, format_option
from monitor.queries.hits import HIT_COLUMNS, hit_trends, list_hits
from monitor.queries.selection import actor_name, find_account_ids, group_name
from monitor.timeparse import WHEN

# A terminal table leaves out the handle and platform (the actor and the link say them) and
# shows confidence and approximate as one `match` label (left out when every hit is exact
# text); the snippet wraps, the link stays whole.
HIT_TABLE_COLUMNS = tuple(
    "match" if c == "confidence" else c
    for c in HIT_COLUMNS
    if c not in ("handle", "platform", "approximate")
)
PLATFORM_CHOICE = click.Choice(PLATFORMS)
CONFIDENCE = click.FloatRange(0.0, 1.0)


def min_confidence_option(f: Any) -> Any:
    """`--min-confidence` and `--exclude-approximate`: the hits a threshold keeps."""
    f = click.option(
        "--exclude-approximate",
        is_flag=True,
        help="Leave out approximate (fuzzy) hits, keeping only the terms themselves.",
    )(f)
    return click.option(
        "--min-confidence",
        type=CONFIDENCE,
        default=None,
        metavar="0..1",
        help="Only hits heard at least this sure (e.g. 0.7); exact text hits always pass.",
    )(f)


@click.group()
def keywords() -> None:
    """Keyword groups: re-match history after the config changed."""


@keywords.command("rescan")
@click.option("--group", default=None, help="Only this keyword group.")
@click.option(
    "--if-changed", is_flag=True, help="Only groups whose definition changed since the last rescan."
)
@format_option()
@click.pass_context
def keywords_rescan(ctx: click.Context, group: str | None, if_changed: bool, fmt: str) -> None:
    """Re-match all posts and transcripts: new hits found, hits of removed terms removed."""
    context = app(ctx)
    progress = None
    if fmt == "table" and sys.stderr.isatty():

        def progress(kind: str, done: int) -> None:
            click.echo(f"\r{kind}: {done:,} scanned    ", nl=False, err=True)

    report = rescan_keywords(
        context.config, context.engine, group=group, force=not if_changed, progress=progress
    )
    if progress is not None:
        click.echo("", err=True)
    if fmt == "json":
        click.echo(dumps(report.as_dict()))
        return
    emit([report.as_dict()], fmt, title="keyword rescan")


@click.command()
@click.option("--group", default=None, help="Only this keyword group.")
@click.option("--term", default=None, help="Only this term (as written in the config).")
@click.option("--actor", default=None, help="Only this actor (by name).")
@click.option("--account", default=None, help="Only this account (handle or URL).")
@click.option("--platform", type=PLATFORM_CHOICE, default=None, help="Only this platform.")
@click.option(
    "--since", type=WHEN, default=None, help="Only hits in posts published from this time."
)
@click.option(
    "--until", type=WHEN, default=None, help="Only hits in posts published before this time."
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="At most this many hits (0: all).",
)
@min_confidence_option
@format_option()
@click.pass_context
def hits(
    ctx: click.Context,
    group: str | None,
    term: str | None,
    actor: str | None,
    account: str | None,
    platform: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    min_confidence: float | None,
    exclude_approximate: bool,
    fmt: str,
) -> None:
    """List keyword hits, newest first, with snippet and link (video links open at the second)."""
    context = app(ctx)
    with context.session() as session:
        rows = list_hits(
            session,
            limit=limit or None,
            group=group_name(session, context.config.keywords, group),
            term=term,
            actor=actor_name(session, actor),
            account_ids=find_account_ids(session, account, platform=platform),
            platform=platform,
            since=since,
            until=until,
            min_confidence=min_confidence,
            include_approximate=not exclude_approximate,
        )
    if fmt != "table":
        emit(rows, fmt, columns=HIT_COLUMNS, title="keyword hits", empty="no hits")
        return
    labelled = [
        {**row, "match": match_label(row["confidence"], row["approximate"])} for row in rows
    ]
    # Only exact text hits: the match column would say `exact` on every row; leave it out.
    doubtful = any(row["match"] != "exact" for row in labelled)
    columns = [c for c in HIT_TABLE_COLUMNS if doubtful or c != "match"]
    emit(labelled, fmt, columns=columns, title="keyword hits", empty="no hits")


@click.command()
@click.option("--group", default=None, help="Only this keyword group.")
@click.option("--actor", default=None, help="Only this actor (by name).")
@click.option("--interval", type=click.Choice(["day", "week"]), default="day", show_default=True)
@click.option(
    "--since", type=WHEN, default=None, help="Only hits in posts published from this time."
)
@click.option(
    "--until", type=WHEN, default=None, help="Only hits in posts published before this time."
)
@min_confidence_option
@format_option()
@click.pass_context
def trends(
    ctx: click.Context,
    group: str | None,
    actor: str | None,
    interval: Interval,
    since: datetime | None,
    until: datetime | None,
    min_confidence: float | None,
    exclude_approximate: bool,
    fmt: str,
) -> None:
    """Keyword hit counts per group and actor over time (by day or ISO week, UTC)."""
    context = app(ctx)
    with context.session() as session:
        rows = hit_trends(
            session,
            interval=interval,
            group=group_name(session, context.config.keywords, group),
            actor=actor_name(session, actor),
            since=since,
            until=until,
            min_confidence=min_confidence,
            include_approximate=not exclude_approximate,
        )
    emit(
        rows,
        fmt,
        columns=("group", "actor", "period_start", "hits", "posts"),
        title=f"keyword hits per {interval}",
        empty="no hits",
    )
