"""`polmon engagement`: each post's views by age against its account's typical curve, flagged."""

from __future__ import annotations

from datetime import datetime

import click

from monitor.cli.context import app
from monitor.cli.keywords import PLATFORM_CHOICE
from monitor.output import emit, format_option
from monitor.timeparse import WHEN


@click.command()
@click.option("--account", "handle", default=None, help="Only this account (handle or URL).")
@click.option("--actor", default=None, help="Only this actor (by name).")
@click.option("--platform", type=PLATFORM_CHOICE, default=None, help="Only this platform.")
@click.option("--since", type=WHEN, default=None, help="Published at or after (2024-06-01, 7d).")
@click.option(
    "--until",
    type=WHEN,
    default=None,
    help="Published before; the typical curve is of the posts before it (default: now).",
)
@click.option("--flagged", is_flag=True, help="Only posts flagged boosted or suppressed.")
@click.option(
    "--typical",
    is_flag=True,
    help="List the accounts' typical curves (median per age) instead of the posts.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="At most this many posts, newest first (0: all).",
)
@format_option()
@click.pass_context
def engagement(
    ctx: click.Context,
    handle: str | None,
    actor: str | None,
    platform: str | None,
    since: datetime | None,
    until: datetime | None,
    flagged: bool,
    typical: bool,
    limit: int,
    fmt: str,
) -> None:
    """Views, forwards and reactions at 1h/6h/24h/7d, the typical curve, boosted posts."""
    from monitor.engagement.report import (
        ENGAGEMENT_COLUMNS,
        ENGAGEMENT_TABLE_COLUMNS,
        TYPICAL_COLUMNS,
        engagement_report,
        table_rows,
    )
    from monitor.queries.selection import actor_name, find_account_ids

    if since is not None and until is not None and since >= until:
        raise click.BadParameter("--since must be before --until", param_hint="--since")
    context = app(ctx)
    config = context.config.engagement
    with context.session() as session:
        report = engagement_report(
            session,
            config,
            account_ids=find_account_ids(session, handle, platform=platform),
            actor=actor_name(session, actor),
            platform=platform,
            since=since,
            until=until,
            limit=limit or None,
            flagged_only=flagged,
        )
    if typical:
        emit(
            report.typical,
            fmt,
            columns=TYPICAL_COLUMNS,
            title="typical curves (median of the latest posts)",
            empty="no posts in that window",
        )
        return
    emit(
        report.posts if fmt != "table" else table_rows(report.posts),
        fmt,
        columns=ENGAGEMENT_COLUMNS if fmt != "table" else ENGAGEMENT_TABLE_COLUMNS,
        title="view curves",
        empty="no flagged posts in that window" if flagged else "no posts in that window",
    )
    if fmt == "table" and report.posts:
        click.echo(
            f"flag: views at an age >= {config.boosted_ratio:g}x (boosted) or <= 1/"
            f"{config.suppressed_ratio:g} (suppressed) of the account's median there "
            f"(its latest {config.baseline_posts} posts, at least {config.min_posts} with a "
            "value at that age)"
        )
