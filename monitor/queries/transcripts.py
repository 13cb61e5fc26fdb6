"""A post's transcripts: each media item with its transcript and segments, in order."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Media, Transcript, TranscriptSegment
from storage.transcripts import resolve_transcript


@dataclass(frozen=True)
class MediaTranscript:
    """One media item of a post; `transcript` is None (and `segments` empty) until it has one.
    The rows are ORM objects of the session that read them."""

    position: int
    status: str
    transcript: Transcript | None
    segments: list[TranscriptSegment]


def post_transcripts(session: Session, post_id: int) -> list[MediaTranscript]:
    """Every media item of the post by position, with its transcript and segments (segments
    flagged as likely hallucination included: `is_hallucination` tells them apart)."""
    rows = []
    for item in session.scalars(
        select(Media).where(Media.post_id == post_id).order_by(Media.position)
    ):
        found = resolve_transcript(session, item.id)
        segments: list[TranscriptSegment] = []
        if found is not None:
            segments = list(
                session.scalars(
                    select(TranscriptSegment)
                    .where(TranscriptSegment.transcript_id == found.id)
                    .order_by(TranscriptSegment.position)
                )
            )
        rows.append(MediaTranscript(item.position, item.status, found, segments))
    return rows
