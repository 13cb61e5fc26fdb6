"""Screenshots of posts as a person sees them, and their work queue (see docs/schema.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.model_base import Base, _in
from storage.types import BigIntPK, RedactedText, utcnow

# "page": the platform's public page (or embed) of the post, loaded by Chromium;
# "rendered_version": polmon's own rendering of a stored version (a deleted post's last one).
SCREENSHOT_KINDS = ("page", "rendered_version")
# A job moves queued -> capturing (leased) -> done, or failed (out of attempts).
SCREENSHOT_JOB_STATUSES = ("queued", "capturing", "done", "failed")


class ScreenshotJob(Base):
    """One screenshot to take of one version of a post; the leased work queue of the stage
    (`storage.queue`'s lease columns, as on `media`)."""

    __tablename__ = "screenshot_jobs"
    __table_args__ = (
        CheckConstraint(_in("status", SCREENSHOT_JOB_STATUSES), name="status"),
        CheckConstraint(_in("kind", SCREENSHOT_KINDS), name="kind"),
        Index(None, "post_version_id", "kind", unique=True),
        Index(None, "post_id"),
        Index(None, "status", "next_attempt_at"),
        Index(None, "lease_expires_at"),
    )
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    post_version_id: Mapped[int] = mapped_column(ForeignKey("post_versions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(RedactedText)
    next_attempt_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]
    lease_expiries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Screenshot(Base):
    """A PNG of a post: where it was taken from, when, its sha256 and size, and the key of
    the file under the evidence folder (content-addressed: `screenshots/ab/cdef….png`)."""

    __tablename__ = "screenshots"
    __table_args__ = (
        CheckConstraint(_in("kind", SCREENSHOT_KINDS), name="kind"),
        Index(None, "post_id", "captured_at"),
        Index(None, "post_version_id"),
        Index(None, "sha256"),
    )
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    post_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("post_versions.id", ondelete="SET NULL")
    )
    url: Mapped[str | None] = mapped_column(Text)  # the page loaded; None for a rendering
    captured_at: Mapped[datetime] = mapped_column(default=utcnow)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(Text)  # relative to the evidence folder
    kind: Mapped[str] = mapped_column(String(20))
