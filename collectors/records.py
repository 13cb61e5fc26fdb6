"""Plain typed records that collectors yield and the pipeline writes to storage."""

from __future__ import annotations

import hashlib
import re
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
# Kinds whose text is read (OCR): photos, album members included.
READABLE_KINDS = frozenset({"photo"})
# Kinds that become media rows of the work queue (downloaded, then transcribed or read).
QUEUED_KINDS = TRANSCRIBABLE_KINDS | READABLE_KINDS


# Link fields hold web addresses only: a `javascript:` or `data:` link in a hostile post would
# run wherever a reader opens it. Others are kept in `raw["rejected_links"]`, never as links.
_WEB_LINK = re.compile(r"https?://[^\s]", re.IGNORECASE)


def web_link(url: str | None) -> str | None:
    """`url` when it is an absolute http(s) address, else None."""
    if url and _WEB_LINK.match(url):
        return url
    return None


def _reject_links(
    owner: object, names: tuple[str, ...], raw: dict[str, Any] | None, prefix: str = ""
) -> dict[str, Any] | None:
    """Clear `owner`'s link fields that are not web links; return `raw` recording them."""
    for name in names:
        value = getattr(owner, name)
        if value and web_link(value) is None:
            raw = dict(raw or {})
            raw["rejected_links"] = {**raw.get("rejected_links", {}), prefix + name: value}
            setattr(owner, name, None)
    return raw


def utc(value: datetime) -> datetime:
    """Return `value` as a timezone-aware UTC datetime (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def now_utc() -> datetime:
    """The current time, timezone-aware UTC (when a capture was fetched)."""
    return datetime.now(UTC)


def poll_text_of(raw: Any) -> str | None:
    """A post's poll (`raw["poll"]`, as both Telegram backends record it) as text: the
    question, then each option, one per line; None when the post has no poll."""
    poll = raw.get("poll") if isinstance(raw, dict) else None
    if not isinstance(poll, dict):
        return None
    options = poll.get("options")
    options = options if isinstance(options, list) else []
    lines = [poll.get("question")] + [o.get("text") for o in options if isinstance(o, dict)]
    text = "\n".join(line.strip() for line in lines if isinstance(line, str) and line.strip())
    return text or None


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

    def reject_unsafe_links(self) -> None:
        """Move link fields that are not http(s) into raw["rejected_links"] (before storing)."""
        self.raw = _reject_links(self, ("url", "avatar_url"), self.raw)


# What kind of response a capture holds: an HTTP body, yt-dlp's info JSON, a Telethon message.
CAPTURE_KINDS = ("http", "ytdlp_info", "telethon")


@dataclass(frozen=True, slots=True)
class RawCapture:
    """The exact bytes of one response a collector read, as evidence (one per response: the
    posts of one t.me page share it). `headers` are the HTTP response's, in their order."""

    url: str
    fetched_at: datetime
    content: bytes
    kind: str = "http"
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(slots=True)
class MediaItem:
    """One media attachment of a post; speech-bearing kinds and photos become download jobs."""

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
    # A comment (a reply in the channel's linked discussion group) names the channel post it
    # comments (`parent_post_id`, that post's platform id) and its author's public name and id.
    parent_post_id: str | None = None
    author_name: str | None = None
    author_id: str | None = None
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
    # The response this record was read from (kept as evidence by storage.captures).
    capture: RawCapture | None = None

    def __post_init__(self) -> None:
        if not self.platform_post_id:
            raise ValueError("a post needs its platform id")
        self.published_at = utc(self.published_at)
        if self.edited_at is not None:
            self.edited_at = utc(self.edited_at)

    @property
    def poll_text(self) -> str | None:
        """The post's poll as text (question, then options), None without one."""
        return poll_text_of(self.raw)

    def reject_unsafe_links(self) -> None:
        """Move link fields that are not http(s) into raw["rejected_links"] (before storing)."""
        self.raw = _reject_links(self, ("url", "forwarded_from_url"), self.raw)
        for item in self.media:
            self.raw = _reject_links(
                item, ("source_url", "thumbnail_url"), self.raw, f"media.{item.position}."
            )


def comment_post_id(parent_post_id: str, comment_id: int | str) -> str:
    """A comment's platform id: `<parent post id>/c<comment id>`, never a channel post's id
    (those are bare numbers), the same from both Telegram backends."""
    return f"{parent_post_id}/c{comment_id}"


@dataclass(slots=True)
class CommentThread:
    """The comments read of one post's discussion, newest first, at most the limit asked.

    `total` is the count the platform gives for the thread (None when unknown). `complete`:
    every comment of the thread was read; otherwise only comments at least as new as the oldest
    one read can be told deleted (`oldest_id`).
    """

    parent_post_id: str
    comments: list[PostRecord] = field(default_factory=list)
    total: int | None = None
    complete: bool = True

    @property
    def oldest_id(self) -> int | None:
        """The lowest comment id read (comments are numbered in the discussion group)."""
        ids = [comment_number(c.platform_post_id) for c in self.comments]
        known = [i for i in ids if i is not None]
        return min(known) if known else None


def comment_number(platform_post_id: str) -> int | None:
    """The comment id of a comment's platform id (`123/c456` → 456), None for other ids."""
    _, sep, number = platform_post_id.rpartition("/c")
    return int(number) if sep and number.isdigit() else None


@dataclass(frozen=True)
class SkippedItem:
    """One post a listing could not read (a missing identity field), skipped alone.

    `platform_post_id` is set when the id itself was readable: the post still exists and
    must not be taken as deleted. Without it the listing cannot vouch for its window.
    """

    platform_post_id: str | None
    reason: str
