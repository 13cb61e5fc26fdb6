"""storage.accounts on SQLite and PostgreSQL: a followed rename keeps the configured handle, and
the config naming the new username gives the same account (and its history) that handle."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage.accounts import (
    AccountSpec,
    ActorSpec,
    account_ref,
    record_rename,
    record_unavailable,
    sync_accounts,
)
from storage.engine import transaction
from storage.models import Account, AccountEvent
from tests.conftest import TestDatabase

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def actor(*handles: str) -> ActorSpec:
    return ActorSpec("PM", accounts=tuple(AccountSpec("telegram", h) for h in handles))


def handles(db: TestDatabase) -> dict[str, tuple[int, bool]]:
    with transaction(db.engine) as session:
        return {a.handle: (a.id, a.active) for a in session.scalars(select(Account))}


def test_a_rename_is_recorded_and_the_config_takes_it_up(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        sync_accounts(session, [actor("pm")], T0)
    [(account_id, _)] = handles(db).values()
    with transaction(db.engine) as session:
        record_rename(session, account_id, "pm", "PM_Office", "https://t.me/PM_Office")
    with transaction(db.engine) as session:
        ref = account_ref(session, account_id)
        events = [(e.kind, e.detail) for e in session.scalars(select(AccountEvent))]
    assert (ref.handle, ref.url, ref.cursor["username"]) == (
        "pm",
        "https://t.me/PM_Office",
        "PM_Office",
    )
    assert events == [("renamed", {"old_username": "pm", "new_username": "PM_Office"})]

    # the config still naming the old username: nothing changes
    with transaction(db.engine) as session:
        result = sync_accounts(session, [actor("pm")], T0)
    assert (result.accounts_added, result.accounts_updated) == (0, 0)
    assert handles(db) == {"pm": (account_id, True)}

    # the config now names the new one: the same row takes it, nothing added or deactivated
    with transaction(db.engine) as session:
        result = sync_accounts(session, [actor("pm_office")], T0)
    assert (result.accounts_added, result.accounts_updated, result.accounts_deactivated) == (
        0,
        1,
        0,
    )
    assert handles(db) == {"pm_office": (account_id, True)}


def test_an_old_username_still_configured_keeps_its_account(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        sync_accounts(session, [actor("pm")], T0)
    [(account_id, _)] = handles(db).values()
    with transaction(db.engine) as session:
        record_rename(session, account_id, "pm", "pm_office", None)
    # both names configured: the old name keeps the followed account, the new one is new
    with transaction(db.engine) as session:
        result = sync_accounts(session, [actor("pm", "pm_office")], T0)
    assert result.accounts_added == 1
    assert handles(db)["pm"] == (account_id, True)


def test_a_reassigned_handle_is_its_own_event(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        sync_accounts(session, [actor("pm")], T0)
    [(account_id, _)] = handles(db).values()
    with transaction(db.engine) as session:
        assert record_unavailable(
            session,
            account_id,
            "unavailable",
            "@pm now belongs to another channel",
            kind="handle_reassigned",
            detail={"old_id": "1", "new_id": "2"},
        )
    with transaction(db.engine) as session:
        [event] = session.scalars(select(AccountEvent))
        assert session.get_one(Account, account_id).status == "unavailable"
        assert event.kind == "handle_reassigned"
        assert event.detail == {
            "previous_status": "active",
            "message": "@pm now belongs to another channel",
            "old_id": "1",
            "new_id": "2",
        }
