"""Writes to the alert outbox: events beside what caused them, deliveries, leases, outcomes."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.engine import transaction
from storage.models import Account, AlertDelivery, AlertEvent, Post, PostVersion
from storage.types import utcnow

WRITE_BATCH = 500


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def record_events(session: Session, events: Sequence[dict[str, Any]]) -> None:
    """Add outbox events in the caller's transaction; a known `event_key` is left alone."""
    insert = _insert(session)
    for start in range(0, len(events), WRITE_BATCH):
        stmt = insert(AlertEvent).values(list(events[start : start + WRITE_BATCH]))
        session.execute(stmt.on_conflict_do_nothing(index_elements=["event_key"]))


def _owners(session: Session, post_ids: Collection[int]) -> dict[int, tuple[int, int]]:
    """post id -> (account id, actor id)."""
    owners: dict[int, tuple[int, int]] = {}
    ids = sorted(set(post_ids))
    for start in range(0, len(ids), WRITE_BATCH):
        for post_id, account_id, actor_id in session.execute(
            select(Post.id, Post.account_id, Account.actor_id)
            .join(Account, Post.account_id == Account.id)
            .where(Post.id.in_(ids[start : start + WRITE_BATCH]))
        ):
            owners[post_id] = (account_id, actor_id)
    return owners


def hit_event_key(row: dict[str, Any]) -> str:
    """Stable per (group, term, source): a rescan that finds the hit again finds this key."""
    digest = hashlib.sha256(f"{row['group_name']}\0{row['term']}".encode()).hexdigest()[:20]
    return f"hit:{row['source_key']}:{digest}"


def record_hit_events(session: Session, rows: Sequence[dict[str, Any]], now: datetime) -> None:
    """Outbox events for newly found keyword hits (rows as storage.keyword_hits writes them)."""
    if not rows:
        return
    owners = _owners(session, {row["post_id"] for row in rows})
    events = []
    for row in rows:
        account_id, actor_id = owners.get(row["post_id"], (None, None))
        from_transcript = row["source_kind"] == "transcript"
        read_late = from_transcript or row["source_kind"] == "image_text"
        events.append(
            {
                "event_key": hit_event_key(row),
                "kind": "keyword_hit",
                # Said or shown in media: known when transcribed or read; written: published.
                "occurred_at": now if read_late else (row.get("published_at") or now),
                "detected_at": now,
                "actor_id": actor_id,
                "account_id": account_id,
                "post_id": row["post_id"],
                "payload": {
                    "group": row["group_name"],
                    "term": row["term"],
                    "source": "transcripts" if from_transcript else "posts",
                    "snippet": row.get("snippet") or "",
                    "link": row.get("link"),
                    "seconds": row.get("start_seconds"),
                    "published_at": _iso(row.get("published_at")),
                    # Where exactly: post (its text), poll, transcript, or a newer kind.
                    "source_kind": row["source_kind"],
                    "confidence": row.get("confidence"),
                    "approximate": bool(row.get("approximate")),
                },
            }
        )
    record_events(session, events)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def record_post_events(
    session: Session,
    account_id: int,
    new_posts: Iterable[Post],
    versions: Iterable[PostVersion],
    now: datetime,
) -> None:
    """Outbox events for posts seen for the first time and new versions (edits) of known ones;
    the rows must be flushed (ids assigned)."""
    new_posts, versions = list(new_posts), list(versions)
    if not new_posts and not versions:
        return
    actor_id = session.scalar(select(Account.actor_id).where(Account.id == account_id))
    base = {"detected_at": now, "actor_id": actor_id, "account_id": account_id}
    events: list[dict[str, Any]] = [
        {
            **base,
            "event_key": f"post:{post.id}:new",
            "kind": "new_post",
            "occurred_at": post.published_at,
            "post_id": post.id,
            "payload": {},
        }
        for post in new_posts
    ]
    events += [
        {
            **base,
            "event_key": f"post:{version.post_id}:v{version.id}",
            "kind": "edited",
            "occurred_at": version.edited_at or now,
            "post_id": version.post_id,
            "payload": {"version_id": version.id},
        }
        for version in versions
    ]
    record_events(session, events)


def record_deletion_events(
    session: Session, account_id: int, post_ids: Sequence[int], now: datetime
) -> None:
    """Outbox events for posts just marked deleted."""
    actor_id = session.scalar(select(Account.actor_id).where(Account.id == account_id))
    record_events(
        session,
        [
            {
                "event_key": f"post:{post_id}:deleted:{now.isoformat()}",
                "kind": "deleted",
                "occurred_at": now,
                "detected_at": now,
                "actor_id": actor_id,
                "account_id": account_id,
                "post_id": post_id,
                "payload": {},
            }
            for post_id in post_ids
        ],
    )


def record_account_event(
    session: Session, account_id: int, event_id: int, kind: str, detail: dict[str, Any] | None
) -> None:
    """The outbox event of one flushed account_events row."""
    actor_id = session.scalar(select(Account.actor_id).where(Account.id == account_id))
    now = utcnow()
    record_events(
        session,
        [
            {
                "event_key": f"account_event:{event_id}",
                "kind": "account_event",
                "occurred_at": now,
                "detected_at": now,
                "actor_id": actor_id,
                "account_id": account_id,
                "post_id": None,
                "payload": {"event": kind, "detail": detail or {}},
            }
        ],
    )


def add_deliveries(
    session: Session,
    deliveries: Sequence[tuple[int, str, str]],
    fanned_out: Collection[int],
    now: datetime,
) -> None:
    """Pending (event id, rule, channel) deliveries; the events in `fanned_out` are done."""
    insert = _insert(session)
    rows = [
        {"event_id": e, "rule": r, "channel": c, "status": "pending", "attempts": 0}
        for e, r, c in deliveries
    ]
    for start in range(0, len(rows), WRITE_BATCH):
        stmt = insert(AlertDelivery).values(
            [{**row, "created_at": now} for row in rows[start : start + WRITE_BATCH]]
        )
        session.execute(stmt.on_conflict_do_nothing(index_elements=["event_id", "rule", "channel"]))
    ids = sorted(fanned_out)
    for start in range(0, len(ids), WRITE_BATCH):
        session.execute(
            update(AlertEvent)
            .where(AlertEvent.id.in_(ids[start : start + WRITE_BATCH]))
            .values(fanned_out_at=now)
            .execution_options(synchronize_session=False)
        )


def claim_deliveries(
    engine: Engine,
    owner: str,
    lease_seconds: float,
    limit: int = 1000,
    *,
    now: datetime | None = None,
) -> list[int]:
    """Lease up to `limit` due pending deliveries (or ones whose holder's lease expired)."""
    now = now or utcnow()
    due = and_(
        AlertDelivery.status == "pending",
        or_(AlertDelivery.next_attempt_at.is_(None), AlertDelivery.next_attempt_at <= now),
        or_(AlertDelivery.lease_expires_at.is_(None), AlertDelivery.lease_expires_at < now),
    )
    with transaction(engine) as session:
        candidates = select(AlertDelivery.id).where(due).order_by(AlertDelivery.id).limit(limit)
        if engine.dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        result = session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.id.in_(candidates.scalar_subquery()), due)
            .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_seconds))
            .returning(AlertDelivery.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(result.scalars())


def _held(ids: Sequence[int], owner: str) -> Any:
    return and_(
        AlertDelivery.id.in_(list(ids)),
        AlertDelivery.lease_owner == owner,
        AlertDelivery.status == "pending",
    )


def set_message_id(engine: Engine, ids: Sequence[int], owner: str, message_id: str) -> None:
    """Record the bundle these deliveries are about to go out in (before sending)."""
    with transaction(engine) as session:
        session.execute(
            update(AlertDelivery)
            .where(_held(ids, owner))
            .values(message_id=message_id)
            .execution_options(synchronize_session=False)
        )


def mark_delivered(engine: Engine, ids: Sequence[int], owner: str) -> None:
    """The channel accepted the bundle holding these deliveries."""
    now = utcnow()
    with transaction(engine) as session:
        session.execute(
            update(AlertDelivery)
            .where(_held(ids, owner))
            .values(
                status="delivered",
                attempts=AlertDelivery.attempts + 1,
                delivered_at=now,
                last_error=None,
                lease_owner=None,
                lease_expires_at=None,
            )
            .execution_options(synchronize_session=False)
        )


def mark_attempt_failed(
    engine: Engine,
    ids: Sequence[int],
    owner: str,
    error: str,
    *,
    retry_at: datetime | None,
) -> None:
    """A send failed: try again at `retry_at`, or (None) record the deliveries as failed."""
    with transaction(engine) as session:
        session.execute(
            update(AlertDelivery)
            .where(_held(ids, owner))
            .values(
                status="pending" if retry_at else "failed",
                attempts=AlertDelivery.attempts + 1,
                next_attempt_at=retry_at,
                last_error=error[:2000],
                lease_owner=None,
                lease_expires_at=None,
            )
            .execution_options(synchronize_session=False)
        )


def release_deliveries(engine: Engine, ids: Sequence[int], owner: str) -> None:
    """Give leases back unsent (no channel built, a shutdown): the attempt is not counted."""
    with transaction(engine) as session:
        session.execute(
            update(AlertDelivery)
            .where(_held(ids, owner))
            .values(lease_owner=None, lease_expires_at=None)
            .execution_options(synchronize_session=False)
        )
