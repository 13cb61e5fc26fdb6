"""`polmon ocr`: read the text in downloaded photos (Tesseract) once, until the queue is empty."""

from __future__ import annotations

import click

from monitor.cli.context import app, exit_if_stopped, stoppable
from monitor.output import emit, format_option

COLUMNS = ("media_id", "outcome", "error")


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
    rows = [
        {"media_id": media_id, "outcome": outcome, "error": error}
        for media_id, outcome, error in sorted(report.failures)
    ]
    if fmt != "table":
        emit(rows, fmt, columns=COLUMNS)
    else:
        click.echo(", ".join(f"{name}: {count}" for name, count in report.totals().items()))
        if rows:
            emit(rows, fmt, columns=COLUMNS, title="not read")
    exit_if_stopped(ctx, "ocr")
