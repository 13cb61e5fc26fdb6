"""`polmon status`: table counts, last collection runs, scheduled jobs, the media queue backlog."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import click
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from monitor.cli import cli
from monitor.cli.context import app
from monitor.config import PolmonConfig
from monitor.output import dumps, emit, format_option
from storage.models import Account, Base, CollectionRun, JobRun, Media

# Queue statuses a worker picks up, and the ones a worker holds under a lease.
READY_STATUSES = {"pending": "download", "downloaded": "transcribe"}
LEASED_STATUSES = ("downloading", "transcribing")


def status_report(session: Session) -> dict[str, Any]:
    counts = {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }
    latest = (
        select(CollectionRun.account_id, func.max(CollectionRun.id).label("run_id"))
        .group_by(CollectionRun.account_id)
        .subquery()
    )
    runs = session.execute(
        select(Account.platform, Account.handle, CollectionRun)
        .join(latest, latest.c.account_id == Account.id)
        .join(CollectionRun, CollectionRun.id == latest.c.run_id)
        .order_by(Account.platform, Account.handle)
    )
    last_runs = [
        {
            "platform": platform,
            "handle": handle,
            "started_at": run.started_at,
            "status": run.status,
            "new": run.new_posts,
            "updated": run.updated_posts,
            "deleted": run.deleted_posts,
            "error": run.error,
        }
        for platform, handle, run in runs
    ]
    queue = dict(session.execute(select(Media.status, func.count()).group_by(Media.status)).all())
    return {"tables": counts, "last_runs": last_runs, "media_queue": queue}


def job_report(session: Session, config: PolmonConfig) -> list[dict[str, Any]]:
    """Each configured job (and any other that ran) with its last run and next run time."""
    latest = (
        select(JobRun.job_name, func.max(JobRun.id).label("run_id"))
        .group_by(JobRun.job_name)
        .subquery()
    )
    last = {
        run.job_name: run
        for run in session.scalars(select(JobRun).join(latest, latest.c.run_id == JobRun.id))
    }
    last_ok = dict(
        session.execute(
            select(JobRun.job_name, func.max(JobRun.finished_at))
            .where(JobRun.status == "ok")
            .group_by(JobRun.job_name)
        ).all()
    )
    zone = ZoneInfo(config.schedule.timezone)
    local = lambda value: value.astimezone(zone) if value else None  # noqa: E731
    rows = []
    for name in [*config.schedule.jobs, *sorted(set(last) - set(config.schedule.jobs))]:
        job = config.schedule.jobs.get(name)
        run = last.get(name)
        rows.append(
            {
                "job": name,
                "task": job.task if job else "(not configured)",
                "schedule": (job.cron or f"every {job.interval_minutes:g} min") if job else "",
                "enabled": job.enabled if job else False,
                "last_started": local(run.started_at) if run else None,
                "last_status": run.status if run else "never ran",
                "last_ok": local(last_ok.get(name)),
                "next_run": local(run.next_run_at) if run else None,
                "error": (run.error or "")[:120] if run else "",
            }
        )
    return rows


def backlog_report(session: Session, now: datetime) -> list[dict[str, Any]]:
    """Work waiting in the media queue: ready now, waiting to retry, leased, stale leases."""
    rows = []
    for status, stage in READY_STATUSES.items():
        due = or_(Media.next_attempt_at.is_(None), Media.next_attempt_at <= now)
        ready, waiting, oldest = session.execute(
            select(
                func.count().filter(due),
                func.count().filter(~due),
                func.min(Media.created_at),
            ).where(Media.status == status)
        ).one()
        rows.append(
            {
                "stage": stage,
                "status": status,
                "ready": ready,
                "retry_later": waiting,
                "oldest": oldest,
            }
        )
    for status in LEASED_STATUSES:
        expired = and_(Media.lease_expires_at.is_not(None), Media.lease_expires_at < now)
        held, stale = session.execute(
            select(func.count().filter(~expired), func.count().filter(expired)).where(
                Media.status == status
            )
        ).one()
        rows.append({"stage": status, "status": status, "leased": held, "expired_leases": stale})
    return rows


@cli.command()
@format_option()
@click.pass_context
def status(ctx: click.Context, fmt: str) -> None:
    """Show row counts, last collection runs, the media queue and the scheduled jobs."""
    context = app(ctx)
    with context.session() as session:
        report = status_report(session)
        report["jobs"] = job_report(session, context.config)
        report["queue_backlog"] = backlog_report(session, datetime.now(UTC))
    if fmt == "json":
        click.echo(dumps(report))
        return
    emit(
        ({"table": name, "rows": count} for name, count in report["tables"].items()),
        fmt,
        title="tables",
    )
    emit(
        report["last_runs"],
        fmt,
        title="last collection run per account",
        empty="no collection yet: run `polmon collect`",
    )
    emit(
        ({"status": name, "media": count} for name, count in sorted(report["media_queue"].items())),
        fmt,
        title="media queue",
        empty="empty",
    )
    emit(
        report["queue_backlog"],
        fmt,
        columns=("stage", "status", "ready", "retry_later", "oldest", "leased", "expired_leases"),
        title="queue backlog",
    )
    jobs = report["jobs"]
    if fmt == "table":
        jobs = [_job_line(row) for row in jobs]
    emit(
        jobs,
        fmt,
        title=f"scheduled jobs ({context.config.schedule.timezone}; `polmon run` runs them)",
        empty="no [schedule.jobs] configured",
    )


def _job_line(row: dict[str, Any]) -> dict[str, Any]:
    """A narrower job row for the terminal: short times, the error cut to one glance."""
    short = lambda value: value.strftime("%m-%d %H:%M") if value else ""  # noqa: E731
    schedule = row["schedule"] if row["enabled"] else f"{row['schedule']} (disabled)".strip()
    return {
        "job": row["job"],
        "task": row["task"],
        "schedule": schedule,
        "last run": short(row["last_started"]),
        "status": row["last_status"],
        "last ok": short(row["last_ok"]),
        "next run": short(row["next_run"]),
        "error": row["error"][:60],
    }
