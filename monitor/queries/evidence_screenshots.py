"""Screenshots for evidence: the `screenshots` rows not yet timestamped, and a post's own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from storage.models import EvidenceLeaf, Screenshot


def unstamped(session: Session, limit: int) -> list[tuple[int, str]]:
    """(id, sha256) of the screenshots in no timestamp batch yet, oldest first."""
    query = (
        select(Screenshot.id, Screenshot.sha256)
        .outerjoin(
            EvidenceLeaf,
            and_(EvidenceLeaf.kind == "screenshot", EvidenceLeaf.ref_id == Screenshot.id),
        )
        .where(EvidenceLeaf.id.is_(None))
        .order_by(Screenshot.id)
        .limit(limit)
    )
    return [(int(ref_id), str(sha)) for ref_id, sha in session.execute(query)]


def of_post(
    session: Session, post_id: int
) -> list[tuple[int, str | None, datetime, str, int, str]]:
    """(id, url, captured_at, sha256, size_bytes, storage_key) of a post's screenshots."""
    query = (
        select(
            Screenshot.id,
            Screenshot.url,
            Screenshot.captured_at,
            Screenshot.sha256,
            Screenshot.size_bytes,
            Screenshot.storage_key,
        )
        .where(Screenshot.post_id == post_id)
        .order_by(Screenshot.id)
    )
    return [
        (int(i), url, when, str(sha), int(size), str(key))
        for i, url, when, sha, size, key in session.execute(query)
    ]
