"""Hit rows from matches: one row per (group, term, source) the matcher finds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.keywords.matcher import KeywordMatcher
from monitor.keywords.snippets import snippet


@dataclass(frozen=True, slots=True)
class SourceText:
    """One text to match: a post's text or a transcript segment, with what its hits record."""

    source_key: str  # "post:<id>", "poll:<id>" or "segment:<id>"
    source_kind: str  # "post" (title and text), "poll" or "transcript"
    post_id: int
    segment_id: int | None
    text: str | None
    link: str | None
    published_at: datetime | None
    start_seconds: float | None = None
    # 0..1, how sure the words were heard (a transcript segment's confidence); None for text.
    confidence: float | None = None


def post_text(title: str | None, text: str | None) -> str:
    """What a post's hits are found in: its title and text, a newline between them."""
    return "\n".join(part for part in (title, text) if part)


def hit_rows(matcher: KeywordMatcher, sources: Iterable[SourceText]) -> list[dict[str, Any]]:
    """One row per (group, term, source) the matcher finds."""
    rows = []
    for source in sources:
        if not source.text:
            continue
        for match in matcher.match(source.text):
            rows.append(
                {
                    "group_name": match.group,
                    "term": match.term,
                    "source_key": source.source_key,
                    "source_kind": source.source_kind,
                    "post_id": source.post_id,
                    "segment_id": source.segment_id,
                    "snippet": snippet(source.text, match.start, match.end),
                    "char_offset": match.start,
                    "start_seconds": source.start_seconds,
                    "link": source.link,
                    "published_at": source.published_at,
                    "confidence": source.confidence,
                    "approximate": match.approximate,
                }
            )
    return rows
