"""Transcript rows: saving one with its segments, finding the one a media row resolves to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Media, Transcript, TranscriptSegment
from storage.queue_status import STILL_COMING

_MAX_LINKS = 16  # duplicate_of_id chains are short; this only guards against a cycle


class SegmentToSave(Protocol):
    """What a transcript segment brings to its row (a backend's `Segment`)."""

    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def text(self) -> str: ...
    @property
    def avg_logprob(self) -> float | None: ...
    @property
    def no_speech_prob(self) -> float | None: ...
    @property
    def compression_ratio(self) -> float | None: ...
    @property
    def is_hallucination(self) -> bool: ...
    def words_doc(self) -> dict[str, Any] | None: ...


class TranscriptToSave(Protocol):
    """What a transcription brings to its row (a backend's `TranscriptResult`)."""

    @property
    def backend(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def language(self) -> str | None: ...
    @property
    def language_probability(self) -> float | None: ...
    @property
    def text(self) -> str: ...
    @property
    def duration(self) -> float: ...
    @property
    def processing_seconds(self) -> float: ...
    @property
    def prompt_terms(self) -> tuple[str, ...]: ...
    @property
    def segments(self) -> Sequence[SegmentToSave]: ...


def save_transcript(session: Session, media_id: int, result: TranscriptToSave) -> int:
    """Insert the transcript and its segments (one batch) in the caller's transaction."""
    transcript = Transcript(
        media_id=media_id,
        backend=result.backend,
        model=result.model,
        language=result.language,
        language_probability=result.language_probability,
        text=result.text,
        audio_seconds=result.duration,
        processing_seconds=result.processing_seconds,
        prompt_terms={"terms": list(result.prompt_terms)} if result.prompt_terms else None,
    )
    session.add(transcript)
    session.flush()
    rows = []
    for position, segment in enumerate(result.segments):
        row = TranscriptSegment(
            transcript_id=transcript.id,
            position=position,
            start_seconds=segment.start,
            end_seconds=segment.end,
            text=segment.text,
            avg_logprob=segment.avg_logprob,
            no_speech_prob=segment.no_speech_prob,
            compression_ratio=segment.compression_ratio,
            is_hallucination=segment.is_hallucination,
        )
        words = segment.words_doc()
        if words is not None:  # unset stays SQL NULL rather than JSON null
            row.words = words
        rows.append(row)
    session.add_all(rows)
    session.flush()
    return transcript.id


def resolve_transcript(session: Session, media_id: int) -> Transcript | None:
    """The transcript that holds what `media_id` says.

    Its own; else, for identical content transcribed once, the transcript of the media it
    duplicates (following duplicate_of_id), else of the first media with the same sha256.
    """
    seen: set[int] = set()
    current: int | None = media_id
    sha256: str | None = None
    while current is not None and current not in seen and len(seen) < _MAX_LINKS:
        seen.add(current)
        found = session.scalar(select(Transcript).where(Transcript.media_id == current))
        if found is not None:
            return found
        row = session.execute(
            select(Media.duplicate_of_id, Media.sha256).where(Media.id == current)
        ).one_or_none()
        if row is None:
            break
        current, sha256 = row.duplicate_of_id, sha256 or row.sha256
    if sha256 is None:
        return None
    return session.scalar(
        select(Transcript)
        .join(Media, Media.id == Transcript.media_id)
        .where(Media.sha256 == sha256)
        .order_by(Media.id)
        .limit(1)
    )


def is_still_coming(session: Session, media_id: int) -> bool:
    """Whether the media row is still on its way through the queue (not done, not failed)."""
    status = session.scalar(select(Media.status).where(Media.id == media_id))
    return status in STILL_COMING


def earliest_copy_still_coming(session: Session, media: Media) -> int | None:
    """The lowest-id other row with `media`'s content that is still in the queue, if any."""
    return session.scalar(
        select(Media.id)
        .where(
            Media.sha256 == media.sha256,
            Media.id < media.id,
            Media.status.in_(STILL_COMING),
        )
        .order_by(Media.id)
        .limit(1)
    )
