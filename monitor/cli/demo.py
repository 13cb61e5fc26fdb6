"""`polmon demo`: the whole pipeline offline on a bundled sample (what `make run` runs)."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli.context import exit_if_stopped, stoppable
from monitor.output import dumps


@click.command()
@click.option(
    "--output",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Folder for the demo's config, SQLite database, media and digest (replaced when an "
    "earlier demo made it).",
)
@click.option("--force", is_flag=True, help="Replace --output even when the demo did not make it.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def demo(output_dir: Path, force: bool, as_json: bool) -> None:
    """Serve a sample Telegram channel on 127.0.0.1 and run the real pipeline on it."""
    from monitor.demo.run import DemoStopped, run_demo
    from monitor.demo.summary import summary_text

    try:
        with stoppable():  # Ctrl-C: the stage in hand gives back its media, then the demo ends
            result = run_demo(output_dir.resolve(), force=force)
    except DemoStopped:
        exit_if_stopped(click.get_current_context(), "demo")
        raise
    summary = result.summary
    if as_json:
        click.echo(dumps({**summary, "digest": str(result.digest_path)}))
        return
    click.echo(summary_text(result))
