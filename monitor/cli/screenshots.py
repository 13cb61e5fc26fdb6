"""`polmon screenshots`: take the screenshots `[evidence]` asks for once (headless Chromium)."""

from __future__ import annotations

import click

from monitor.cli.context import app, exit_if_stopped, stoppable
from monitor.cli.stage_output import print_stage_report
from monitor.output import format_option


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
    print_stage_report(report, fmt, "job_id", "not taken")
    exit_if_stopped(ctx, "screenshots")
