"""`polmon worker`: one long-running worker for a stage (default: transcription; collect,
download, ocr)."""

from __future__ import annotations

import sys

import click

from monitor import shutdown
from monitor.capabilities import parse_capabilities
from monitor.cli.context import app
from monitor.workers import STAGES, follow


@click.command()
@click.option(
    "--stage",
    type=click.Choice((*STAGES, "collect")),
    default="transcribe",
    show_default=True,
    help="The queue this worker drains (collect: the accounts whose interval is up, each "
    "claimed by one worker at a time).",
)
@click.option(
    "--capability",
    "capability",
    metavar="NAMES",
    default=None,
    help="transcribe: claim only media whose needs are among these, e.g. gpu,km "
    "([transcription] needs / language_needs / language_models); default: every row.",
)
@click.option(
    "--proxy",
    metavar="URL",
    default=None,
    help="Reach the platforms through this proxy ([http] proxy and [video] proxy for this "
    "process); each proxy has its own per-host rate budget.",
)
@click.option(
    "--poll-seconds",
    type=click.FloatRange(min=0.01),
    default=None,
    help="Wait this long when the queue is empty (default: [transcription] poll_seconds).",
)
@click.pass_context
def worker(
    ctx: click.Context,
    stage: str,
    capability: str | None,
    proxy: str | None,
    poll_seconds: float | None,
) -> None:
    """Work on one stage's queue as items arrive, until stopped (SIGTERM or Ctrl-C)."""
    capabilities = parse_capabilities(capability)
    if capabilities is not None and stage != "transcribe":
        raise click.UsageError("--capability applies to --stage transcribe")
    context = app(ctx)
    if proxy is not None:
        if "://" not in proxy:
            raise click.BadParameter("give a URL, e.g. http://10.0.0.2:3128", param_hint="--proxy")
        context.config.http.proxy = proxy
        context.config.video.proxy = proxy
    if stage == "collect":
        from monitor.cli.collect_worker import collect_worker

        collect_worker(ctx)
        return
    if stage == "transcribe":  # imported here: the other stages never load the backends
        from monitor.cli.transcribe import run_transcribe

        run_transcribe(
            ctx,
            limit=None,
            follow=True,
            progress=sys.stderr.isatty(),
            capabilities=capabilities,
            poll_seconds=poll_seconds,
        )
        return
    shutdown.reset()
    with shutdown.signals_request_stop() as stop:
        totals = follow(
            stage,
            context.config,
            context.engine,
            stop=stop,
            poll_seconds=poll_seconds or context.config.transcription.poll_seconds,
        )
    click.echo(", ".join(f"{name}: {count}" for name, count in totals.items()) or "nothing done")
