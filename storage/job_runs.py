"""The job_runs ledger of `polmon run`: one row per run of a scheduled job."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.models import JobRun

INTERRUPTED = "interrupted: the daemon stopped before the job finished"


def start_job_run(session: Session, job_name: str, next_run_at: datetime | None) -> int:
    """A new 'running' row for the job; its id, for finish_job_run."""
    row = JobRun(job_name=job_name, status="running", next_run_at=next_run_at)
    session.add(row)
    session.flush()
    return row.id


def finish_job_run(
    session: Session,
    run_id: int,
    *,
    status: str,
    error: str | None,
    next_run_at: datetime | None,
    now: datetime,
) -> None:
    """Record how the job run ended, and when the job runs next."""
    session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(finished_at=now, status=status, error=error, next_run_at=next_run_at)
    )


def close_interrupted_job_runs(session: Session, now: datetime, job: str | None = None) -> int:
    """Runs left 'running' by a daemon that was killed are marked failed (only `job`'s when
    given); how many."""
    conditions = [JobRun.status == "running"]
    if job is not None:
        conditions.append(JobRun.job_name == job)
    result = session.execute(
        update(JobRun)
        .where(*conditions)
        .values(status="failed", finished_at=now, error=INTERRUPTED)
    )
    return int(getattr(result, "rowcount", 0) or 0)
