"""Stored accounts with their actor, status and when they were last collected."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.queries.scope import scoped
from storage.models import Account, Actor

ACCOUNT_COLUMNS = (
    "actor",
    "platform",
    "handle",
    "display_name",
    "platform_id",
    "status",
    "active",
    "last_collected_at",
)


class AccountListing(TypedDict):
    """One account (keys: `ACCOUNT_COLUMNS`); `active` is False once no longer configured."""

    actor: str
    platform: str
    handle: str
    display_name: str | None
    platform_id: str | None
    status: str
    active: bool
    last_collected_at: datetime | None


def list_accounts(
    session: Session,
    *,
    include_inactive: bool = False,
    actor: str | None = None,
    platform: str | None = None,
) -> list[AccountListing]:
    """Accounts by actor, platform and handle: the configured (active) ones, or all with
    `include_inactive`; `actor` is the stored name."""
    query = (
        select(Account, Actor.name)
        .join(Actor, Account.actor_id == Actor.id)
        .order_by(Actor.name, Account.platform, Account.handle)
    )
    query = scoped(query, actor=actor, platform=platform)
    if not include_inactive:
        query = query.where(Account.active.is_(True))
    return [
        AccountListing(
            actor=actor_name,
            platform=account.platform,
            handle=account.handle,
            display_name=account.display_name,
            platform_id=account.platform_id,
            status=account.status,
            active=account.active,
            last_collected_at=account.last_collected_at,
        )
        for account, actor_name in session.execute(query)
    ]
