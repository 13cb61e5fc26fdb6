"""`polmon screenshots`: take the screenshots `[evidence]` asks for once (headless Chromium)."""

from __future__ import annotations

import click

from monitor.cli.context import app, exit_if_stopped, stoppable
from monitor.output import emit, format_option

COLUMNS = ("job_id", "outcome", "error")


@click.command()
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Take at most N.")
@format_option()
@click.pass_context
def screenshots(ctx: click.Context, limit: int | None, fmt: str) -> None:
    """Screenshot posts with hits (or all) and deleted posts' last versions."""
    from monitor.screenshots.worker import run_screenshots

    context = app(ctx)
    with stoppable():  # Ctrl-C: jobs claimed and not started go back to the queue
        report = run_screenshots(context.config, context.engine, limit=limit)
    rows = [
        {"job_id": job_id, "outcome": outcome, "error": error}
        for job_id, outcome, error in sorted(report.failures)
    ]
    if fmt != "table":
        emit(rows, fmt, columns=COLUMNS)
    else:
        click.echo(", ".join(f"{name}: {count}" for name, count in report.totals().items()))
        if rows:
            emit(rows, fmt, columns=COLUMNS, title="not taken")
    exit_if_stopped(ctx, "screenshots")
