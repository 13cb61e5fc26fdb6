"""Screenshots for evidence: read through the `screenshots` table (the screenshots stage).

The table's model lives on main's `storage/models_screenshots.py` (migration 0013 there);
these reads name only the columns they need with SQLAlchemy Core, and run only when the model
holds the table (`in_model()`), so this module needs nothing of that stage to be imported.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, column, select, table
from sqlalchemy.orm import Session

from storage.models import Base, EvidenceLeaf

SCREENSHOTS = table(
    "screenshots",
    column("id"),
    column("post_id"),
    column("url"),
    column("captured_at"),
    column("sha256"),
    column("size_bytes"),
    column("storage_key"),
)


def in_model() -> bool:
    """Whether the schema (the models) has the screenshots table."""
    return "screenshots" in Base.metadata.tables


def unstamped(session: Session, limit: int) -> list[tuple[int, str]]:
    """(id, sha256) of the screenshots in no timestamp batch yet, oldest first."""
    shot = SCREENSHOTS.c
    query = (
        select(shot.id, shot.sha256)
        .select_from(
            SCREENSHOTS.outerjoin(
                EvidenceLeaf,
                and_(EvidenceLeaf.kind == "screenshot", EvidenceLeaf.ref_id == shot.id),
            )
        )
        .where(EvidenceLeaf.id.is_(None))
        .order_by(shot.id)
        .limit(limit)
    )
    return [(int(ref_id), str(sha)) for ref_id, sha in session.execute(query)]


def of_post(
    session: Session, post_id: int
) -> list[tuple[int, str | None, datetime, str, int, str]]:
    """(id, url, captured_at, sha256, size_bytes, storage_key) of a post's screenshots."""
    shot = SCREENSHOTS.c
    query = (
        select(shot.id, shot.url, shot.captured_at, shot.sha256, shot.size_bytes, shot.storage_key)
        .where(shot.post_id == post_id)
        .order_by(shot.id)
    )
    return [
        (int(i), url, _aware(when), str(sha), int(size), str(key))
        for i, url, when, sha, size, key in session.execute(query)
    ]


def _aware(value: object) -> datetime:
    """A Core read gives SQLite's naive text or a datetime: UTC-aware either way."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(when, datetime):
        raise TypeError(f"not a time: {value!r}")
    return when if when.tzinfo else when.replace(tzinfo=UTC)
