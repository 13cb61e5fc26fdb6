"""Writes to keyword_hits: make a batch's hits exactly what matched now; drop stale ones."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.alerts import record_hit_events
from storage.models import KeywordHit
from storage.types import utcnow

WRITE_BATCH = 1000
_COMPARED = (
    "snippet",
    "char_offset",
    "start_seconds",
    "link",
    "published_at",
    "post_id",
    "confidence",
    "approximate",
)
HitScope = ColumnElement[bool]
# What a row may leave out: an exact hit in text (no confidence, not approximate).
_OPTIONAL = {"confidence": None, "approximate": False}


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


# What post matching reads of a post: its title and text (a comment's: `comment`), its poll.
POST_SOURCE_KINDS = ("post", "poll", "comment")


def posts_scope(post_ids: Collection[int]) -> HitScope:
    """The hits found in the text (and poll) of these posts."""
    return KeywordHit.post_id.in_(list(post_ids)) & KeywordHit.source_kind.in_(POST_SOURCE_KINDS)


def post_range_scope(first_id: int, last_id: int) -> HitScope:
    """The hits found in the text (and poll) of the posts with ids in [first_id, last_id]."""
    return (
        (KeywordHit.post_id >= first_id)
        & (KeywordHit.post_id <= last_id)
        & KeywordHit.source_kind.in_(POST_SOURCE_KINDS)
    )


def segments_scope(segment_ids: Collection[int | None]) -> HitScope:
    """The hits found in these transcript segments."""
    return KeywordHit.segment_id.in_(list(segment_ids))


def segment_range_scope(first_id: int, last_id: int) -> HitScope:
    """The hits found in the transcript segments with ids in [first_id, last_id]."""
    return (KeywordHit.segment_id >= first_id) & (KeywordHit.segment_id <= last_id)


def image_key(media_id: int) -> str:
    """The source key of the hits found in the text read in one image."""
    return f"image:{int(media_id)}"


def images_scope(media_ids: Collection[int]) -> HitScope:
    """The hits found in the text read in these media's images (OCR)."""
    return KeywordHit.source_key.in_([image_key(i) for i in media_ids]) & (
        KeywordHit.source_kind == "image_text"
    )


def _key(row: Any) -> tuple[str, str, str]:
    return (row["group_name"], row["term"], row["source_key"])


def replace_hits(
    session: Session,
    scope: HitScope,
    groups: Collection[str],
    rows: Sequence[dict[str, Any]],
    *,
    alert: bool = True,
) -> WriteCounts:
    """Make the hits of `groups` within `scope` (a batch of sources) exactly `rows`.

    Unchanged hits are left alone (keeping matched_at); vanished ones are deleted; new and
    changed ones are upserted, so the same input twice changes nothing. With `alert`, each
    hit added becomes an outbox event (storage.alerts) in this transaction; an event key
    already written (the same hit found again) adds nothing.
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
    fresh = {_key(row): {**_OPTIONAL, **row} for row in rows}
    stale = [row["id"] for key, row in existing.items() if key not in fresh]
    changed = []
    added = []
    for key, row in fresh.items():
        old = existing.get(key)
        if old is None:
            counts.added += 1
            changed.append(row)
            added.append(row)
        elif any(old[c] != row[c] for c in _COMPARED):
            counts.updated += 1
            changed.append(row)
    for start in range(0, len(stale), WRITE_BATCH):
        session.execute(
            delete(KeywordHit).where(KeywordHit.id.in_(stale[start : start + WRITE_BATCH]))
        )
    counts.removed = len(stale)
    upsert_hits(session, changed)
    if alert:
        record_hit_events(session, added, utcnow())
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


def drop_groups_except(session: Session, configured: Collection[str]) -> list[str]:
    """Delete the hits of every group not in `configured`; the groups dropped, sorted."""
    present = set(session.scalars(select(KeywordHit.group_name).distinct()))
    removed = sorted(present - set(configured))
    if removed:
        session.execute(delete(KeywordHit).where(KeywordHit.group_name.in_(removed)))
    return removed


def drop_terms_except(
    session: Session, group: str, terms: Collection[str], unsearched_kind: str | None
) -> None:
    """Delete the group's hits of terms not in `terms`, and those found in sources of
    `unsearched_kind` ("post", which covers polls, "image_text" or "transcript") when the group
    no longer searches them."""
    stored = set(
        session.scalars(select(KeywordHit.term).where(KeywordHit.group_name == group).distinct())
    )
    gone = sorted(stored - set(terms))
    for start in range(0, len(gone), 500):
        session.execute(
            delete(KeywordHit).where(
                KeywordHit.group_name == group, KeywordHit.term.in_(gone[start : start + 500])
            )
        )
    if unsearched_kind:
        session.execute(
            delete(KeywordHit).where(
                KeywordHit.group_name == group,
                KeywordHit.source_kind.in_(
                    POST_SOURCE_KINDS if unsearched_kind == "post" else (unsearched_kind,)
                ),
            )
        )
