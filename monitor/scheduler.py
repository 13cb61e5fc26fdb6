"""`polmon run`: the APScheduler daemon running [schedule.jobs], each run kept in job_runs."""

from __future__ import annotations

import logging
import threading
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import Engine

from collectors.errors import PolmonError
from monitor import shutdown
from monitor.alerts.runner import AlertLoop
from monitor.config import PolmonConfig
from monitor.due import DUE_SHARE, scheduled_jobs
from monitor.schedule_times import last_fire_time, make_trigger
from monitor.stage_chain import StageChain
from monitor.tasks import IDLE_CHECKS, TASKS, TaskRun
from storage import digests as ledger
from storage.engine import transaction
from storage.job_locks import job_lock, lock_engine, ran_since, running_jobs, single_daemon
from storage.job_runs import close_interrupted_job_runs, finish_job_run, start_job_run

log = logging.getLogger(__name__)

# Tasks after which alerts go out at once (they write alert events).
ALERTING_TASKS = ("collect", "collect_due", "snapshots", "transcribe", "ocr")
# Tasks that claim their work row by row (accounts, media, screenshots): every daemon may run
# them at once on PostgreSQL; every other job runs in one daemon per scheduled time.
CLAIMING_TASKS = frozenset({"collect_due", "download", "transcribe", "ocr", "screenshots"})
ERROR_CHARS = 2000
MAX_THREADS = 8


def one_line(exc: BaseException) -> str:
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text[:ERROR_CHARS]


@dataclass
class Daemon:
    """Builds the scheduler from config, runs it until a stop request, records every run."""

    config: PolmonConfig
    engine: Engine

    def __post_init__(self) -> None:
        schedule = self.config.schedule
        jobs = scheduled_jobs(self.config)
        self.jobs = {name: job for name, job in jobs.items() if job.enabled}
        self.triggers = {
            name: make_trigger(job, schedule.timezone) for name, job in self.jobs.items()
        }
        self.scheduler = BackgroundScheduler(
            # Two threads a job: a fire while the job runs needs one to see that and return.
            executors={"default": ThreadPoolExecutor(2 * min(max(len(self.jobs), 1), MAX_THREADS))},
            job_defaults={
                "coalesce": True,
                # A fire while the job's last run goes on starts a second instance that sees the
                # first in `running` and returns (APScheduler itself would log a warning each
                # time: every due check during a long collection pass).
                "max_instances": 2,
                "misfire_grace_time": schedule.misfire_grace_seconds,
            },
            timezone=schedule.timezone,
        )
        # The Job objects themselves: reading their next_run_time takes no scheduler lock
        # (a job thread calling scheduler.get_job() deadlocks against shutdown()).
        self.at_start = [name for name, job in self.jobs.items() if schedule.runs_at_start(job)]
        self.alerts = AlertLoop(self.config, self.engine)
        self.lock_engine = lock_engine(self.engine)
        started = datetime.now(UTC)
        self.handles = {
            name: self.scheduler.add_job(
                self.execute,
                self.triggers[name],
                args=(name,),
                id=name,
                name=name,
                # Runs once now, then on its trigger; otherwise first when the trigger fires.
                **({"next_run_time": started} if name in self.at_start else {}),
            )
            for name in self.jobs
        }
        self.running: set[str] = set()
        self._running_lock = threading.Lock()
        self.chain: StageChain | None = None
        if schedule.chain_stages:
            by_task: dict[str, list[Any]] = {}
            for name, job in self.jobs.items():
                by_task.setdefault(job.task, []).append(self.handles[name])
            self.chain = StageChain(by_task, self.running.__contains__)

    # One run -------------------------------------------------------------------------
    def execute(self, name: str, scheduled_at: datetime | None = None, lists: Any = ()) -> None:
        """Run job `name` once; its failure is logged and recorded, never raised. A fire of
        the job's trigger while its last run in this daemon is still going is skipped (its next
        fire comes soon); a run for a given time (a missed digest caught up) waits its turn."""
        while True:
            if shutdown.stop_requested():
                return
            with self._running_lock:
                if name not in self.running:
                    self.running.add(name)
                    break
            if scheduled_at is None:
                log.debug("job %s skipped: its last run is still going", name)
                return
            shutdown.wait(0.5)
        try:
            self._execute_once(name, scheduled_at, lists)
        finally:
            self.running.discard(name)

    def _execute_once(self, name: str, scheduled_at: datetime | None, lists: Any) -> None:
        job = self.jobs[name]
        now = datetime.now(UTC)
        scheduled_at = scheduled_at or last_fire_time(self.triggers[name], now) or now
        task_run = TaskRun(
            name, job, self.config, self.engine, scheduled_at, tuple(lists), self.alerts.wake
        )
        if self._idle(task_run):
            return
        exclusive = job.task not in CLAIMING_TASKS
        with job_lock(self.lock_engine, name, exclusive=exclusive) as held:
            if not held:
                log.info("job %s skipped: another daemon is running it", name)
                return
            if exclusive and self._ran_elsewhere(name, scheduled_at, now):
                log.info("job %s skipped: another daemon ran it for %s", name, scheduled_at)
                return
            self._execute(name, task_run)

    def _ran_elsewhere(self, name: str, scheduled_at: datetime, now: datetime) -> bool:
        """PostgreSQL (daemons side by side): a run of this job already started for this
        cron time, or within 0.9 of its interval; False on SQLite (one daemon per file)."""
        if self.engine.dialect.name != "postgresql":
            return False
        job = self.jobs[name]
        since = scheduled_at
        if job.interval_minutes is not None and not job.cron:
            since = now - timedelta(minutes=job.interval_minutes) * DUE_SHARE
        try:
            with transaction(self.engine) as session:
                return ran_since(session, name, since)
        except Exception as exc:  # the database may be down: the job itself then reports it
            log.debug("job %s: cannot read job_runs: %s", name, one_line(exc))
            return False

    def _execute(self, name: str, task_run: TaskRun) -> None:
        job = self.jobs[name]
        run_id = self._record_start(name)
        log.info("job %s (%s) started", name, job.task)
        status, error = "ok", None
        try:
            outcome = TASKS[job.task](task_run)
        except Exception as exc:
            status, error = "failed", one_line(exc)
            if isinstance(exc, PolmonError) and exc.expected:
                log.error("job %s failed: %s", name, error)
            else:
                log.error("job %s failed: %s\n%s", name, error, traceback.format_exc().rstrip())
        else:
            if outcome.problem:
                status, error = "partial", outcome.problem
                log.warning("job %s finished with failures: %s (%s)", name, outcome.summary, error)
            else:
                log.info("job %s finished: %s", name, outcome.summary)
            if self.chain is not None:
                self.chain.follow(outcome.follow_up, name)
        self._record_finish(run_id, status, error, self.next_run_time(name))
        if job.task in ALERTING_TASKS:
            self.alerts.wake()

    def _idle(self, run: TaskRun) -> bool:
        """The task has nothing to do (IDLE_CHECKS); when the check fails, the run goes on."""
        check = IDLE_CHECKS.get(run.job.task)
        try:
            return check is not None and check(run)
        except Exception as exc:  # the run itself then fails and is recorded
            log.debug("job %s: idle check failed: %s", run.name, one_line(exc))
            return False

    def next_run_time(self, name: str) -> datetime | None:
        next_run: datetime | None = getattr(self.handles[name], "next_run_time", None)
        return next_run.astimezone(UTC) if next_run else None

    def _record_start(self, name: str) -> int | None:
        try:
            with transaction(self.engine) as session:
                return start_job_run(session, name, self.next_run_time(name))
        except Exception as exc:  # the database may be down: the job still runs
            log.error("cannot record the start of job %s: %s", name, one_line(exc))
            return None

    def _record_finish(
        self, run_id: int | None, status: str, error: str | None, next_run: datetime | None
    ) -> None:
        if run_id is None:
            return
        try:
            with transaction(self.engine) as session:
                finish_job_run(
                    session,
                    run_id,
                    status=status,
                    error=error,
                    next_run_at=next_run,
                    now=datetime.now(UTC),
                )
        except Exception as exc:
            log.error("cannot record the end of job run %s: %s", run_id, one_line(exc))

    # Start-up ------------------------------------------------------------------------
    def close_interrupted_runs(self) -> int:
        """Runs left 'running' by a daemon that was killed are marked failed; on PostgreSQL
        only those of jobs no other daemon is running now (their lock is free)."""
        if self.engine.dialect.name != "postgresql":
            with transaction(self.engine) as session:
                return close_interrupted_job_runs(session, datetime.now(UTC))
        with transaction(self.engine) as session:
            names = running_jobs(session)
        closed = 0
        for name in names:
            with job_lock(self.lock_engine, name) as free:
                if free:
                    with transaction(self.engine) as session:
                        closed += close_interrupted_job_runs(session, datetime.now(UTC), name)
        return closed

    def missed_digests(self, now: datetime) -> list[tuple[str, datetime, list[str]]]:
        """(job, scheduled time, lists) of cron digests that fell due while the daemon was down.

        Only lists that had a digest before are caught up, so a new install does not mail
        yesterday's digest on its first start.
        """
        if not self.config.digest.enabled:
            return []
        missed = []
        for name, job in self.jobs.items():
            trigger = self.triggers[name]
            if job.task != "digest" or not isinstance(trigger, CronTrigger):
                continue
            due = last_fire_time(trigger, now)
            if due is None:
                continue
            names = job.lists or [item.name for item in self.config.digest.lists]
            seen = ledger.lists_with_history(self.engine, names)
            done = ledger.sent_lists(self.engine, names, due)
            todo = [item for item in names if item in seen and item not in done]
            if todo:
                missed.append((name, due, todo))
        return missed

    def start(self) -> None:
        interrupted = self.close_interrupted_runs()
        if interrupted:
            log.warning("marked %d job runs interrupted by the last stop as failed", interrupted)
        now = datetime.now(UTC)
        for name, due, lists in self.missed_digests(now):
            log.info("catching up digest job %s due %s for %s", name, due, ", ".join(lists))
            self.scheduler.add_job(
                self.execute,
                DateTrigger(now),
                args=(name, due, lists),
                id=f"{name}:catch-up",
                misfire_grace_time=None,
            )
        if self.chain is not None:
            self.chain.start()
        self.scheduler.start()
        self.alerts.start()
        for name in self.jobs:
            log.info(
                "job %s (%s) next run %s%s",
                name,
                self.jobs[name].task,
                self.next_run_time(name),
                " (once at start)" if name in self.at_start else "",
            )
        if not self.jobs:
            log.warning("no enabled jobs in [schedule.jobs]: nothing to run")

    def stop(self) -> None:
        """Stop starting jobs, let running ones finish (they poll the stop event), return."""
        shutdown.request_stop("daemon stopping")
        if self.chain is not None:
            self.chain.stop()
        self.scheduler.shutdown(wait=True)
        self.alerts.stop()
        if self.lock_engine is not self.engine:
            self.lock_engine.dispose()
        self.engine.dispose()


def run_daemon(config: PolmonConfig, engine: Engine) -> None:
    """Run the scheduled jobs until SIGTERM or SIGINT, then stop cleanly."""
    shutdown.reset()
    with single_daemon(engine):
        _run(config, engine)


def _run(config: PolmonConfig, engine: Engine) -> None:
    daemon = Daemon(config, engine)
    with shutdown.signals_request_stop() as stop:
        daemon.start()
        log.info(
            "polmon run: %d jobs scheduled (time zone %s)",
            len(daemon.jobs),
            config.schedule.timezone,
        )
        while not stop.wait(1.0):
            pass
        log.info("stopping: waiting for running jobs to finish (%s)", shutdown.stop_reason())
        daemon.stop()
    log.info("polmon run stopped cleanly")
