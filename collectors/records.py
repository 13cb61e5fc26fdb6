"""Plain typed records that collectors yield and the pipeline writes to storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, get_args

# The registered platforms (`collectors.registry`) as a static type for config models and
# records; a test keeps the two equal.
Platform = Literal["telegram", "tiktok", "facebook", "youtube"]
PLATFORMS: tuple[Platform, ...] = get_args(Platform)

# Kinds of post and media the schema knows; collectors map platform kinds onto these.
POST_KINDS = (
    "text",
    "photo",
    "video",
    "voice",
    "round_video",
    "audio",
    "document",
    "poll",
    "sticker",
    "album",
    "service",
    "other",
)
MEDIA_KINDS = ("video", "voice", "round_video", "audio", "photo", "document", "other")
# Media kinds with speech worth downloading and transcribing.
TRANSCRIBABLE_KINDS = frozenset({"video", "voice", "round_video", "audio"})


def utc(value: datetime) -> datetime:
    """Return `value` as a timezone-aware UTC datetime (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class AccountRef:
    """What a collector is told about one configured account."""

    platform: Platform
    handle: str | None = None
    url: str | None = None
    platform_id: str | None = None
    cursor: dict[str, Any] = field(default_factory=dict)
    extra_urls: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.handle or self.url or self.platform_id or "?"


@dataclass(slots=True)
class AccountProfile:
    """An account's public profile and audience counts at one moment."""

    platform_id: str | None = None
    handle: str | None = None
    url: str | None = None
    display_name: str | None = None
    description: str | None = None
    avatar_url: str | None = None
    followers: int | None = None
    following: int | None = None
    likes: int | None = None
    posts_count: int | None = None
    views_total: int | None = None
    is_approximate: bool = False
    raw: dict[str, Any] | None = None


@dataclass(slots=True)
class MediaItem:
    """One media attachment of a post; speech-bearing kinds become download jobs."""

    kind: str
    source_url: str | None = None
    position: int = 0
    duration_seconds: float | None = None
    thumbnail_url: str | None = None
    mime_type: str | None = None
    size_bytes: int | None = None


@dataclass(slots=True)
class PostRecord:
    """One post or video as a platform shows it now. Only id and time are required."""

    platform_post_id: str
    published_at: datetime
    url: str | None = None
    kind: str = "text"
    text: str | None = None
    text_html: str | None = None
    title: str | None = None
    language: str | None = None
    reply_to_id: str | None = None
    forwarded_from: str | None = None
    forwarded_from_url: str | None = None
    grouped_id: str | None = None
    views: int | None = None
    views_approximate: bool = False
    likes: int | None = None
    shares: int | None = None
    comments: int | None = None
    reactions: dict[str, int] | None = None
    is_edited: bool = False
    edited_at: datetime | None = None
    media: list[MediaItem] = field(default_factory=list)
    raw: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if not self.platform_post_id:
            raise ValueError("a post needs its platform id")
        self.published_at = utc(self.published_at)
        if self.edited_at is not None:
            self.edited_at = utc(self.edited_at)


@dataclass(frozen=True)
class SkippedItem:
    """One post a listing could not read (a missing identity field), skipped alone.

    `platform_post_id` is set when the id itself was readable: the post still exists and
    must not be taken as deleted. Without it the listing cannot vouch for its window.
    """

    platform_post_id: str | None
    reason: str
