"""`polmon collect` (one pass over the accounts) and `polmon posts` (what is stored)."""

from __future__ import annotations

from datetime import datetime

import click

from collectors.records import PLATFORMS
from monitor.cli.context import app, exit_if_stopped, stoppable
from monitor.output import echo, emit, format_option
from monitor.pipeline import run_collect
from monitor.queries.posts import POST_COLUMNS, list_posts
from monitor.queries.selection import actor_name, find_account_ids
from monitor.timeparse import WHEN

OFFLINE_MESSAGE = (
    "no network or DNS: no platform could be reached; check your connection or `[video] proxy`"
)
# The table shows when a post was edited or deleted and when last seen; JSON and CSV also carry
# the flags, every number of the latest capture with its time, and when the post was first seen.
POST_TABLE_COLUMNS = tuple(
    c
    for c in POST_COLUMNS
    if c not in ("edited", "deleted", "likes", "comments", "metrics_at", "first_seen_at")
)
PASS_COLUMNS = ("platform", "account", "status", "new", "updated", "deleted", "hits", "error")


@click.command()
@click.option("--platform", type=click.Choice(PLATFORMS), help="Only this platform.")
@click.option("--account", "handle", help="Only this account (handle or URL).")
@click.option("--actor", help="Only this actor's accounts.")
@click.option("--snapshots-only", is_flag=True, help="Only profiles and audience counts.")
@click.option(
    "--due", is_flag=True, help="Only accounts whose interval_minutes is up (and never others)."
)
@click.option("--download", is_flag=True, help="Then download pending media (`polmon download`).")
@format_option()
@click.pass_context
def collect(
    ctx: click.Context,
    platform: str | None,
    handle: str | None,
    actor: str | None,
    snapshots_only: bool,
    due: bool,
    download: bool,
    fmt: str,
) -> None:
    """Collect new posts, metrics, edits, deletions and audience counts (one pass)."""
    context = app(ctx)
    with stoppable():  # Ctrl-C: the account in hand is closed properly, no other is started
        report = run_collect(
            context.config,
            context.engine,
            platform=platform,
            account=handle,
            actor=actor,
            snapshots_only=snapshots_only,
            progress=fmt == "table",
            due=due,
        )
    rows = [
        {
            "platform": a.platform,
            "account": a.handle,
            "status": a.status,
            "new": a.new,
            "updated": a.updated,
            "deleted": a.deleted,
            "hits": a.keyword_hits,
            "error": a.error,
        }
        for a in report.accounts
    ]
    columns = [c for c in PASS_COLUMNS if fmt != "table" or c != "error"]
    empty = "no account is due" if due else "no accounts matched"
    emit(rows, fmt, columns=columns, title="collection pass", empty=empty)
    if report.offline:  # one line, not one per account
        raise click.ClickException(OFFLINE_MESSAGE)
    if fmt == "table":  # whole error lines, not folded into a narrow column
        for failed in report.failed + report.skipped:
            echo(f"{failed.platform} {failed.handle}: {failed.error}", err=True)
    exit_if_stopped(ctx, "collect")
    if download:
        from monitor.cli.download import summary
        from monitor.download import run_downloads

        with stoppable():
            downloads = run_downloads(context.config, context.engine, progress=fmt == "table")
        click.echo(summary(downloads), err=fmt != "table")
        exit_if_stopped(ctx, "download")
    totals = report.totals()
    if totals["failed"]:
        raise click.ClickException(
            f"{totals['failed']} of {totals['accounts']} accounts failed or were partly "
            "collected; their errors are above and in `polmon status`"
        )


@click.command()
@click.option("--account", "handle", help="Only this account (handle or URL).")
@click.option("--actor", help="Only this actor.")
@click.option("--platform", type=click.Choice(PLATFORMS), help="Only this platform.")
@click.option("--since", type=WHEN, help="Published at or after (2024-06-01, 7d, 24h).")
@click.option("--until", type=WHEN, help="Published before.")
@click.option("--deleted", "only_deleted", is_flag=True, help="Only posts the platform removed.")
@click.option("--edited", "only_edited", is_flag=True, help="Only posts edited after publication.")
@click.option(
    "--comments",
    is_flag=True,
    help="List the comments stored under the posts (Telegram) instead, with their authors.",
)
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@format_option()
@click.pass_context
def posts(
    ctx: click.Context,
    handle: str | None,
    actor: str | None,
    platform: str | None,
    since: datetime | None,
    until: datetime | None,
    only_deleted: bool,
    only_edited: bool,
    comments: bool,
    limit: int,
    fmt: str,
) -> None:
    """List stored posts, newest first, with when they were edited and deleted."""
    with app(ctx).session() as session:
        rows = list_posts(
            session,
            account_ids=find_account_ids(session, handle, platform=platform),
            actor=actor_name(session, actor),
            platform=platform,
            since=since,
            until=until,
            only_deleted=only_deleted,
            only_edited=only_edited,
            comments_only=comments,
            limit=limit,
        )
    if fmt == "table":
        for row in rows:
            row["text"] = _short(row["text"], fmt)
    columns = POST_COLUMNS if fmt != "table" else POST_TABLE_COLUMNS
    if comments:
        columns = (*columns, "author")
    emit(
        rows,
        fmt,
        columns=columns,
        title="comments" if comments else "posts",
        empty="no comments stored (see `comments` in docs/cli.md)"
        if comments
        else "no posts stored yet: run `polmon collect`",
    )


def _short(text: str | None, fmt: str, width: int = 80) -> str | None:
    if text is None or fmt != "table" or len(text) <= width:
        return text
    return text[: width - 1] + "…"
