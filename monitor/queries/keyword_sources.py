"""The texts keyword matching reads: posts (text and poll; comments too) by id or in id order,
a transcript's segments with the post they belong to, the text read in images (OCR) with
theirs."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Account, ImageText, Media, Post, Transcript, TranscriptSegment


class PostText(NamedTuple):
    id: int
    title: str | None
    text: str | None
    url: str | None
    published_at: datetime | None
    poll_text: str | None = None  # a poll's question and options, one per line
    parent_post_id: int | None = None  # set for a comment: the post it comments


class SegmentText(NamedTuple):
    id: int
    text: str
    start_seconds: float
    is_hallucination: bool
    avg_logprob: float | None = None
    # {"words": [{start, end, word, probability}, …], "spotted": [{term, start, end, …}, …]}
    words: dict[str, Any] | None = None


class SegmentOwner(NamedTuple):
    """The post a transcript's segments are matched for."""

    post_id: int
    url: str | None
    published_at: datetime | None
    platform: str


class SegmentWithOwner(NamedTuple):
    segment: SegmentText
    owner: SegmentOwner


_POST_COLUMNS = select(
    Post.id, Post.title, Post.text, Post.url, Post.published_at, Post.poll_text, Post.parent_post_id
)
_SEGMENT_COLUMNS = (
    TranscriptSegment.id,
    TranscriptSegment.text,
    TranscriptSegment.start_seconds,
    TranscriptSegment.is_hallucination,
    TranscriptSegment.avg_logprob,
    TranscriptSegment.words,
)
_OWNER_COLUMNS = (Post.id, Post.url, Post.published_at, Account.platform)


def posts_by_id(session: Session, ids: Collection[int]) -> list[PostText]:
    """The text of these posts (in no particular order)."""
    return [PostText(*row) for row in session.execute(_POST_COLUMNS.where(Post.id.in_(ids)))]


def posts_after(session: Session, last_id: int, limit: int) -> list[PostText]:
    """The next `limit` posts with an id above `last_id`, in id order."""
    stmt = _POST_COLUMNS.where(Post.id > last_id).order_by(Post.id).limit(limit)
    return [PostText(*row) for row in session.execute(stmt)]


def segments_after(session: Session, last_id: int, limit: int) -> list[SegmentWithOwner]:
    """The next `limit` transcript segments with an id above `last_id`, in id order, each with
    the post of the media its transcript belongs to."""
    stmt = (
        select(*_SEGMENT_COLUMNS, *_OWNER_COLUMNS)
        .join(Transcript, Transcript.id == TranscriptSegment.transcript_id)
        .join(Media, Media.id == Transcript.media_id)
        .join(Post, Post.id == Media.post_id)
        .join(Account, Account.id == Post.account_id)
        .where(TranscriptSegment.id > last_id)
        .order_by(TranscriptSegment.id)
        .limit(limit)
    )
    return [
        SegmentWithOwner(SegmentText(*row[:6]), SegmentOwner(*row[6:]))
        for row in session.execute(stmt)
    ]


def transcript_owner(session: Session, transcript_id: int) -> SegmentOwner | None:
    """The post of the media a transcript is attached to (None: no such transcript)."""
    row = session.execute(
        select(*_OWNER_COLUMNS)
        .join(Media, Media.post_id == Post.id)
        .join(Transcript, Transcript.media_id == Media.id)
        .join(Account, Account.id == Post.account_id)
        .where(Transcript.id == transcript_id)
    ).one_or_none()
    return SegmentOwner(*row) if row is not None else None


def transcript_segments(session: Session, transcript_id: int) -> list[SegmentText]:
    """A transcript's segments (in no particular order)."""
    stmt = select(*_SEGMENT_COLUMNS).where(TranscriptSegment.transcript_id == transcript_id)
    return [SegmentText(*row) for row in session.execute(stmt)]


class ImageTextSource(NamedTuple):
    """The text read in one image (OCR), with the post its media belongs to."""

    media_id: int
    text: str
    confidence: float | None
    post_id: int
    url: str | None
    published_at: datetime | None


_IMAGE_COLUMNS = (
    ImageText.media_id,
    ImageText.text,
    ImageText.confidence,
    Post.id,
    Post.url,
    Post.published_at,
)


_IMAGE_TEXTS = (
    select(*_IMAGE_COLUMNS)
    .join(Media, Media.id == ImageText.media_id)
    .join(Post, Post.id == Media.post_id)
)


def image_texts_of(session: Session, media_ids: Collection[int]) -> list[ImageTextSource]:
    """The text read in these media's images (those without a stored reading are left out)."""
    stmt = _IMAGE_TEXTS.where(ImageText.media_id.in_(list(media_ids)))
    return [ImageTextSource(*row) for row in session.execute(stmt)]


def image_texts_after(session: Session, last_media_id: int, limit: int) -> list[ImageTextSource]:
    """The next `limit` image texts by media id above `last_media_id`, in media id order."""
    stmt = (
        _IMAGE_TEXTS.where(ImageText.media_id > last_media_id)
        .order_by(ImageText.media_id)
        .limit(limit)
    )
    return [ImageTextSource(*row) for row in session.execute(stmt)]
