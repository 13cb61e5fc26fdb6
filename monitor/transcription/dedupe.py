"""Identical content is transcribed once: link a duplicate, or wait for its original."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.transcription.store import resolve_transcript
from storage.models import Media
from storage.queue_status import STILL_COMING  # a duplicate waits for these, not redoes them


@dataclass(frozen=True)
class Decision:
    """What to do with a claimed media row before spending a model on it."""

    action: Literal["transcribe", "link", "wait"]
    original_id: int | None = None  # link/wait: the media whose transcript stands for this one


def decide(session: Session, media: Media) -> Decision:
    """Link when the same content already has a transcript; wait when it is on its way.

    A row with duplicate_of_id follows its original. A row with a sha256 shared by other rows
    links to any of them that has a transcript; otherwise it waits for the lowest-id such row
    still in the queue (the lowest id never waits, so two copies cannot wait on each other).
    """
    if media.duplicate_of_id is not None:
        found = resolve_transcript(session, media.duplicate_of_id)
        if found is not None:
            return Decision("link", media.duplicate_of_id)
        status = session.scalar(select(Media.status).where(Media.id == media.duplicate_of_id))
        if status in STILL_COMING:
            return Decision("wait", media.duplicate_of_id)
    if not media.sha256:
        return Decision("transcribe")
    found = resolve_transcript(session, media.id)
    if found is not None:
        return Decision("link", found.media_id)
    earlier = session.scalar(
        select(Media.id)
        .where(
            Media.sha256 == media.sha256,
            Media.id < media.id,
            Media.status.in_(STILL_COMING),
        )
        .order_by(Media.id)
        .limit(1)
    )
    if earlier is not None:
        return Decision("wait", earlier)
    return Decision("transcribe")
