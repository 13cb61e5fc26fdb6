"""`polmon transcribe`, `polmon worker` and `polmon transcript`: Whisper over downloaded media."""

from __future__ import annotations

import sys

import click

from monitor import shutdown
from monitor.alerts.runner import AlertLoop
from monitor.cli.context import app, exit_if_stopped
from monitor.output import dumps, echo
from monitor.queries.posts import find_post
from monitor.queries.transcripts import post_transcripts
from monitor.transcription import TranscribeReport, run_transcriptions
from monitor.transcription.formats import (
    FORMATS,
    render_srt,
    render_text,
    render_vtt,
    transcript_doc,
)


def _run(ctx: click.Context, *, limit: int | None, follow: bool, progress: bool) -> None:
    context = app(ctx)
    shutdown.reset()
    # `polmon worker`: a hit it finds is alerted now, not at the daemon's next dispatch.
    dispatch = follow and context.config.alerts.worker_dispatch
    alerts = AlertLoop(context.config, context.engine, periodic=False) if dispatch else None
    # SIGTERM / Ctrl-C: finish cleanly (the current file's lease is given back); twice: now.
    with shutdown.signals_request_stop() as stop:
        if alerts is not None:
            alerts.start()
        try:
            report = run_transcriptions(
                context.config,
                context.engine,
                limit=limit,
                progress=progress,
                stop_event=stop,
                follow=follow,
                on_hits=alerts.wake if alerts is not None else None,
            )
        finally:
            if alerts is not None:
                alerts.stop()
    _print_report(report)
    if not follow:  # a one-shot run cut short says so (exit 128+signal); a worker exits 0
        exit_if_stopped(ctx, "transcribe")


def _print_report(report: TranscribeReport) -> None:
    for error in report.errors:
        echo(f"  {error}", err=True)
    click.echo(report.summary())


@click.command()
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Media files at most.")
@click.option("--no-progress", is_flag=True, help="No progress bar (for logs and cron).")
@click.pass_context
def transcribe(ctx: click.Context, limit: int | None, no_progress: bool) -> None:
    """Transcribe downloaded media until the queue is empty (or --limit files)."""
    _run(ctx, limit=limit, follow=False, progress=not no_progress)


@click.command()
@click.option(
    "--stage",
    type=click.Choice(["transcribe", "collect"]),
    default="transcribe",
    show_default=True,
    help="transcribe: downloaded media; collect: the accounts whose interval is up, each "
    "claimed by one worker at a time.",
)
@click.pass_context
def worker(ctx: click.Context, stage: str) -> None:
    """Work one stage's queue as work arrives, until stopped (SIGTERM or Ctrl-C)."""
    if stage == "collect":
        from monitor.cli.collect_worker import collect_worker

        collect_worker(ctx)
        return
    _run(ctx, limit=None, follow=True, progress=sys.stderr.isatty())


@click.command()
@click.argument("post_ref", metavar="POST")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
    help="text: timestamped lines; srt/vtt: subtitles; json: everything.",
)  # fmt: skip
@click.option(
    "--all-segments",
    is_flag=True,
    help="srt/vtt: keep segments flagged as likely hallucination (text and json always do).",
)
@click.pass_context
def transcript(ctx: click.Context, post_ref: str, fmt: str, all_segments: bool) -> None:
    """Print the transcript of a post's media, with timestamps."""
    with app(ctx).session() as session:
        post = find_post(session, post_ref)
        media = post_transcripts(session, post.id)
        docs, texts = [], []
        for item in media:
            if item.transcript is None:
                continue
            segments = item.segments
            if fmt in ("srt", "vtt") and not all_segments:
                segments = [s for s in segments if not s.is_hallucination]
            docs.append({"position": item.position, **transcript_doc(item.transcript, segments)})
            render = {"text": render_text, "srt": render_srt, "vtt": render_vtt}.get(fmt)
            if render is not None:
                texts.append(render(segments))
        if not docs:
            states = ", ".join(f"media {m.position}: {m.status}" for m in media) or "no media"
            raise click.ClickException(f"post {post.id} has no transcript yet ({states})")
    if fmt == "json":
        click.echo(dumps({"post_id": post.id, "url": post.url, "transcripts": docs}))
    else:
        echo("\n\n".join(texts))  # control characters shown, never passed to the terminal
