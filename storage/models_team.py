"""The team's tables: who logs in to the web app, and the alert outbox (see docs/schema.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.model_base import Base, _in
from storage.types import BigIntPK, RedactedText, utcnow

USER_ROLES = ("viewer", "admin")


class User(Base):
    """Someone who logs in to the web app; only the argon2 hash of the password is kept."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", USER_ROLES), name="role"),)
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


ALERT_DELIVERY_STATUSES = ("pending", "delivered", "failed")


class AlertEvent(Base):
    """Something an alert rule may fire on, written in the transaction that caused it (the
    outbox); `event_key` is stable, so the same hit or version never becomes two events."""

    __tablename__ = "alert_events"
    __table_args__ = (Index(None, "detected_at"), Index(None, "fanned_out_at"))
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    event_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime]
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    payload: Mapped[dict[str, Any] | None]
    # When the dispatcher turned it into deliveries (one per matching rule and channel).
    fanned_out_at: Mapped[datetime | None]


class AlertDelivery(Base):
    """One event for one rule and channel: pending until the channel accepted it, or failed."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "rule", "channel"),
        CheckConstraint(_in("status", ALERT_DELIVERY_STATUSES), name="status"),
        Index(None, "status", "next_attempt_at"),
        Index(None, "message_id"),
    )
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("alert_events.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(RedactedText)
    # The bundle it was (last) sent in: the idempotency key receivers dedupe on.
    message_id: Mapped[str | None] = mapped_column(String(100))
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
