"""storage.accounts on SQLite and PostgreSQL: config sync, profiles, status events, cursors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from collectors.records import AccountProfile
from storage.accounts import (
    AccountSpec,
    ActorSpec,
    account_ref,
    active_accounts,
    advance_cursor,
    apply_profile,
    record_unavailable,
    sync_accounts,
)
from storage.engine import transaction
from storage.models import Account, AccountEvent, Actor, AudienceSnapshot
from tests.conftest import TestDatabase

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)
PM = ActorSpec(
    "PM",
    "person",
    "KH",
    "prime minister",
    (
        AccountSpec("telegram", "pm", "https://t.me/pm", "main channel"),
        AccountSpec("youtube", "@pm", enabled=False),
    ),
)


def _sync(db: TestDatabase, *actors: ActorSpec) -> tuple[int, int, int, int]:
    with transaction(db.engine) as session:
        result = sync_accounts(session, actors, T0)
    return (
        result.actors_added,
        result.accounts_added,
        result.accounts_updated,
        result.accounts_deactivated,
    )


def _account_id(db: TestDatabase, platform: str = "telegram", handle: str = "pm") -> int:
    with transaction(db.engine) as session:
        return session.scalars(
            select(Account.id).where(Account.platform == platform, Account.handle == handle)
        ).one()


def _events(db: TestDatabase, account_id: int) -> list[tuple[str, dict[str, object] | None]]:
    with transaction(db.engine) as session:
        rows = session.scalars(
            select(AccountEvent).where(AccountEvent.account_id == account_id).order_by("id")
        )
        return [(row.kind, row.detail) for row in rows]


def test_sync_adds_updates_and_deactivates(db: TestDatabase) -> None:
    assert _sync(db, PM) == (1, 2, 0, 0)
    # unchanged; a disabled account is counted as updated on every sync (as before storage/)
    assert _sync(db, PM) == (0, 0, 1, 0)
    with transaction(db.engine) as session:
        accounts = {a.handle: a for a in session.scalars(select(Account))}
        assert accounts["pm"].active and not accounts["@pm"].active
        assert accounts["pm"].url == "https://t.me/pm"
        assert accounts["pm"].notes == "main channel"
        assert accounts["pm"].actor.country == "KH"
    moved = ActorSpec("Party", accounts=(AccountSpec("telegram", "pm"),))
    assert _sync(db, moved) == (1, 0, 1, 0)
    with transaction(db.engine) as session:
        account = session.get_one(Account, _account_id(db))
        assert account.actor.name == "Party"
        assert account.url == "https://t.me/pm"  # a stored URL is kept
        assert not session.scalars(select(Actor).where(Actor.name == "PM")).one().active
    assert _sync(db) == (0, 0, 0, 1)
    with transaction(db.engine) as session:
        assert not any(a.active for a in session.scalars(select(Account)))


def test_account_ref_carries_the_stored_account_and_the_extra_urls(db: TestDatabase) -> None:
    _sync(db, PM)
    account_id = _account_id(db)
    with transaction(db.engine) as session:
        advance_cursor(session, account_id, synced_through=T0, backfilled_since=T0, now=T0)
        ref = account_ref(session, account_id, ("https://example.org/v/1",))
    assert (ref.platform, ref.handle, ref.url) == ("telegram", "pm", "https://t.me/pm")
    assert ref.cursor["synced_through"] == T0.isoformat()
    assert ref.extra_urls == ("https://example.org/v/1",)


def test_apply_profile_records_renames_reassignments_and_a_snapshot(db: TestDatabase) -> None:
    _sync(db, PM)
    account_id = _account_id(db)
    first = AccountProfile(platform_id="1", display_name="PM", followers=100)
    with transaction(db.engine) as session:
        apply_profile(session, account_id, first, T0, "telegram")
    assert _events(db, account_id) == []
    later = T0 + timedelta(days=1)
    second = AccountProfile(
        platform_id="2", display_name="Prime Minister", followers=120, url="https://t.me/x"
    )
    with transaction(db.engine) as session:
        apply_profile(session, account_id, second, later, "telegram")
    assert _events(db, account_id) == [
        ("handle_reassigned", {"old_id": "1", "new_id": "2"}),
        ("renamed", {"old": "PM", "new": "Prime Minister"}),
    ]
    with transaction(db.engine) as session:
        account = session.get_one(Account, account_id)
        assert (account.platform_id, account.display_name) == ("2", "Prime Minister")
        assert account.url == "https://t.me/pm"  # the configured URL is not replaced
        assert (account.first_seen_at, account.last_seen_at) == (T0, later)
        followers = session.scalars(
            select(AudienceSnapshot.followers)
            .where(AudienceSnapshot.account_id == account_id)
            .order_by(AudienceSnapshot.captured_at)
        ).all()
        assert followers == [100, 120]


def test_an_unavailable_account_gets_one_event_and_comes_back(db: TestDatabase) -> None:
    _sync(db, PM)
    account_id = _account_id(db)
    with transaction(db.engine) as session:
        assert record_unavailable(session, account_id, "private", "channel is private")
    with transaction(db.engine) as session:
        assert not record_unavailable(session, account_id, "private", "still private")
    with transaction(db.engine) as session:
        apply_profile(session, account_id, AccountProfile(display_name="PM"), T0, "telegram")
    assert _events(db, account_id) == [
        ("private", {"previous_status": "active", "message": "channel is private"}),
        ("came_back", {"previous_status": "private"}),
    ]
    with transaction(db.engine) as session:
        assert session.get_one(Account, account_id).status == "active"


def test_advance_cursor_keeps_the_first_backfill_horizon(db: TestDatabase) -> None:
    _sync(db, PM)
    account_id = _account_id(db)
    later = T0 + timedelta(days=3)
    with transaction(db.engine) as session:
        advance_cursor(
            session,
            account_id,
            synced_through=T0,
            backfilled_since=T0 - timedelta(days=30),
            now=T0,
        )
    with transaction(db.engine) as session:
        advance_cursor(session, account_id, synced_through=later, backfilled_since=later, now=later)
    with transaction(db.engine) as session:
        account = session.get_one(Account, account_id)
        assert account.cursor == {
            "synced_through": later.isoformat(),
            "backfilled_since": (T0 - timedelta(days=30)).isoformat(),
        }
        assert account.last_collected_at == later


def test_active_accounts_narrow_by_platform_actor_and_ids(db: TestDatabase) -> None:
    party = ActorSpec("Party", accounts=(AccountSpec("tiktok", "party"),))
    _sync(db, PM, party)
    pm, tiktok = _account_id(db), _account_id(db, "tiktok", "party")
    with transaction(db.engine) as session:
        everyone = active_accounts(session)
        assert everyone == [(pm, "telegram", "pm"), (tiktok, "tiktok", "party")]
        assert active_accounts(session, platform="tiktok") == [(tiktok, "tiktok", "party")]
        assert active_accounts(session, actor="PM") == [(pm, "telegram", "pm")]
        assert active_accounts(session, account_ids=[tiktok]) == [(tiktok, "tiktok", "party")]
        assert active_accounts(session, actor="PM", account_ids=[tiktok]) == []
