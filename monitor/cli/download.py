"""`polmon download`: drain the media download queue with a progress bar."""

from __future__ import annotations

import click

from monitor.cli.context import app, exit_if_stopped, stoppable
from monitor.download import DownloadReport, run_downloads
from monitor.output import emit, format_option


def summary(report: DownloadReport) -> str:
    return ", ".join(f"{name}: {count}" for name, count in report.totals().items())


@click.command()
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Download at most N.")
@click.option("--no-progress", is_flag=True, help="No progress bar (for logs and cron).")
@format_option()
@click.pass_context
def download(ctx: click.Context, limit: int | None, no_progress: bool, fmt: str) -> None:
    """Download pending videos and voice notes for transcription ([video] limits apply)."""
    context = app(ctx)
    with stoppable():  # Ctrl-C: the file in hand is given back to the queue, no other started
        report = run_downloads(
            context.config, context.engine, limit=limit, progress=not no_progress
        )
    rows = [
        {"media_id": media_id, "outcome": outcome, "error": error}
        for media_id, outcome, error in sorted(report.failures)
    ]
    if fmt != "table":
        emit(rows, fmt, columns=("media_id", "outcome", "error"))
    else:
        click.echo(summary(report))
        if rows:
            emit(rows, fmt, columns=("media_id", "outcome", "error"), title="not downloaded")
    exit_if_stopped(ctx, "download")
    unstored = report.failed + report.retrying + report.lost
    if unstored and not (report.downloaded or report.duplicates):
        raise click.ClickException(
            f"nothing could be stored: {report.failed} failed, {report.retrying} to retry "
            f"later, {report.lost} lost to other workers (errors above and in `polmon status`)"
        )
