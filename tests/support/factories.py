"""Test rows inserted with the storage models: actors, accounts, posts, media, transcripts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import count

from sqlalchemy.orm import Session

from storage.models import (
    Account,
    Actor,
    AudienceSnapshot,
    Media,
    Post,
    Transcript,
    TranscriptSegment,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
_ids = count(1)


def actor(session: Session, name: str) -> Actor:
    row = Actor(name=name)
    session.add(row)
    session.flush()
    return row


def account(
    session: Session, owner: Actor, platform: str, handle: str, status: str = "active"
) -> Account:
    row = Account(actor_id=owner.id, platform=platform, handle=handle, status=status)
    session.add(row)
    session.flush()
    return row


def post(
    session: Session,
    owner: Account,
    text: str | None,
    *,
    title: str | None = None,
    published_at: datetime = T0,
    url: str | None = None,
    views: int | None = None,
    kind: str = "text",
) -> Post:
    number = next(_ids)
    row = Post(
        account_id=owner.id,
        platform_post_id=str(number),
        url=url or f"https://t.me/{owner.handle}/{number}",
        published_at=published_at,
        text=text,
        title=title,
        views=views,
        kind=kind,
    )
    session.add(row)
    session.flush()
    return row


def transcript(
    session: Session,
    of_post: Post,
    segments: Sequence[tuple[float, str] | tuple[float, str, bool]],
    *,
    position: int = 0,
) -> Transcript:
    """A video media of `of_post` with a transcript of (start, text[, hallucination]) segments."""
    media = Media(post_id=of_post.id, position=position, kind="video", status="done")
    session.add(media)
    session.flush()
    row = Transcript(
        media_id=media.id,
        backend="faster-whisper",
        model="tiny",
        text=" ".join(seg[1] for seg in segments),
    )
    session.add(row)
    session.flush()
    for index, seg in enumerate(segments):
        session.add(
            TranscriptSegment(
                transcript_id=row.id,
                position=index,
                start_seconds=seg[0],
                end_seconds=seg[0] + 5,
                text=seg[1],
                is_hallucination=bool(seg[2]) if len(seg) > 2 else False,
            )
        )
    session.flush()
    return row


def snapshots(
    session: Session,
    owner: Account,
    values: Sequence[tuple[float, int | None] | tuple[float, int | None, bool]],
    *,
    start: datetime = T0,
) -> None:
    """Audience snapshots at `start` + days (fractions allowed): (day, followers[, approx])."""
    for value in values:
        session.add(
            AudienceSnapshot(
                account_id=owner.id,
                captured_at=start + timedelta(days=value[0]),
                followers=value[1],
                is_approximate=bool(value[2]) if len(value) > 2 else False,
            )
        )
    session.flush()
