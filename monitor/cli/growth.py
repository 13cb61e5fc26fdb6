"""`polmon growth`: audience growth per account and actor, as a table, JSON, CSV or a chart."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from monitor.cli.context import app
from monitor.cli.keywords import PLATFORM_CHOICE
from monitor.growth import SUMMARY_COLUMNS, growth_report, report_json, summary_rows
from monitor.growth.render import table_rows
from monitor.growth.series import GROWTH_INTERVALS, MAX_HOURLY_SPAN, GrowthInterval
from monitor.output import dumps, emit, format_option, format_time, zone_label
from monitor.queries.growth.data import METRICS, Metric
from monitor.queries.selection import actor_name, find_account_ids
from monitor.timeparse import WHEN
from storage.types import utcnow


@click.command()
@click.option("--actor", default=None, help="Only this actor (by name).")
@click.option("--platform", type=PLATFORM_CHOICE, default=None, help="Only this platform.")
@click.option("--account", default=None, help="Only this account (handle or URL).")
@click.option(
    "--since",
    type=WHEN,
    default=None,
    help=(
        "Start of the window: its change, the series and the migration flags "
        "(default: 90 days before --until; 48 hours with --interval hour)."
    ),
)
@click.option("--until", type=WHEN, default=None, help="Report as of this time (default: now).")
@click.option(
    "--interval",
    type=click.Choice(GROWTH_INTERVALS),
    default="day",
    show_default=True,
    help="Series period; hour: the last capture in each UTC hour (windows up to 31 days).",
)
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
    interval: GrowthInterval,
    metric: Metric,
    plot_path: Path | None,
    fmt: str,
) -> None:
    """Latest audience, change over the window and 1/7/30 days, flags, engagement."""
    context = app(ctx)
    if since is not None and until is not None and since >= until:
        raise click.BadParameter("--since must be before --until", param_hint="--since")
    if interval == "hour" and since is not None and (until or utcnow()) - since > MAX_HOURLY_SPAN:
        raise click.BadParameter(
            "an hourly series spans at most 31 days: give a later --since or --interval day",
            param_hint="--interval",
        )
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
    title = (
        f"{metric} as of {format_time(report.as_of)} {zone_label()}; "
        f"window from {format_time(report.since)}"
    )
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
