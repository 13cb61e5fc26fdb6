"""`polmon doctor`: the versions polmon runs with, and how to update yt-dlp alone."""

from __future__ import annotations

import click

from monitor import __version__
from monitor.output import emit, format_option


@click.command()
@format_option()
def doctor(fmt: str) -> None:
    """Show the installed versions of yt-dlp, Whisper, database drivers and ffmpeg."""
    from monitor.doctor import components

    rows = [
        {"part": "polmon", "version": __version__, "locked": None, "note": ""},
        *(
            {"part": c.name, "version": c.version, "locked": c.locked, "note": c.note}
            for c in components()
        ),
    ]
    emit(rows, fmt, columns=["part", "version", "locked", "note"])
    if fmt == "table":
        click.echo(
            "yt-dlp follows the platforms' changes: when downloads or listings break, update "
            "it alone with `make upgrade-ytdlp` (the other versions stay locked)."
        )
