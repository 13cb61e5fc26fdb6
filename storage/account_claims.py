"""Collection as claimed work: an account due at `next_due_at` is leased to one collect worker.

The same lease semantics as the media queue (storage.queue): an atomic UPDATE (PostgreSQL
SKIP LOCKED) takes an account that is due and not held, or whose holder's lease expired (the
worker died); `finish` sets when it falls due again and gives the lease back. A claim may
also require that no collection of the account finished since a time: a worker whose lease ran
out after its run was stored, before it could give the lease back, is not followed by a second
collection in the same interval.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, exists, or_, select, update

from storage.engine import transaction
from storage.heartbeat import Heartbeat
from storage.models import Account, CollectionRun
from storage.types import utcnow


def _free(now: datetime) -> Any:
    return or_(Account.lease_expires_at.is_(None), Account.lease_expires_at < now)


def _due(now: datetime) -> Any:
    return or_(Account.next_due_at.is_(None), Account.next_due_at <= now)


def _not_collected_since(since: datetime) -> Any:
    """No collection run of the account that started at `since` or later has finished."""
    return ~exists().where(
        CollectionRun.account_id == Account.id,
        CollectionRun.started_at >= since,
        CollectionRun.status != "running",
    )


def claim_accounts(
    engine: Engine,
    account_ids: Collection[int],
    owner: str,
    *,
    lease_seconds: float,
    limit: int = 1,
    now: datetime | None = None,
    not_collected_since: datetime | None = None,
) -> list[int]:
    """Lease up to `limit` of `account_ids` (in their given order) that are due and free
    (and, given `not_collected_since`, have no collection finished since then)."""
    now = now or utcnow()
    order = {account_id: rank for rank, account_id in enumerate(account_ids)}
    if not order:
        return []
    fence = () if not_collected_since is None else (_not_collected_since(not_collected_since),)
    with transaction(engine) as session:
        candidates = select(Account.id).where(
            Account.id.in_(list(order)), Account.active.is_(True), _due(now), _free(now), *fence
        )
        if engine.dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        free = sorted(session.scalars(candidates), key=order.__getitem__)[:limit]
        if not free:
            return []
        result = session.execute(
            update(Account)
            .where(Account.id.in_(free), _due(now), _free(now))
            .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_seconds))
            .returning(Account.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(result.scalars(), key=order.__getitem__)


def _held(account_id: int, owner: str) -> Any:
    return and_(Account.id == account_id, Account.lease_owner == owner)


def renew_account(engine: Engine, account_id: int, owner: str, lease_seconds: float) -> bool:
    """Extend a lease still held; False when it was lost."""
    with transaction(engine) as session:
        result = session.execute(
            update(Account)
            .where(_held(account_id, owner))
            .values(lease_expires_at=utcnow() + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


class AccountHeartbeat(Heartbeat):
    """Renews an account's collect lease while its collection runs."""

    def __init__(self, engine: Engine, account_id: int, owner: str, lease_seconds: float):
        super().__init__(engine, None, account_id, owner, interval=lease_seconds / 3)
        self.lease_seconds = lease_seconds

    def renew(self) -> bool:
        return renew_account(self.engine, self.media_id, self.owner, self.lease_seconds)


def finish_account(
    engine: Engine, account_id: int, owner: str, next_due_at: datetime | None = None
) -> bool:
    """Give the lease back; the account falls due again at `next_due_at` (None: unchanged,
    e.g. a stop before the collection began). False when the lease had been lost."""
    due = {} if next_due_at is None else {"next_due_at": next_due_at}
    with transaction(engine) as session:
        result = session.execute(
            update(Account)
            .where(_held(account_id, owner))
            .values(lease_owner=None, lease_expires_at=None, **due)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
