"""`polmon status`: table counts, last runs, scheduled jobs, the media backlog, alert outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import click

from monitor.cli.context import app
from monitor.output import dumps, emit, format_option

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
    "skipped": "media_skipped",
    "backlog": "queue_backlog",
    "capabilities": "capability_backlog",
    "jobs": "jobs",
    "alerts": "alerts",
}


@click.command()
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
    from monitor.due import scheduled_jobs
    from monitor.queries.alerts import delivery_counts
    from monitor.queries.status import (
        backlog_report,
        capability_backlog,
        job_report,
        status_report,
    )

    if fmt == "csv" and section is None:
        raise click.UsageError(
            f"--format csv writes one table: choose it with --section ({', '.join(SECTIONS)})"
        )
    context = app(ctx)
    with context.session() as session:
        report: dict[str, Any] = {
            **status_report(session),
            "jobs": job_report(session, scheduled_jobs(context.config)),
            "queue_backlog": backlog_report(session, datetime.now(UTC)),
            "capability_backlog": capability_backlog(
                session, datetime.now(UTC), context.config.transcription
            ),
            "alerts": delivery_counts(session),
        }
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
        "skipped": lambda: emit(
            (
                {"reason": reason, "media": count}
                for reason, count in report["media_skipped"].items()
            ),
            fmt,
            columns=("reason", "media"),
            title="media skipped (not transcribed), by reason",
            empty="none",
        ),
        "backlog": lambda: emit(
            report["queue_backlog"], fmt, columns=BACKLOG_COLUMNS, title="queue backlog"
        ),
        "capabilities": lambda: emit(
            report["capability_backlog"],
            fmt,
            columns=("stage", "needs", "ready"),
            title="ready media by the capability a worker needs (`polmon worker --capability`)",
            empty="nothing ready",
        ),
        "jobs": lambda: emit(
            [_job_line(row) for row in report["jobs"]] if fmt == "table" else report["jobs"],
            fmt,
            columns=JOB_TABLE_COLUMNS if fmt == "table" else JOB_COLUMNS,
            title=f"scheduled jobs (cron in {context.config.schedule.timezone}; "
            "`polmon run` runs them)",
            empty="no [schedule.jobs] configured",
        ),
        "alerts": lambda: emit(
            ({"alerts": name, "count": count} for name, count in report["alerts"].items()),
            fmt,
            columns=("alerts", "count"),
            title="alert outbox",
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
