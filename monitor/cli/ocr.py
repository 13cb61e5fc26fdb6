"""`polmon ocr`: read the text in downloaded photos (Tesseract) once, until the queue is empty."""

from __future__ import annotations

import click

from monitor.cli.context import app, exit_if_stopped, stoppable
from monitor.cli.stage_output import print_stage_report
from monitor.output import format_option


@click.command()
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Read at most N photos.")
@format_option()
@click.pass_context
def ocr(ctx: click.Context, limit: int | None, fmt: str) -> None:
    """Read the text in downloaded photos (OCR) and match keywords in it."""
    from monitor.ocr.worker import run_ocr

    context = app(ctx)
    with stoppable():  # Ctrl-C: photos claimed and not started go back to the queue
        report = run_ocr(context.config, context.engine, limit=limit)
    print_stage_report(report, fmt, "media_id", "not read")
    exit_if_stopped(ctx, "ocr")
