"""`polmon run`: run the scheduled jobs as a daemon until SIGTERM/SIGINT."""

from __future__ import annotations

import click

from monitor.cli.context import app
from monitor.output import emit, format_option


@click.command("run")
@click.option("--dry-run", is_flag=True, help="List the jobs and their next run times, then exit.")
@format_option()
@click.pass_context
def run_command(ctx: click.Context, dry_run: bool, fmt: str) -> None:
    """Run the [schedule.jobs] (collect, snapshots, download, transcribe, rescan, digest).

    Interval jobs run once at start, then every interval (`run_at_start` in [schedule] or
    per job). Each run is recorded in job_runs (see `polmon status`); a failing job is logged
    and retried at its next time. SIGTERM or Ctrl-C lets running jobs finish, then exits 0.
    """
    from monitor.due import scheduled_jobs
    from monitor.scheduler import Daemon, run_daemon

    context = app(ctx)
    config = context.config
    if dry_run:
        daemon = Daemon(config, context.engine)
        daemon.scheduler.start(paused=True)
        rows = [
            {
                "job": name,
                "task": job.task,
                "schedule": job.cron or f"every {job.interval_minutes:g} min",
                "platform": job.platform,
                "limit": job.limit,
                "runs_at_start": name in daemon.at_start,
                "next_run": daemon.next_run_time(name),
            }
            for name, job in daemon.jobs.items()
        ]
        daemon.scheduler.shutdown(wait=False)
        emit(
            rows,
            fmt,
            columns=("job", "task", "schedule", "platform", "limit", "runs_at_start", "next_run"),
            title=f"jobs (cron in {config.schedule.timezone})",
            empty="no enabled jobs",
        )
        return
    if not any(job.enabled for job in scheduled_jobs(config).values()):
        raise click.ClickException(
            "no enabled jobs in [schedule.jobs]: nothing to run (see config.example.toml)"
        )
    run_daemon(config, context.engine)  # a second daemon on a SQLite file: DaemonAlreadyRunning
