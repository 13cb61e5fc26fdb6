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
    followers = summary["subscribers"]
    growth = f"{followers[0]:,} → {followers[-1]:,}" if len(followers) > 1 else "n/a"
    hits = ", ".join(f"{group} {count}" for group, count in sorted(summary["keyword_hits"].items()))
    click.echo(
        "\n".join(
            [
                "polmon demo: two passes over a sample channel served on 127.0.0.1",
                f"  posts stored:        {summary['posts']} "
                f"({summary['edited']} edited, {summary['deleted']} deleted, text kept)",
                f"  videos transcribed:  {summary['videos_transcribed']}",
                f"  keyword hits:        {sum(summary['keyword_hits'].values())}, "
                f"{summary['transcript_hits']} of them spoken in videos ({hits or 'none'})",
                f"  subscribers:         {growth}",
                f"  config:              {result.config_path}",
                f"  database:            {result.database_url}",
                f"  digest:              {result.digest_path}",
                f"Try: polmon --config {result.config_path} hits",
            ]
        )
    )
