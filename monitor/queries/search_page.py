"""Search results as the web shows them: the CLI's rows, plus each snippet cut into plain and
matched stretches (the page escapes both and wraps the matched ones)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from monitor.keywords.normalize import normalize
from monitor.queries.search import Where, search
from monitor.queries.search.query import parse_query

# `polmon search --format csv|json` columns (monitor/cli/search.py SEARCH_COLUMNS; a test
# keeps the two equal).
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
_OPEN, _CLOSE = "«", "»"  # how monitor.queries.search.query.excerpt marks the first match


class SnippetPart(TypedDict):
    """A stretch of a snippet; `match` when it is one of the searched terms."""

    text: str
    match: bool


class SearchRow(TypedDict):
    """One result (the CLI's columns, `snippet` as the CLI writes it, the first match in
    «marks»), with `post_id` and the snippet without the marks cut into `parts`."""

    score: float
    kind: str
    published_at: datetime
    actor: str
    platform: str
    handle: str
    post_id: int
    start_seconds: float | None
    snippet: str
    link: str | None
    parts: list[SnippetPart]


def _spans(text: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where each term occurs in `text` (as search matches: case, NFC and zero-width
    characters ignored), as merged (start, end) offsets into `text`."""
    norm = normalize(text)
    found: list[tuple[int, int]] = []
    for term in terms:
        needle = normalize(term).text
        if not needle:
            continue
        pos = norm.text.find(needle)
        while pos != -1:
            start = norm.original_offset(pos)
            end = norm.original_end(pos + len(needle), text)
            found.append((start, end))
            pos = norm.text.find(needle, pos + len(needle))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def unmarked(snippet: str, terms: tuple[str, ...]) -> str:
    """The snippet without the one «…» pair the excerpt put around the first match (guillemets
    that were in the text itself stay)."""
    start = snippet.find(_OPEN)
    while start != -1:
        rest = snippet[start + 1 :]
        for span_start, span_end in _spans(rest, terms):
            if span_start == 0 and rest[span_end : span_end + 1] == _CLOSE:
                return snippet[:start] + rest[:span_end] + rest[span_end + 1 :]
        start = snippet.find(_OPEN, start + 1)
    return snippet


def highlight(text: str, terms: tuple[str, ...]) -> list[SnippetPart]:
    """`text` cut into stretches, those where a term occurs marked `match`."""
    parts: list[SnippetPart] = []
    at = 0
    for start, end in _spans(text, terms):
        if start > at:
            parts.append(SnippetPart(text=text[at:start], match=False))
        parts.append(SnippetPart(text=text[start:end], match=True))
        at = end
    if at < len(text):
        parts.append(SnippetPart(text=text[at:], match=False))
    return parts


def search_page(
    session: Session,
    raw_query: str,
    *,
    where: Where = "all",
    actor: str | None = None,
    platform: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
) -> list[SearchRow]:
    """`monitor.queries.search.search` (raises its QueryError), each snippet highlighted."""
    terms = parse_query(raw_query).tokens
    rows: list[SearchRow] = []
    for result in search(
        session,
        raw_query,
        where=where,
        actor=actor,
        platform=platform,
        since=since,
        until=until,
        limit=limit,
    ):
        rows.append(
            SearchRow(
                score=result.score,
                kind=result.kind,
                published_at=result.published_at,
                actor=result.actor,
                platform=result.platform,
                handle=result.handle,
                post_id=result.post_id,
                start_seconds=result.start_seconds,
                snippet=result.snippet,
                link=result.link,
                parts=highlight(unmarked(result.snippet, terms), terms),
            )
        )
    return rows
