"""The media queue's statuses (`MediaStatus`, defined in storage.types for the models) and the
one query that counts its backlog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from collectors.records import READABLE_KINDS
from storage.models import Media
from storage.types import MediaStatus

__all__ = [
    "LEASED",
    "READY_BY_STAGE",
    "STILL_COMING",
    "STORED",
    "Backlog",
    "MediaStatus",
    "queue_backlog",
    "ready_count",
]


# The status a stage's worker picks up, by stage name (`storage.queue.Stage.name`); OCR and
# transcription both pick up `downloaded` rows, photos and the rest respectively.
READY_BY_STAGE = {
    "download": MediaStatus.PENDING,
    "transcribe": MediaStatus.DOWNLOADED,
    "ocr": MediaStatus.DOWNLOADED,
}
# Statuses held by a worker under a lease.
LEASED = (MediaStatus.DOWNLOADING, MediaStatus.TRANSCRIBING)
# Statuses of a row whose file (or transcript) is still on its way.
STILL_COMING = (
    MediaStatus.PENDING,
    MediaStatus.DOWNLOADING,
    MediaStatus.DOWNLOADED,
    MediaStatus.TRANSCRIBING,
)
# Statuses of a row whose file was stored.
STORED = (MediaStatus.DOWNLOADED, MediaStatus.TRANSCRIBING, MediaStatus.DONE)


@dataclass(frozen=True)
class Backlog:
    """Work in one queue status at a moment: ready/retry_later/oldest for a status a worker
    picks up, leased/expired_leases for one held under a lease (the others are 0/None)."""

    stage: str
    status: MediaStatus
    ready: int = 0
    retry_later: int = 0
    oldest: datetime | None = None
    leased: int = 0
    expired_leases: int = 0


def queue_backlog(session: Session, now: datetime) -> list[Backlog]:
    """Per stage's ready status (and media kinds): rows due now, rows waiting to retry, the
    oldest row; per leased status: leases held and leases expired (their worker died; claimed
    again)."""
    rows = []
    due = or_(Media.next_attempt_at.is_(None), Media.next_attempt_at <= now)
    photo = Media.kind.in_(sorted(READABLE_KINDS))
    by_kind = {"transcribe": ~photo, "ocr": photo}
    for stage, status in READY_BY_STAGE.items():
        ready, waiting, oldest = session.execute(
            select(
                func.count().filter(due),
                func.count().filter(~due),
                func.min(Media.created_at),
            ).where(Media.status == status, *([by_kind[stage]] if stage in by_kind else []))
        ).one()
        rows.append(Backlog(stage, status, ready=ready, retry_later=waiting, oldest=oldest))
    expired = and_(Media.lease_expires_at.is_not(None), Media.lease_expires_at < now)
    for status in LEASED:
        held, stale = session.execute(
            select(func.count().filter(~expired), func.count().filter(expired)).where(
                Media.status == status
            )
        ).one()
        rows.append(Backlog(status.value, status, leased=held, expired_leases=stale))
    return rows


def ready_count(
    session: Session,
    status: MediaStatus,
    now: datetime | None = None,
    kinds: frozenset[str] | None = None,
) -> int:
    """Rows in a ready status; with `now`, only those due (not waiting for a retry); with
    `kinds`, only media of those kinds."""
    stmt = select(func.count()).select_from(Media).where(Media.status == status)
    if kinds is not None:
        stmt = stmt.where(Media.kind.in_(sorted(kinds)))
    if now is not None:
        stmt = stmt.where(or_(Media.next_attempt_at.is_(None), Media.next_attempt_at <= now))
    return int(session.scalar(stmt) or 0)
