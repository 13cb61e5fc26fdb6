"""The collection_runs ledger: one row per account per collection pass."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.models import Account, CollectionRun

INTERRUPTED = "interrupted: process stopped"


def close_interrupted_runs(session: Session, account_id: int, now: datetime) -> int:
    """Mark the account's runs still 'running' (their process died) as failed; how many."""
    result = session.execute(
        update(CollectionRun)
        .where(CollectionRun.account_id == account_id, CollectionRun.status == "running")
        .values(status="failed", finished_at=now, error=INTERRUPTED)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def start_run(session: Session, account_id: int, now: datetime) -> int:
    """A new 'running' row for the account; its id, for finish_run."""
    run = CollectionRun(account_id=account_id, started_at=now)
    session.add(run)
    session.flush()
    return run.id


def finish_run(
    session: Session,
    run_id: int,
    *,
    status: str,
    new: int,
    updated: int,
    deleted: int,
    error: str | None,
    now: datetime,
) -> None:
    """Record how the run ended and what it changed."""
    session.execute(
        update(CollectionRun)
        .where(CollectionRun.id == run_id)
        .values(
            finished_at=now,
            status=status,
            new_posts=new,
            updated_posts=updated,
            deleted_posts=deleted,
            error=error,
        )
    )


def last_starts(session: Session) -> dict[tuple[str, str], datetime | None]:
    """(platform, handle) of every active account -> when its latest collection run started,
    whatever its outcome (None: never collected). A run still `running` is left out: either
    a collector holds the account's lease now (the claim keeps others off), or it died and
    the account is due again once that lease expires (storage.account_claims)."""
    latest = (
        select(CollectionRun.account_id, func.max(CollectionRun.started_at).label("started"))
        .where(CollectionRun.status != "running")
        .group_by(CollectionRun.account_id)
        .subquery()
    )
    rows = session.execute(
        select(Account.platform, Account.handle, latest.c.started)
        .outerjoin(latest, latest.c.account_id == Account.id)
        .where(Account.active.is_(True))
    )
    return {(platform, handle): started for platform, handle, started in rows}
