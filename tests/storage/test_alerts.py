"""storage.alerts on SQLite and PostgreSQL: events beside their cause, deliveries under leases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from storage.accounts import record_unavailable
from storage.alerts import (
    add_deliveries,
    claim_deliveries,
    mark_attempt_failed,
    mark_delivered,
    record_events,
)
from storage.engine import transaction
from storage.keyword_hits import posts_scope, replace_hits
from storage.models import Account, Actor, AlertDelivery, AlertEvent, KeywordHit, Post
from storage.types import utcnow
from tests.conftest import TestDatabase
from tests.storage.test_keyword_hits import _hit, _posts

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _keys(db: TestDatabase) -> list[str]:
    with transaction(db.engine) as session:
        return sorted(session.scalars(select(AlertEvent.event_key)))


def _event(key: str) -> dict[str, object]:
    return {"event_key": key, "kind": "deleted", "occurred_at": T0, "detected_at": T0}


def test_an_event_key_is_written_once(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        record_events(session, [_event("post:1:deleted"), _event("post:1:deleted")])
    with transaction(db.engine) as session:
        record_events(session, [_event("post:1:deleted"), _event("post:2:deleted")])
    assert _keys(db) == ["post:1:deleted", "post:2:deleted"]


def test_new_hits_become_events_once_and_a_rescan_writes_none(db: TestDatabase) -> None:
    one, two = _posts(db, 2)
    with transaction(db.engine) as session:
        replace_hits(session, posts_scope([one]), ["g"], [_hit("g", "land", one)])
    with transaction(db.engine) as session:  # the same hit again, and a changed snippet
        replace_hits(session, posts_scope([one]), ["g"], [_hit("g", "land", one, "new")])
    with transaction(db.engine) as session:  # gone, then back: still the same event
        replace_hits(session, posts_scope([one]), ["g"], [])
    with transaction(db.engine) as session:
        replace_hits(session, posts_scope([one]), ["g"], [_hit("g", "land", one)])
    with transaction(db.engine) as session:
        replace_hits(session, posts_scope([two]), ["g"], [_hit("g", "land", two)], alert=False)
    [key] = _keys(db)
    assert key.startswith(f"hit:post:{one}:")
    with transaction(db.engine) as session:
        event = session.scalars(select(AlertEvent)).one()
        account_id, actor_id = session.execute(
            select(Account.id, Account.actor_id).join(Post).where(Post.id == one)
        ).one()
    assert (event.kind, event.post_id, event.account_id, event.actor_id) == (
        "keyword_hit",
        one,
        account_id,
        actor_id,
    )
    assert event.payload == {
        "group": "g",
        "term": "land",
        "source": "posts",
        "snippet": "…",
        "link": None,
        "seconds": None,
        "published_at": "2024-06-01T08:00:00+00:00",
        "source_kind": "post",
        "confidence": None,
        "approximate": False,
    }


def test_an_event_is_rolled_back_with_its_cause(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        account = Account(actor=Actor(name="PM"), platform="telegram", handle="pm", cursor={})
        session.add(account)
        session.flush()
        account_id = account.id
    with pytest.raises(RuntimeError), transaction(db.engine) as session:
        record_unavailable(session, account_id, "deleted", "gone")
        raise RuntimeError("crash before commit")
    assert _keys(db) == []
    with transaction(db.engine) as session:
        record_unavailable(session, account_id, "deleted", "gone")
    with transaction(db.engine) as session:
        event = session.scalars(select(AlertEvent)).one()
    assert event.event_key.startswith("account_event:")
    assert event.payload == {
        "event": "deleted",
        "detail": {"previous_status": "active", "message": "gone"},
    }


def test_a_leased_delivery_goes_to_one_dispatcher_until_its_lease_expires(
    db: TestDatabase,
) -> None:
    with transaction(db.engine) as session:
        record_events(session, [_event("a"), _event("b")])
    with transaction(db.engine) as session:
        ids = list(session.scalars(select(AlertEvent.id).order_by(AlertEvent.id)))
        deliveries = [(i, "rule", "hook") for i in ids]
        add_deliveries(session, deliveries + deliveries, ids, utcnow())
    with transaction(db.engine) as session:
        assert session.scalar(select(func.count()).select_from(AlertDelivery)) == 2
    first = claim_deliveries(db.engine, "first", 60)
    assert len(first) == 2
    assert claim_deliveries(db.engine, "second", 60) == []
    later = utcnow() + timedelta(seconds=61)
    assert claim_deliveries(db.engine, "second", 60, now=later) == first
    mark_delivered(db.engine, first, "first")  # lost its lease: changes nothing
    with transaction(db.engine) as session:
        statuses = set(session.scalars(select(AlertDelivery.status)))
    assert statuses == {"pending"}
    mark_attempt_failed(db.engine, first[:1], "second", "HTTP 500", retry_at=None)
    mark_delivered(db.engine, first[1:], "second")
    with transaction(db.engine) as session:
        rows = session.execute(
            select(AlertDelivery.status, AlertDelivery.attempts, AlertDelivery.last_error).order_by(
                AlertDelivery.id
            )
        ).all()
    assert [tuple(row) for row in rows] == [("failed", 1, "HTTP 500"), ("delivered", 1, None)]


def test_a_hit_said_in_a_video_is_an_event_with_its_second(db: TestDatabase) -> None:
    [post] = _posts(db, 1)
    row = _hit("g", "land", post) | {
        "source_key": "segment:9",
        "source_kind": "transcript",
        "start_seconds": 75.4,
        "link": "https://www.youtube.com/watch?v=x&t=75",
    }
    before = utcnow()
    with transaction(db.engine) as session:
        replace_hits(session, KeywordHit.source_key == "segment:9", ["g"], [row])
    with transaction(db.engine) as session:
        event = session.scalars(select(AlertEvent)).one()
    assert event.event_key.startswith("hit:segment:9:")
    assert event.payload is not None
    assert (event.payload["source"], event.payload["seconds"], event.payload["link"]) == (
        "transcripts",
        75.4,
        "https://www.youtube.com/watch?v=x&t=75",
    )
    # Known when transcribed: a video published long ago still alerts when first heard.
    assert event.occurred_at >= before
