"""`polmon datasette`: Datasette metadata for the configured SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import click

from monitor.cli import ConfigProblem
from monitor.cli.context import app


@click.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the metadata to this file instead of printing it.",
)
@click.option(
    "--database-name",
    "database_name_option",
    default=None,
    help="Datasette's name for the database (default: the SQLite file's name without suffix).",
)
@click.pass_context
def datasette(ctx: click.Context, output: Path | None, database_name_option: str | None) -> None:
    """Print Datasette metadata: table titles, full-text search boxes, canned searches.

    Use it as `datasette data/polmon.sqlite3 -m metadata.json`.
    """
    from monitor.datasette import database_name, metadata

    name = database_name_option
    if name is None:
        try:
            name = database_name(app(ctx).config.database_url)
        except ValueError as exc:  # PostgreSQL: a copy exported to SQLite can still use it
            raise ConfigProblem(f"{exc} (give --database-name to name a SQLite copy)") from None
    text = json.dumps(metadata(name), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"metadata written to {output}", err=True)
