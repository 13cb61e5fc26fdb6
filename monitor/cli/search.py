"""`polmon search`: ranked full-text search over post text and transcripts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from collectors.records import PLATFORMS
from monitor.cli.context import app
from monitor.output import emit, format_option
from monitor.timeparse import WHEN

if TYPE_CHECKING:
    from monitor.queries.search import Where


SEARCH_COLUMNS = (
    "score",
    "kind",
    "published_at",
    "actor",
    "platform",
    "handle",
    "start_seconds",
    "snippet",
    "link",
)

# The table leaves out the handle (the actor says who); the snippet wraps, the link stays whole,
# and the score is shown against the best result (100%), since raw scores mean little to a reader.
SEARCH_TABLE_COLUMNS = tuple(c for c in SEARCH_COLUMNS if c != "handle")


def relative_scores(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows whose `score` reads as a percentage of the best score of the search."""
    best = max((float(row["score"]) for row in rows), default=0.0)
    return [
        {**row, "score": f"{100 * float(row['score']) / best:.0f}%" if best > 0 else "-"}
        for row in rows
    ]


@click.command("search")
@click.argument("query")
@click.option("--actor", default=None, help="Only this actor (by name).")
@click.option("--platform", type=click.Choice(PLATFORMS), default=None, help="Only this platform.")
@click.option("--since", type=WHEN, default=None, help="Only posts published from this time.")
@click.option("--until", type=WHEN, default=None, help="Only posts published before this time.")
@click.option(
    "--in",
    "where",
    type=click.Choice(["posts", "transcripts", "images", "all"]),
    default="all",
    show_default=True,
    help="Search post text, transcripts, the text read in images (OCR) or all.",
)
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@format_option()
@click.pass_context
def search_command(
    ctx: click.Context,
    query: str,
    actor: str | None,
    platform: str | None,
    since: datetime | None,
    until: datetime | None,
    where: Where,
    limit: int,
    fmt: str,
) -> None:
    """Find QUERY in posts and transcripts, best first: words, "phrases", a OR b, -exclude."""
    from monitor.queries.search import search
    from monitor.queries.selection import actor_name

    with app(ctx).session() as session:
        results = search(
            session,
            query,
            where=where,
            actor=actor_name(session, actor),
            platform=platform,
            since=since,
            until=until,
            limit=limit,
        )
    rows = [r.as_dict() for r in results]
    emit(
        relative_scores(rows) if fmt == "table" else rows,
        fmt,
        columns=SEARCH_COLUMNS if fmt != "table" else SEARCH_TABLE_COLUMNS,
        title=f"search: {query}",
        empty="no matches",
    )
