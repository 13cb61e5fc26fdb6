"""What happened to accounts: renames, deletions, going private, coming back, reassigned handles."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.queries.scope import scoped
from storage.models import Account, AccountEvent, Actor

EVENT_COLUMNS = ("detected_at", "actor", "platform", "account", "kind", "detail")
# What each account_events kind means, for readers of `polmon events`.
EVENT_KINDS = {
    "renamed": "the display name changed, or the username (a channel followed by its id)",
    "handle_reassigned": "the handle now belongs to another platform id",
    "deleted": "the platform says the account was deleted",
    "private": "the account became private",
    "unavailable": "the account could not be read (deleted, renamed or private)",
    "came_back": "an ended account is readable again",
}


class EventRow(TypedDict):
    """One account event (keys: `EVENT_COLUMNS`; `kind` one of `EVENT_KINDS`)."""

    detected_at: datetime
    actor: str
    platform: str
    account: str
    kind: str
    detail: dict[str, Any] | None


def list_events(
    session: Session,
    *,
    account_ids: Collection[int] | None = None,
    actor: str | None = None,
    platform: str | None = None,
    kinds: Collection[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 100,
) -> list[EventRow]:
    """Account events detected in `since <= t < until`, newest first; `actor` is the stored
    name, `kinds` None or empty means every kind, `limit=None` lists all."""
    query = (
        select(AccountEvent, Account.platform, Account.handle, Actor.name)
        .join(Account, AccountEvent.account_id == Account.id)
        .join(Actor, Account.actor_id == Actor.id)
        .order_by(AccountEvent.detected_at.desc(), AccountEvent.id.desc())
        .limit(limit)
    )
    query = scoped(
        query,
        time=AccountEvent.detected_at,
        actor=actor,
        account_ids=account_ids,
        platform=platform,
        since=since,
        until=until,
    )
    if kinds:
        query = query.where(AccountEvent.kind.in_(kinds))
    return [
        EventRow(
            detected_at=event.detected_at,
            actor=actor_name,
            platform=event_platform,
            account=handle,
            kind=event.kind,
            detail=event.detail,
        )
        for event, event_platform, handle, actor_name in session.execute(query)
    ]
