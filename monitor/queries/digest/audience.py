"""The digest audience section's reads: the accounts in scope and their follower counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.digest.data import Scope
from monitor.queries.digest.content import in_scope
from storage.models import Account, Actor, AudienceSnapshot


class AudienceAccount(NamedTuple):
    id: int
    actor: str
    platform: str
    handle: str
    status: str


def active_accounts(session: Session, scope: Scope) -> list[AudienceAccount]:
    """The active accounts of the scope's actors, by actor, platform and handle."""
    stmt = in_scope(
        select(Account.id, Actor.name, Account.platform, Account.handle, Account.status)
        .join(Actor, Account.actor_id == Actor.id)
        .where(Account.active.is_(True))
        .order_by(Actor.name, Account.platform, Account.handle),
        scope,
    )
    return [AudienceAccount(*row) for row in session.execute(stmt)]


def follower_series(
    session: Session, account_ids: Collection[int], since: datetime, end: datetime
) -> dict[int, list[tuple[datetime, int]]]:
    """Per account, its known follower counts captured in `[since, end]`, oldest first."""
    series: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    rows = session.execute(
        select(
            AudienceSnapshot.account_id, AudienceSnapshot.captured_at, AudienceSnapshot.followers
        )
        .where(
            AudienceSnapshot.account_id.in_(account_ids),
            AudienceSnapshot.captured_at >= since,
            AudienceSnapshot.captured_at <= end,
            AudienceSnapshot.followers.is_not(None),
        )
        .order_by(AudienceSnapshot.account_id, AudienceSnapshot.captured_at)
    )
    for account_id, captured_at, followers in rows:
        if followers is not None:
            series[account_id].append((captured_at, followers))
    return series


def latest_followers_before(
    session: Session, account_id: int, end: datetime
) -> tuple[datetime | None, int | None]:
    """An account's last known follower count captured at or before `end`, and when."""
    row = session.execute(
        select(AudienceSnapshot.captured_at, AudienceSnapshot.followers)
        .where(
            AudienceSnapshot.account_id == account_id,
            AudienceSnapshot.captured_at <= end,
            AudienceSnapshot.followers.is_not(None),
        )
        .order_by(AudienceSnapshot.captured_at.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (None, None)
