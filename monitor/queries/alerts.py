"""Alert outbox reads: events to fan out, deliveries to send, the outbox as `alerts list` shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Account, Actor, AlertDelivery, AlertEvent, Post, PostVersion

DELIVERY_COLUMNS = (
    "id",
    "status",
    "rule",
    "channel",
    "kind",
    "event_key",
    "actor",
    "detected_at",
    "attempts",
    "next_attempt_at",
    "delivered_at",
    "last_error",
)


@dataclass(frozen=True)
class OutboxEvent:
    """An event not yet fanned out, with what rules filter on."""

    id: int
    kind: str
    occurred_at: datetime
    detected_at: datetime
    actor: str | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class DeliveryToSend:
    """A leased delivery and everything its alert item shows."""

    id: int
    rule: str
    channel: str
    attempts: int
    created_at: datetime
    message_id: str | None
    event_key: str
    kind: str
    occurred_at: datetime
    detected_at: datetime
    actor: str | None
    account: str | None
    platform: str | None
    post_id: int | None
    post_url: str | None
    post_text: str | None
    version_text: str | None
    payload: dict[str, Any]


def events_to_fan_out(session: Session, limit: int = 5000) -> list[OutboxEvent]:
    """Events no dispatcher has turned into deliveries yet, oldest first."""
    rows = session.execute(
        select(AlertEvent, Actor.name)
        .outerjoin(Actor, AlertEvent.actor_id == Actor.id)
        .where(AlertEvent.fanned_out_at.is_(None))
        .order_by(AlertEvent.id)
        .limit(limit)
    )
    return [
        OutboxEvent(e.id, e.kind, e.occurred_at, e.detected_at, actor, dict(e.payload or {}))
        for e, actor in rows
    ]


def deliveries_to_send(session: Session, ids: Sequence[int]) -> list[DeliveryToSend]:
    """The given deliveries with their events, posts, accounts and actors, by id."""
    version_text = (  # a poll's text stands in for a post that has no other
        select(func.coalesce(PostVersion.text, PostVersion.poll_text))
        .where(PostVersion.id == AlertEvent.payload["version_id"].as_integer())
        .scalar_subquery()
    )
    query = (
        select(
            AlertDelivery,
            AlertEvent,
            Actor.name,
            Account.handle,
            Account.platform,
            Post.url,
            func.coalesce(Post.text, Post.poll_text),
            version_text,
        )
        .join(AlertEvent, AlertDelivery.event_id == AlertEvent.id)
        .outerjoin(Account, AlertEvent.account_id == Account.id)
        .outerjoin(Actor, AlertEvent.actor_id == Actor.id)
        .outerjoin(Post, AlertEvent.post_id == Post.id)
        .where(AlertDelivery.id.in_(list(ids)))
        .order_by(AlertDelivery.id)
    )
    return [
        DeliveryToSend(
            id=d.id,
            rule=d.rule,
            channel=d.channel,
            attempts=d.attempts,
            created_at=d.created_at,
            message_id=d.message_id,
            event_key=e.event_key,
            kind=e.kind,
            occurred_at=e.occurred_at,
            detected_at=e.detected_at,
            actor=actor,
            account=handle,
            platform=platform,
            post_id=e.post_id,
            post_url=url,
            post_text=text,
            version_text=vtext,
            payload=dict(e.payload or {}),
        )
        for d, e, actor, handle, platform, url, text, vtext in session.execute(query)
    ]


def list_deliveries(
    session: Session, status: str | None = None, limit: int | None = 100
) -> list[dict[str, Any]]:
    """The outbox's deliveries, newest first (keys: DELIVERY_COLUMNS)."""
    query = (
        select(AlertDelivery, AlertEvent, Actor.name)
        .join(AlertEvent, AlertDelivery.event_id == AlertEvent.id)
        .outerjoin(Actor, AlertEvent.actor_id == Actor.id)
        .order_by(AlertDelivery.id.desc())
        .limit(limit)
    )
    if status:
        query = query.where(AlertDelivery.status == status)
    return [
        {
            "id": d.id,
            "status": d.status,
            "rule": d.rule,
            "channel": d.channel,
            "kind": e.kind,
            "event_key": e.event_key,
            "actor": actor,
            "detected_at": e.detected_at,
            "attempts": d.attempts,
            "next_attempt_at": d.next_attempt_at,
            "delivered_at": d.delivered_at,
            "last_error": d.last_error,
        }
        for d, e, actor in session.execute(query)
    ]


def delivery_counts(session: Session) -> dict[str, int]:
    """Deliveries per status (pending, delivered, failed), and events not fanned out yet."""
    counts = {"pending": 0, "delivered": 0, "failed": 0}
    for status, count in session.execute(
        select(AlertDelivery.status, func.count()).group_by(AlertDelivery.status)
    ):
        counts[status] = count
    counts["events_waiting"] = (
        session.scalar(
            select(func.count()).select_from(AlertEvent).where(AlertEvent.fanned_out_at.is_(None))
        )
        or 0
    )
    return counts


def failed_deliveries(session: Session, limit: int = 20) -> list[dict[str, Any]]:
    """The latest deliveries that were given up on, for status and the digest's health."""
    return list_deliveries(session, "failed", limit)
