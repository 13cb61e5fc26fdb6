"""Hit rows from matches, and writing a batch's hits so they equal exactly what matched now."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from monitor.keywords.matcher import KeywordMatcher
from monitor.keywords.snippets import snippet
from storage.models import KeywordHit
from storage.types import utcnow

WRITE_BATCH = 1000
_COMPARED = ("snippet", "char_offset", "start_seconds", "link", "published_at", "post_id")


@dataclass(frozen=True, slots=True)
class SourceText:
    """One text to match: a post's text or a transcript segment, with what its hits record."""

    source_key: str  # "post:<id>" or "segment:<id>"
    source_kind: str  # "post" or "transcript"
    post_id: int
    segment_id: int | None
    text: str | None
    link: str | None
    published_at: datetime | None
    start_seconds: float | None = None


@dataclass(slots=True)
class WriteCounts:
    added: int = 0
    updated: int = 0
    removed: int = 0

    def __iadd__(self, other: WriteCounts) -> WriteCounts:
        self.added += other.added
        self.updated += other.updated
        self.removed += other.removed
        return self


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
                }
            )
    return rows


def _key(row: Any) -> tuple[str, str, str]:
    return (row["group_name"], row["term"], row["source_key"])


def replace_hits(
    session: Session,
    scope: ColumnElement[bool],
    groups: Collection[str],
    rows: Sequence[dict[str, Any]],
) -> WriteCounts:
    """Make the hits of `groups` within `scope` (a batch of sources) exactly `rows`.

    Unchanged hits are left alone (keeping matched_at); vanished ones are deleted; new and
    changed ones are upserted, so the same input twice changes nothing.
    """
    counts = WriteCounts()
    if not groups:
        return counts
    existing = {
        _key(row): row
        for row in session.execute(
            select(
                KeywordHit.id,
                KeywordHit.group_name,
                KeywordHit.term,
                KeywordHit.source_key,
                *(getattr(KeywordHit, c) for c in _COMPARED),
            ).where(scope, KeywordHit.group_name.in_(list(groups)))
        ).mappings()
    }
    fresh = {_key(row): row for row in rows}
    stale = [row["id"] for key, row in existing.items() if key not in fresh]
    changed = []
    for key, row in fresh.items():
        old = existing.get(key)
        if old is None:
            counts.added += 1
            changed.append(row)
        elif any(old[c] != row[c] for c in _COMPARED):
            counts.updated += 1
            changed.append(row)
    for start in range(0, len(stale), WRITE_BATCH):
        session.execute(
            delete(KeywordHit).where(KeywordHit.id.in_(stale[start : start + WRITE_BATCH]))
        )
    counts.removed = len(stale)
    upsert_hits(session, changed)
    return counts


def upsert_hits(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert hits, updating the stored ones with the same (group, term, source) — in bulk."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    for start in range(0, len(rows), WRITE_BATCH):
        batch = [{**row, "matched_at": now} for row in rows[start : start + WRITE_BATCH]]
        stmt = insert(KeywordHit).values(batch)
        stmt = stmt.on_conflict_do_update(
            index_elements=["group_name", "term", "source_key"],
            set_={c: stmt.excluded[c] for c in (*_COMPARED, "source_kind", "segment_id")},
        )
        session.execute(stmt)
