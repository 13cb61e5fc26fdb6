"""The one set of test rows, written with the storage models: actors, accounts, posts, media…

Each function adds one row (or a few) in the caller's session and flushes, so the row has its
id; extra keyword arguments are columns of the model. The `*_media` helpers at the end open
their own transaction on an engine and return the media ids, as the work-queue tests need.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from storage.engine import transaction
from storage.models import (
    Account,
    AccountEvent,
    Actor,
    AudienceSnapshot,
    CollectionRun,
    JobRun,
    KeywordHit,
    Media,
    Post,
    PostMetric,
    PostVersion,
    Transcript,
    TranscriptSegment,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
_ids = count(1)
Row = TypeVar("Row")


def _add(session: Session, row: Row) -> Row:
    session.add(row)
    session.flush()
    return row


def actor(session: Session, name: str, *, kind: str = "person", **fields: Any) -> Actor:
    return _add(session, Actor(name=name, kind=kind, **fields))


def account(
    session: Session,
    owner: Actor,
    platform: str = "telegram",
    handle: str = "chan",
    *,
    status: str = "active",
    **fields: Any,
) -> Account:
    return _add(
        session,
        Account(actor_id=owner.id, platform=platform, handle=handle, status=status, **fields),
    )


def post(
    session: Session,
    owner: Account,
    text: str | None = None,
    *,
    post_id: str | None = None,
    title: str | None = None,
    published_at: datetime = T0,
    url: str | None = None,
    views: int | None = None,
    kind: str = "text",
    **fields: Any,
) -> Post:
    """A post; without `post_id` a fresh number, without `url` its t.me-style link."""
    number = post_id or str(next(_ids))
    row = Post(
        account_id=owner.id,
        platform_post_id=number,
        url=url or f"https://t.me/{owner.handle}/{number}",
        published_at=published_at,
        text=text,
        title=title,
        views=views,
        kind=kind,
        **fields,
    )
    return _add(session, row)


def version(session: Session, of_post: Post, text: str | None, seen_at: datetime) -> PostVersion:
    return _add(session, PostVersion(post_id=of_post.id, text=text, seen_at=seen_at))


def metric(
    session: Session,
    of_post: Post,
    age: timedelta,
    views: int | None = None,
    *,
    shares: int | None = None,
    reactions: dict[str, int] | None = None,
    **fields: Any,
) -> PostMetric:
    """A `post_metrics` capture of `of_post` taken `age` after its publication."""
    row = PostMetric(
        post_id=of_post.id,
        captured_at=of_post.published_at + age,
        views=views,
        shares=shares,
        reactions=reactions,
        **fields,
    )
    return _add(session, row)


def media(
    session: Session,
    of_post: Post,
    *,
    position: int = 0,
    kind: str = "video",
    status: str = "pending",
    **fields: Any,
) -> Media:
    row = Media(post_id=of_post.id, position=position, kind=kind, status=status, **fields)
    return _add(session, row)


def transcript(
    session: Session,
    of_post: Post,
    segments: Sequence[tuple[float, str] | tuple[float, str, bool]],
    *,
    position: int = 0,
) -> Transcript:
    """A video media of `of_post` with a transcript of (start, text[, hallucination]) segments."""
    video = media(session, of_post, position=position, status="done")
    row = _add(
        session,
        Transcript(
            media_id=video.id,
            backend="faster-whisper",
            model="tiny",
            text=" ".join(seg[1] for seg in segments),
        ),
    )
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


def hit(
    session: Session, of_post: Post, group: str, term: str, source: str = "post", **fields: Any
) -> KeywordHit:
    """A keyword hit on `of_post` (or on its transcript: source="transcript")."""
    fields.setdefault("link", of_post.url)
    row = KeywordHit(
        group_name=group,
        term=term,
        source_key=f"{source}:{of_post.id}:{term}",
        source_kind=source,
        post_id=of_post.id,
        published_at=of_post.published_at,
        **fields,
    )
    return _add(session, row)


def event(
    session: Session, owner: Account, kind: str, detected_at: datetime, **detail: Any
) -> AccountEvent:
    row = AccountEvent(account_id=owner.id, kind=kind, detail=detail, detected_at=detected_at)
    return _add(session, row)


def collection_run(
    session: Session, owner: Account, started_at: datetime, status: str, **fields: Any
) -> CollectionRun:
    row = CollectionRun(account_id=owner.id, started_at=started_at, status=status, **fields)
    return _add(session, row)


def job_run(session: Session, name: str, status: str, **fields: Any) -> JobRun:
    return _add(session, JobRun(job_name=name, status=status, **fields))


# Work-queue rows, each in its own transaction ---------------------------------------------


def pending_media(engine: Engine, count: int) -> list[int]:
    """`count` pending videos of one post (A's telegram account "a")."""
    with transaction(engine) as session:
        owner = account(session, actor(session, "A"), "telegram", "a")
        of_post = post(session, owner, post_id="1", published_at=datetime(2024, 1, 1, tzinfo=UTC))
        return [media(session, of_post, position=i).id for i in range(count)]


def downloaded_media(
    engine: Engine, files: list[Path], *, sha256: bool = False, handle: str = "chan"
) -> list[int]:
    """One video post per file, each with a `downloaded` media row pointing at the file."""
    with transaction(engine) as session:
        owner = account(session, actor(session, f"actor {handle}"), "telegram", handle)
        ids: list[int] = []
        for index, path in enumerate(files):
            of_post = post(
                session,
                owner,
                post_id=str(index + 1),
                published_at=datetime(2024, 5, 1, tzinfo=UTC),
                kind="video",
            )
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if sha256 else None
            row = media(session, of_post, status="downloaded", local_path=str(path), sha256=digest)
            ids.append(row.id)
        return ids


@dataclass(frozen=True)
class Download:
    """A media file the download stage is to fetch from `url`."""

    platform: str
    post_id: str
    url: str
    title: str = "a speech"
    kind: str = "video"


def media_to_download(engine: Engine, items: list[Download]) -> list[int]:
    """Rows as the collect pipeline leaves them: one post with one pending media each."""
    with transaction(engine) as session:
        owner = actor(session, "Hun Manet")
        accounts: dict[str, Account] = {}
        ids: list[int] = []
        for n, item in enumerate(items):
            if item.platform not in accounts:
                accounts[item.platform] = account(session, owner, item.platform, "hm")
            of_post = post(
                session,
                accounts[item.platform],
                post_id=item.post_id,
                published_at=datetime(2024, 9, 1, tzinfo=UTC) + timedelta(hours=n),
                kind="video",
                title=item.title,
            )
            ids.append(media(session, of_post, kind=item.kind, source_url=item.url).id)
        return ids


def media_rows(engine: Engine, ids: list[int]) -> list[Media]:
    """The media rows with these ids, in that order (detached, for assertions)."""
    with transaction(engine) as session:
        found = {m.id: m for m in session.scalars(select(Media).where(Media.id.in_(ids)))}
        return [found[i] for i in ids]
