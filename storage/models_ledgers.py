"""The ledgers: collection runs per account, digests sent, the daemon's job runs, and small
named values kept between runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.model_base import Base, _in
from storage.types import BigIntPK, RedactedText, utcnow

RUN_STATUSES = ("running", "ok", "failed", "partial")
DIGEST_STATUSES = ("pending", "sent", "failed")


class CollectionRun(Base):
    """One collection pass over one account: what changed and what failed."""

    __tablename__ = "collection_runs"
    __table_args__ = (
        CheckConstraint(_in("status", RUN_STATUSES), name="status"),
        Index(None, "account_id", "started_at"),
        Index(None, "started_at"),
    )
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    new_posts: Mapped[int] = mapped_column(Integer, default=0)
    updated_posts: Mapped[int] = mapped_column(Integer, default=0)
    deleted_posts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(RedactedText)


class Digest(Base):
    """A digest email for one period and recipient list; never sent twice."""

    __tablename__ = "digests"
    __table_args__ = (
        UniqueConstraint("list_name", "period_start", "period_end"),
        CheckConstraint(_in("status", DIGEST_STATUSES), name="status"),
    )
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    list_name: Mapped[str] = mapped_column(String(100))
    recipients: Mapped[str] = mapped_column(Text)
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(RedactedText)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JobRun(Base):
    """One run of a scheduled job of `polmon run`, for `polmon status` and failure reports."""

    __tablename__ = "job_runs"
    __table_args__ = (Index(None, "job_name", "started_at"), Index(None, "started_at"))
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    job_name: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    error: Mapped[str | None] = mapped_column(RedactedText)
    next_run_at: Mapped[datetime | None]


class AppState(Base):
    """Small named values the monitor keeps between runs (e.g. the keyword config hash)."""

    __tablename__ = "app_state"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any] | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
