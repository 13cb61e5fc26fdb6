"""Ranked full-text search over post text, polls, transcripts and the text read in images
(SQLite FTS5 / PostgreSQL trigram)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select
from sqlalchemy.orm import Session

from monitor.links import video_link_at
from monitor.queries.scope import scoped
from monitor.queries.search.query import EmptyQueryError, QueryError, excerpt, parse_query
from monitor.queries.search.statements import (
    pg_images,
    pg_polls,
    pg_posts,
    pg_segments,
    sqlite_images,
    sqlite_polls,
    sqlite_posts,
    sqlite_segments,
)
from storage.models import Post

Where = Literal["posts", "transcripts", "images", "all"]
__all__ = ["EmptyQueryError", "QueryError", "SearchResult", "search"]


@dataclass(frozen=True)
class SearchResult:
    kind: str  # "post" (title and text), "poll" (question and options), "segment" or "image"
    score: float
    actor: str
    platform: str
    handle: str
    published_at: datetime
    post_id: int
    segment_id: int | None
    start_seconds: float | None
    snippet: str
    link: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _filtered(
    stmt: Select[Any],
    *,
    actor: str | None,
    platform: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
) -> Select[Any]:
    stmt = scoped(
        stmt, time=Post.published_at, actor=actor, platform=platform, since=since, until=until
    )
    return stmt.order_by(stmt.selected_columns.score.desc(), Post.published_at.desc()).limit(limit)


def search(
    session: Session,
    raw_query: str,
    *,
    where: Where = "all",
    actor: str | None = None,
    platform: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
) -> list[SearchResult]:
    """Posts, polls, transcript segments and image texts matching the query (see
    `parse_query`), best first; `where="posts"` searches a post's text and its poll.

    Matching is by case-insensitive substring (so it works inside Khmer, Thai and other unspaced
    text); zero-width characters are ignored. Flagged hallucinations are not searched.
    """
    query = parse_query(raw_query)
    postgres = session.get_bind().dialect.name == "postgresql"
    statements = []
    if where in ("posts", "all"):
        statements.append(pg_posts(query) if postgres else sqlite_posts(query))
        statements.append(pg_polls(query) if postgres else sqlite_polls(query))
    if where in ("transcripts", "all"):
        statements.append(pg_segments(query) if postgres else sqlite_segments(query))
    if where in ("images", "all"):
        statements.append(pg_images(query) if postgres else sqlite_images(query))
    rows: list[Any] = []
    for stmt in statements:
        stmt = _filtered(
            stmt, actor=actor, platform=platform, since=since, until=until, limit=limit
        )
        rows.extend(session.execute(stmt).mappings().all())
    rows.sort(key=lambda r: (-float(r["score"] or 0), -r["published_at"].timestamp()))
    return [
        SearchResult(
            kind=row["kind"],
            score=round(float(row["score"] or 0), 6),
            actor=row["actor"],
            platform=row["platform"],
            handle=row["handle"],
            published_at=row["published_at"],
            post_id=row["post_id"],
            segment_id=row["segment_id"],
            start_seconds=row["start_seconds"],
            snippet=excerpt(row["body"] or "", query),
            link=video_link_at(row["url"], row["platform"], row["start_seconds"])
            if row["kind"] == "segment"
            else row["url"],
        )
        for row in rows[:limit]
    ]
