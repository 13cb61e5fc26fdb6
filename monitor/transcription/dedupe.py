"""Identical content is transcribed once: link a duplicate, or wait for its original."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from storage.models import Media
from storage.transcripts import earliest_copy_still_coming, is_still_coming, resolve_transcript


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
        if is_still_coming(session, media.duplicate_of_id):
            return Decision("wait", media.duplicate_of_id)
    if not media.sha256:
        return Decision("transcribe")
    found = resolve_transcript(session, media.id)
    if found is not None:
        return Decision("link", found.media_id)
    earlier = earliest_copy_still_coming(session, media)
    if earlier is not None:
        return Decision("wait", earlier)
    return Decision("transcribe")
