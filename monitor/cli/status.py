"""`polmon status`: table counts, last collection runs, scheduled jobs, the media queue backlog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

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
                "last_started": run.started_at if run else None,
                "last_status": run.status if run else "never ran",
                "last_ok": last_ok.get(name),
                "next_run": run.next_run_at if run else None,
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


JOB_COLUMNS = (
    "job",
    "task",
    "schedule",
    "enabled",
    "last_started",
    "last_status",
    "last_ok",
    "next_run",
    "error",
)
RUN_COLUMNS = ("platform", "handle", "started_at", "status", "new", "updated", "deleted", "error")
BACKLOG_COLUMNS = ("stage", "status", "ready", "retry_later", "oldest", "leased", "expired_leases")
# `--section` names, in the order the table output shows them, and the JSON key of each.
SECTIONS = {
    "tables": "tables",
    "runs": "last_runs",
    "queue": "media_queue",
    "backlog": "queue_backlog",
    "jobs": "jobs",
}


@cli.command()
@click.option(
    "--section",
    type=click.Choice(list(SECTIONS)),
    default=None,
    help="Only this part of the report (CSV needs one: a CSV file holds one table).",
)
@format_option()
@click.pass_context
def status(ctx: click.Context, section: str | None, fmt: str) -> None:
    """Show row counts, last collection runs, the media queue and the scheduled jobs."""
    if fmt == "csv" and section is None:
        raise click.UsageError(
            f"--format csv writes one table: choose it with --section ({', '.join(SECTIONS)})"
        )
    context = app(ctx)
    with context.session() as session:
        report = status_report(session)
        report["jobs"] = job_report(session, context.config)
        report["queue_backlog"] = backlog_report(session, datetime.now(UTC))
    if fmt == "json":
        click.echo(dumps(report if section is None else report[SECTIONS[section]]))
        return
    printers: dict[str, Callable[[], None]] = {
        "tables": lambda: emit(
            ({"table": name, "rows": count} for name, count in report["tables"].items()),
            fmt,
            columns=("table", "rows"),
            title="tables",
        ),
        "runs": lambda: emit(
            report["last_runs"],
            fmt,
            columns=RUN_COLUMNS,
            title="last collection run per account",
            empty="no collection yet: run `polmon collect`",
        ),
        "queue": lambda: emit(
            (
                {"status": name, "media": count}
                for name, count in sorted(report["media_queue"].items())
            ),
            fmt,
            columns=("status", "media"),
            title="media queue",
            empty="empty",
        ),
        "backlog": lambda: emit(
            report["queue_backlog"], fmt, columns=BACKLOG_COLUMNS, title="queue backlog"
        ),
        "jobs": lambda: emit(
            [_job_line(row) for row in report["jobs"]] if fmt == "table" else report["jobs"],
            fmt,
            columns=JOB_TABLE_COLUMNS if fmt == "table" else JOB_COLUMNS,
            title=f"scheduled jobs (cron in {context.config.schedule.timezone}; "
            "`polmon run` runs them)",
            empty="no [schedule.jobs] configured",
        ),
    }
    for name in [section] if section else SECTIONS:
        printers[name]()


JOB_TABLE_COLUMNS = (
    "job",
    "task",
    "schedule",
    "last run",
    "status",
    "last ok",
    "next run",
    "error",
)


def _job_line(row: dict[str, Any]) -> dict[str, Any]:
    """A narrower job row for the terminal: the schedule says when disabled, the error is cut."""
    schedule = row["schedule"] if row["enabled"] else f"{row['schedule']} (disabled)".strip()
    return {
        "job": row["job"],
        "task": row["task"],
        "schedule": schedule,
        "last run": row["last_started"],
        "status": row["last_status"],
        "last ok": row["last_ok"],
        "next run": row["next_run"],
        "error": row["error"][:60],
    }
