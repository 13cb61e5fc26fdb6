"""`polmon post` (one post's versions, metrics and media) and `polmon events` (account events)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import click

from collectors.records import PLATFORMS
from monitor.cli.context import app
from monitor.output import dumps, echo, emit, format_option, format_time, zone_label
from monitor.queries.comments import COMMENT_COLUMNS, comments_of
from monitor.queries.events import EVENT_COLUMNS, EVENT_KINDS, list_events
from monitor.queries.history import MEDIA_COLUMNS, METRIC_COLUMNS, VERSION_COLUMNS, post_history
from monitor.queries.posts import find_post
from monitor.queries.selection import actor_name, find_account_ids
from monitor.timeparse import WHEN

PARTS = {
    "versions": VERSION_COLUMNS,
    "metrics": METRIC_COLUMNS,
    "media": MEDIA_COLUMNS,
    "comments": COMMENT_COLUMNS,
}


@click.command("post")
@click.argument("post_ref", metavar="ID|URL")
@click.option(
    "--only",
    type=click.Choice(tuple(PARTS)),
    default=None,
    help="Only this part (CSV, one table, shows versions unless told).",
)
@format_option()
@click.pass_context
def post_command(ctx: click.Context, post_ref: str, only: str | None, fmt: str) -> None:
    """One post's history: every version with a diff, deletion, metrics over time, media, and
    the comments stored under it."""
    with app(ctx).session() as session:
        stored = find_post(session, post_ref)
        history = post_history(session, stored)
        comments = comments_of(session, stored.id)
    parts: dict[str, Sequence[Mapping[str, Any]]] = {
        "versions": history["versions"],
        "metrics": history["metrics"],
        "media": history["media"],
        "comments": comments,
    }
    if fmt == "json":
        click.echo(dumps(parts[only] if only else {**history, "comments": comments}))
        return
    if fmt == "csv":
        part = only or "versions"
        emit(parts[part], fmt, columns=PARTS[part])
        return
    if only is None:
        post = history["post"]
        for key, value in post.items():
            if key not in ("title", "text") and value is not None:
                if isinstance(value, datetime):
                    shown = f"{format_time(value, seconds=True)} {zone_label()}"
                else:
                    shown = str(value)
                echo(f"{key + ':':<15} {shown}")  # platform text: control characters shown
    for part in (only,) if only else tuple(PARTS):
        emit(parts[part], fmt, columns=PARTS[part], title=part, empty="none stored")


@click.command("events")
@click.option("--actor", default=None, help="Only this actor (by name).")
@click.option("--account", default=None, help="Only this account (handle or URL).")
@click.option("--platform", type=click.Choice(PLATFORMS), default=None, help="Only this platform.")
@click.option(
    "--kind",
    "kinds",
    type=click.Choice(tuple(EVENT_KINDS)),
    multiple=True,
    help="Only these kinds (repeat the option for several).",
)
@click.option("--since", type=WHEN, default=None, help="Detected at or after (2024-06-01, 7d).")
@click.option("--until", type=WHEN, default=None, help="Detected before.")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="At most this many events (0: all).",
)
@format_option()
@click.pass_context
def events(
    ctx: click.Context,
    actor: str | None,
    account: str | None,
    platform: str | None,
    kinds: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
    limit: int,
    fmt: str,
) -> None:
    """What happened to accounts: renamed, deleted, private, came back, handle reassigned."""
    if since is not None and until is not None and since >= until:
        raise click.BadParameter("--since must be before --until", param_hint="--since")
    with app(ctx).session() as session:
        rows = list_events(
            session,
            account_ids=find_account_ids(session, account, platform=platform),
            actor=actor_name(session, actor),
            platform=platform,
            kinds=kinds or None,
            since=since,
            until=until,
            limit=limit or None,
        )
    emit(rows, fmt, columns=EVENT_COLUMNS, title="account events", empty="no events")
