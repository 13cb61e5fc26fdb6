"""Collection as claimed work: an account due at `next_due_at` is leased to one collect worker.

The same lease semantics as the media queue (storage.queue): an atomic UPDATE (PostgreSQL
SKIP LOCKED) takes an account that is due and not held, or whose holder's lease expired (the
worker died); `finish` sets when it falls due again and gives the lease back. A claim may
also require that no collection of the account finished since a time: a worker whose lease ran
out after its run was stored, before it could give the lease back, is not followed by a second
collection in the same interval.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, case, exists, or_, select, update

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


def _fenced(account_ids: Sequence[int], since: Mapping[int, datetime]) -> Any:
    """Each account's `_not_collected_since` its own time (one clause per distinct time)."""
    by_since: dict[datetime, list[int]] = defaultdict(list)
    for account_id in account_ids:
        if account_id in since:
            by_since[since[account_id]].append(account_id)
    unfenced = [account_id for account_id in account_ids if account_id not in since]
    return or_(
        Account.id.in_(unfenced),
        *(and_(Account.id.in_(ids), _not_collected_since(when)) for when, ids in by_since.items()),
    )


def claim_first(
    engine: Engine,
    account_ids: Sequence[int],
    owner: str,
    *,
    lease_seconds: float,
    now: datetime | None = None,
    not_collected_since: Mapping[int, datetime] | None = None,
) -> int | None:
    """Lease the first of `account_ids` (in their order) that is due, free and (given its time
    in `not_collected_since`) not collected since; None when none of them is.

    One statement finds it, so workers walking the same list in the same order take the next
    free account each instead of failing on the one another worker just took; PostgreSQL
    locks that row alone (SKIP LOCKED), so a second worker's claim passes on to the next."""
    if not account_ids:
        return None
    now = now or utcnow()
    rank = case({account_id: n for n, account_id in enumerate(account_ids)}, value=Account.id)
    first = (
        select(Account.id)
        .where(
            Account.id.in_(list(account_ids)),
            Account.active.is_(True),
            _due(now),
            _free(now),
            _fenced(account_ids, not_collected_since or {}),
        )
        .order_by(rank)
        .limit(1)
    )
    if engine.dialect.name == "postgresql":
        first = first.with_for_update(skip_locked=True, of=Account)
    # One statement: SQLite runs it under its write lock, so no other process takes the account
    # between finding and leasing it; PostgreSQL locks the one row found (SKIP LOCKED).
    with transaction(engine) as session:
        taken = session.scalar(
            update(Account)
            .where(Account.id.in_(first.scalar_subquery()), _due(now), _free(now))
            .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_seconds))
            .returning(Account.id)
            .execution_options(synchronize_session=False)
        )
    return None if taken is None else int(taken)


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
