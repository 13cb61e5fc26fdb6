"""`polmon growth`: audience growth per account and actor, as a table, JSON, CSV or a chart."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from monitor.cli.context import app
from monitor.cli.keywords import PLATFORM_CHOICE
from monitor.growth import INTERVALS, SUMMARY_COLUMNS, growth_report, report_json, summary_rows
from monitor.growth.render import table_rows
from monitor.growth.series import Interval
from monitor.output import dumps, emit, format_option, format_time, zone_label
from monitor.queries.growth.data import METRICS, Metric
from monitor.queries.selection import actor_name, find_account_ids
from monitor.timeparse import WHEN


@click.command()
@click.option("--actor", default=None, help="Only this actor (by name).")
@click.option("--platform", type=PLATFORM_CHOICE, default=None, help="Only this platform.")
@click.option("--account", default=None, help="Only this account (handle or URL).")
@click.option(
    "--since",
    type=WHEN,
    default=None,
    help="Start of the series and of the migration window (default: 90 days ago).",
)
@click.option("--until", type=WHEN, default=None, help="Report as of this time (default: now).")
@click.option("--interval", type=click.Choice(INTERVALS), default="day", show_default=True)
@click.option("--metric", type=click.Choice(METRICS), default="followers", show_default=True)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a PNG line chart here.",
)
@format_option()
@click.pass_context
def growth(
    ctx: click.Context,
    actor: str | None,
    platform: str | None,
    account: str | None,
    since: datetime | None,
    until: datetime | None,
    interval: Interval,
    metric: Metric,
    plot_path: Path | None,
    fmt: str,
) -> None:
    """Latest audience, change over 1/7/30 days, flags and engagement per account and actor."""
    context = app(ctx)
    if since is not None and until is not None and since >= until:
        raise click.BadParameter("--since must be before --until", param_hint="--since")
    with context.session() as session:
        report = growth_report(
            session,
            context.config.growth,
            actor=actor_name(session, actor),
            platform=platform,
            account_ids=find_account_ids(session, account, platform=platform),
            since=since,
            as_of=until,
            interval=interval,
            metric=metric,
            with_series=fmt == "json" or plot_path is not None,
        )
    if plot_path is not None:
        from monitor.growth.plot import plot_growth

        plot_growth(report, plot_path)
        click.echo(f"plot written to {plot_path}", err=True)
    if fmt == "json":
        click.echo(dumps(report_json(report)))
        return
    title = f"{metric} as of {format_time(report.as_of)} {zone_label()}"
    if fmt == "table":
        emit(table_rows(report), fmt, title=title, empty="no accounts match")
        return
    emit(
        summary_rows(report),
        fmt,
        columns=SUMMARY_COLUMNS,
        title=title,
        empty="no accounts match",
    )
