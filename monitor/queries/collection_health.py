"""Reads for the web's status page: recent job runs, accounts failing collection, media on disk."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from storage.models import Account, Actor, CollectionRun, JobRun, Media

FAILED_RUN_STATUSES = ("failed", "partial")


class JobRunRow(TypedDict):
    job: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    error: str | None


def recent_job_runs(session: Session, limit: int = 50) -> list[JobRunRow]:
    """The latest runs of every scheduled job, newest first (index on job_runs started_at)."""
    stmt = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    return [
        JobRunRow(
            job=run.job_name,
            started_at=run.started_at,
            finished_at=run.finished_at,
            status=run.status,
            error=run.error,
        )
        for run in session.scalars(stmt)
    ]


class FailingAccount(TypedDict):
    """An account whose last collection run failed (or only partly worked), and why."""

    account_id: int
    actor: str
    platform: str
    handle: str
    account_status: str
    started_at: datetime
    status: str
    error: str | None
    failures_in_a_row: int


def failing_accounts(session: Session) -> list[FailingAccount]:
    """Active accounts whose latest collection run is failed or partial, most failures first.

    The latest run per account is a correlated subquery: one seek on collection_runs
    (account_id, started_at) per account, whatever the number of runs kept."""
    latest_run = (
        select(CollectionRun.id)
        .where(CollectionRun.account_id == Account.id)
        .order_by(CollectionRun.started_at.desc(), CollectionRun.id.desc())
        .limit(1)
        .correlate(Account)
        .scalar_subquery()
    )
    accounts = session.execute(
        select(
            Account.id,
            Actor.name,
            Account.platform,
            Account.handle,
            Account.status,
            latest_run.label("run_id"),
        )
        .join(Actor, Actor.id == Account.actor_id)
        .where(Account.active.is_(True))
    ).all()
    wanted = [row.run_id for row in accounts if row.run_id is not None]
    failed = {
        run.id: run
        for run in session.scalars(
            select(CollectionRun).where(
                CollectionRun.id.in_(wanted), CollectionRun.status.in_(FAILED_RUN_STATUSES)
            )
        )
    }
    out = []
    for account_id, actor, platform, handle, account_status, run_id in accounts:
        run = failed.get(run_id)
        if run is None:
            continue
        out.append(
            FailingAccount(
                account_id=account_id,
                actor=actor,
                platform=platform,
                handle=handle,
                account_status=account_status,
                started_at=run.started_at,
                status=run.status,
                error=run.error,
                failures_in_a_row=_failures_in_a_row(session, account_id),
            )
        )
    out.sort(key=lambda row: (-row["failures_in_a_row"], row["platform"], row["handle"]))
    return out


def _failures_in_a_row(session: Session, account_id: int, limit: int = 100) -> int:
    """How many of the account's latest runs failed in a row (at most `limit` read)."""
    statuses = session.scalars(
        select(CollectionRun.status)
        .where(CollectionRun.account_id == account_id)
        .order_by(CollectionRun.started_at.desc(), CollectionRun.id.desc())
        .limit(limit)
    )
    count = 0
    for status in statuses:
        if status not in FAILED_RUN_STATUSES:
            break
        count += 1
    return count


class MediaDisk(TypedDict):
    """Media files kept on disk: how many and their bytes (as recorded at download)."""

    files: int
    bytes: int


def media_disk(session: Session) -> MediaDisk:
    """Downloaded media still on disk (a local path), duplicates not counted twice."""
    files, size = session.execute(
        select(func.count(), func.coalesce(func.sum(Media.size_bytes), 0)).where(
            Media.local_path.is_not(None), Media.duplicate_of_id.is_(None)
        )
    ).one()
    return MediaDisk(files=int(files or 0), bytes=int(size or 0))
