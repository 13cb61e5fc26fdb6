"""The whole polmon data model as SQLAlchemy 2 typed tables (see docs/schema.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.model_base import NAMING as NAMING
from storage.model_base import Base as Base
from storage.model_base import _in

# Groups of tables live in modules of their own (the team's, evidence, OCR, rate budgets,
# screenshots, the ledgers); importing this one registers them all, so `Base.metadata` is
# the whole schema.
from storage.models_evidence import Capture as Capture
from storage.models_evidence import EvidenceLeaf as EvidenceLeaf
from storage.models_evidence import TimestampToken as TimestampToken
from storage.models_ledgers import DIGEST_STATUSES as DIGEST_STATUSES
from storage.models_ledgers import RUN_STATUSES as RUN_STATUSES
from storage.models_ledgers import AppState as AppState
from storage.models_ledgers import CollectionRun as CollectionRun
from storage.models_ledgers import Digest as Digest
from storage.models_ledgers import JobRun as JobRun
from storage.models_ocr import ImageText as ImageText
from storage.models_rate import RateBudgetRow as RateBudgetRow
from storage.models_screenshots import Screenshot as Screenshot
from storage.models_screenshots import ScreenshotJob as ScreenshotJob
from storage.models_team import ALERT_DELIVERY_STATUSES as ALERT_DELIVERY_STATUSES
from storage.models_team import USER_ROLES as USER_ROLES
from storage.models_team import AlertDelivery as AlertDelivery
from storage.models_team import AlertEvent as AlertEvent
from storage.models_team import User as User
from storage.types import BigIntPK, MediaStatus, RedactedText, utcnow

ACCOUNT_STATUSES = ("active", "renamed", "deleted", "private", "unavailable")
MEDIA_STATUSES = tuple(status.value for status in MediaStatus)
# The ready statuses a media claim takes rows from (each with a partial index, 0017).
_MEDIA_PENDING = "status = 'pending'"
_MEDIA_DOWNLOADED = "status = 'downloaded'"


class Actor(Base):
    """A person or organisation whose accounts are watched."""

    __tablename__ = "actors"
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="person")
    country: Mapped[str | None] = mapped_column(String(2))
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    accounts: Mapped[list[Account]] = relationship(back_populates="actor")


class Account(Base):
    """One account of an actor on one platform; config is its source of truth."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("platform", "handle"),
        CheckConstraint(_in("status", ACCOUNT_STATUSES), name="status"),
        Index(None, "actor_id"),
        Index(None, "platform", "platform_id"),
        Index(None, "next_due_at"),
    )
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    handle: Mapped[str] = mapped_column(String(500))
    platform_id: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(Text)
    display_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    avatar_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="active")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str | None] = mapped_column(Text)
    cursor: Mapped[dict[str, Any]] = mapped_column(default=dict)
    first_seen_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    last_collected_at: Mapped[datetime | None]
    # Collection as claimed work (storage.account_claims): due again at `next_due_at`; a
    # collect worker holds the account while `lease_expires_at` is ahead.
    next_due_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    actor: Mapped[Actor] = relationship(back_populates="accounts")


class AudienceSnapshot(Base):
    """Audience size of one account at one capture."""

    __tablename__ = "audience_snapshots"
    __table_args__ = (Index(None, "account_id", "captured_at"),)
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    captured_at: Mapped[datetime] = mapped_column(default=utcnow)
    followers: Mapped[int | None] = mapped_column(BigInteger)
    following: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    posts_count: Mapped[int | None] = mapped_column(BigInteger)
    views_total: Mapped[int | None] = mapped_column(BigInteger)
    is_approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(String(20))


class AudienceDaily(Base):
    """The last audience snapshot of each account per UTC day, kept in step by triggers.

    A rollup of audience_snapshots (migration 0004) so growth over years reads one row per
    account and day instead of every hourly capture.
    """

    __tablename__ = "audience_daily"
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    captured_at: Mapped[datetime]
    followers: Mapped[int | None] = mapped_column(BigInteger)
    following: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    posts_count: Mapped[int | None] = mapped_column(BigInteger)
    views_total: Mapped[int | None] = mapped_column(BigInteger)
    is_approximate: Mapped[bool] = mapped_column(Boolean, default=False)


class Post(Base):
    """A post or video; never deleted, `deleted_at` marks one the platform removed."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("account_id", "platform_post_id"),
        Index(None, "account_id", "published_at"),
        Index(None, "published_at"),
        Index(None, "deleted_at"),
        Index(None, "edited_at"),
        Index(None, "parent_post_id", "published_at"),
    )
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    platform_post_id: Mapped[str] = mapped_column(String(100))
    # A comment (a reply in a Telegram channel's discussion group) points at its channel post;
    # channel posts have none. Its platform id is `<parent platform id>/c<comment id>`.
    parent_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    author_name: Mapped[str | None] = mapped_column(Text)  # a comment's author, as shown
    author_id: Mapped[str | None] = mapped_column(String(100))  # `user:<id>`, `channel:<id>`
    # The comment count the post showed when its comments were last read (None: never read).
    comments_synced: Mapped[int | None] = mapped_column(BigInteger)
    url: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(20), default="text")
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    text_html: Mapped[str | None] = mapped_column(Text)
    # A poll's question, then each option, one per line (searchable, keyword-matched text).
    poll_text: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    reply_to_id: Mapped[str | None] = mapped_column(String(100))
    forwarded_from: Mapped[str | None] = mapped_column(Text)
    forwarded_from_url: Mapped[str | None] = mapped_column(Text)
    grouped_id: Mapped[str | None] = mapped_column(String(100))
    views: Mapped[int | None] = mapped_column(BigInteger)
    views_approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    shares: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None] = mapped_column(BigInteger)
    reactions: Mapped[dict[str, Any] | None]
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    raw: Mapped[dict[str, Any] | None]
    account: Mapped[Account] = relationship()
    media: Mapped[list[Media]] = relationship(back_populates="post")


class PostVersion(Base):
    """Every text a post has had, with when we first saw it (the edit history)."""

    __tablename__ = "post_versions"
    __table_args__ = (
        Index(None, "post_id", "seen_at"),
        Index(None, "seen_at"),
        Index(None, "capture_id"),
    )
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    text: Mapped[str | None] = mapped_column(Text)
    text_html: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    poll_text: Mapped[str | None] = mapped_column(Text)  # the poll as it read then
    edited_at: Mapped[datetime | None]
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The response this version was read from (None: captured with evidence = "none", or
    # before captures existed).
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id", ondelete="SET NULL"))
    post: Mapped[Post] = relationship()


class PostMetric(Base):
    """Engagement of one post at one capture (the metrics time series)."""

    __tablename__ = "post_metrics"
    __table_args__ = (Index(None, "post_id", "captured_at"),)
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    captured_at: Mapped[datetime] = mapped_column(default=utcnow)
    views: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    shares: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None] = mapped_column(BigInteger)
    reactions: Mapped[dict[str, Any] | None]
    post: Mapped[Post] = relationship()


class Media(Base):
    """A media file of a post; speech-bearing ones and photos are the work queue (download, then
    transcription or OCR)."""

    __tablename__ = "media"
    __table_args__ = (
        UniqueConstraint("post_id", "position"),
        CheckConstraint(_in("status", MEDIA_STATUSES), name="status"),
        Index(None, "sha256"),
        Index(None, "lease_expires_at"),
        Index(None, "status", "skip_reason"),
        # The claim query (storage.queue): the ready rows of each status, in id order.
        Index(
            "ix_media_claim_pending",
            "id",
            "next_attempt_at",
            postgresql_where=text(_MEDIA_PENDING),
            sqlite_where=text(_MEDIA_PENDING),
        ),
        Index(
            "ix_media_claim_downloaded",
            "id",
            "kind",
            "next_attempt_at",
            postgresql_where=text(_MEDIA_DOWNLOADED),
            sqlite_where=text(_MEDIA_DOWNLOADED),
        ),
    )
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    source_url: Mapped[str | None] = mapped_column(Text)
    thumbnail_url: Mapped[str | None] = mapped_column(Text)
    mime_type: Mapped[str | None] = mapped_column(String(100))
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    local_path: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("media.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(RedactedText)
    # Why a `skipped` row was skipped, short and the same for every row skipped so (counted by
    # `polmon status` and the digest); `last_error` keeps the full sentence.
    skip_reason: Mapped[str | None] = mapped_column(String(100))
    # The spoken language a transcription worker detected (lower case) and handed the row back
    # for, lacking what that language needs (monitor.capabilities); from then on the claim and
    # the capability backlog take the row's needs from it instead of the post's language.
    detected_language: Mapped[str | None] = mapped_column(String(16))
    detected_language_probability: Mapped[float | None] = mapped_column(Float)
    next_attempt_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]
    # Leases of this stage that expired (a worker died or hung): not the media's fault.
    lease_expiries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    downloaded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    post: Mapped[Post] = relationship(back_populates="media")


class Transcript(Base):
    """What was said in one media file, by which model, how fast."""

    __tablename__ = "transcripts"
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="CASCADE"), unique=True)
    backend: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    language_probability: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text, default="")
    audio_seconds: Mapped[float | None] = mapped_column(Float)
    processing_seconds: Mapped[float | None] = mapped_column(Float)
    prompt_terms: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    segments: Mapped[list[TranscriptSegment]] = relationship(
        back_populates="transcript", order_by="TranscriptSegment.position"
    )


class TranscriptSegment(Base):
    """A timed piece of a transcript; likely hallucinations are kept but flagged."""

    __tablename__ = "transcript_segments"
    __table_args__ = (UniqueConstraint("transcript_id", "position"),)
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    start_seconds: Mapped[float] = mapped_column(Float)
    end_seconds: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    avg_logprob: Mapped[float | None] = mapped_column(Float)
    no_speech_prob: Mapped[float | None] = mapped_column(Float)
    compression_ratio: Mapped[float | None] = mapped_column(Float)
    is_hallucination: Mapped[bool] = mapped_column(Boolean, default=False)
    words: Mapped[dict[str, Any] | None]
    transcript: Mapped[Transcript] = relationship(back_populates="segments")


class KeywordHit(Base):
    """A watched term found in a post's text or a transcript segment; one per (term, source)."""

    __tablename__ = "keyword_hits"
    __table_args__ = (
        UniqueConstraint("group_name", "term", "source_key"),
        Index(None, "group_name", "published_at"),
        Index(None, "post_id"),
        Index(None, "published_at"),
    )
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    group_name: Mapped[str] = mapped_column(String(100))
    term: Mapped[str] = mapped_column(String(500))
    source_key: Mapped[str] = mapped_column(String(40))
    source_kind: Mapped[str] = mapped_column(String(20))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("transcript_segments.id", ondelete="CASCADE")
    )
    snippet: Mapped[str] = mapped_column(Text, default="")
    char_offset: Mapped[int | None] = mapped_column(Integer)
    start_seconds: Mapped[float | None] = mapped_column(Float)
    link: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    matched_at: Mapped[datetime] = mapped_column(default=utcnow)
    # 0..1, how sure the words were heard (transcript hits; None for exact text sources).
    confidence: Mapped[float | None] = mapped_column(Float)
    # Found by fuzzy matching (a close, not exact, word sequence); never mixed with exact hits.
    approximate: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class AccountEvent(Base):
    """Something that happened to an account: renamed, deleted, went private, came back."""

    __tablename__ = "account_events"
    __table_args__ = (Index(None, "account_id", "detected_at"), Index(None, "detected_at"))
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any] | None]
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
