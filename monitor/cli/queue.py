"""`polmon queue retry`: put failed (or skipped) work back in its stage's queue."""

from __future__ import annotations

from datetime import datetime

import click

from monitor.cli.context import app
from monitor.timeparse import WHEN
from storage.queue import download_stage, ocr_stage, retry_finished, transcribe_stage
from storage.screenshots import screenshot_stage

STAGES = {
    "download": download_stage,
    "transcribe": transcribe_stage,
    "ocr": ocr_stage,
    "screenshots": screenshot_stage,
}


@click.group()
def queue() -> None:
    """The work queues (download, transcription, OCR, screenshots)."""


@queue.command("retry")
@click.option(
    "--stage",
    "stages",
    type=click.Choice(sorted(STAGES)),
    multiple=True,
    help="Only this stage (repeatable; default: all).",
)
@click.option(
    "--status",
    type=click.Choice(["failed", "skipped"]),
    default="failed",
    show_default=True,
    help="Rows to put back.",
)
@click.option("--since", type=WHEN, help="Only rows that ended so at or after (24h, 2024-06-01).")
@click.pass_context
def queue_retry(
    ctx: click.Context, stages: tuple[str, ...], status: str, since: datetime | None
) -> None:
    """Queue failed (or skipped) work again, attempts reset: e.g. after a full disk."""
    engine = app(ctx).engine
    counts = {
        name: retry_finished(engine, STAGES[name](), status, since)
        for name in (stages or tuple(STAGES))
    }
    click.echo(", ".join(f"{name}: {count} queued again" for name, count in counts.items()))
