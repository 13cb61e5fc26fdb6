"""Per-account collection intervals: each account's interval, which accounts are due, the job."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from monitor.config import PolmonConfig
from monitor.config_sections import DUE_JOB, JobConfig
from storage.engine import transaction
from storage.runs import last_starts

# An account is due once this share of its interval has passed since its last collection
# started: a check on the same period is then never a round late because the collection it
# started began a few seconds after the check itself.
DUE_SHARE = 0.9

AccountKey = tuple[str, str]  # (platform, handle) as the accounts table keys them


def account_intervals(
    config: PolmonConfig, platform: str | None = None
) -> dict[AccountKey, timedelta]:
    """The enabled accounts with an interval (their own, else their actor's), by key."""
    intervals: dict[AccountKey, timedelta] = {}
    for actor in config.actors:
        for account in actor.accounts:
            minutes = account.interval_minutes or actor.interval_minutes
            if minutes and account.enabled and platform in (None, account.platform):
                intervals[(account.platform, account.key)] = timedelta(minutes=minutes)
    return intervals


def scheduled_jobs(config: PolmonConfig) -> dict[str, JobConfig]:
    """[schedule.jobs], plus the collect-due job when an account has an interval and no job
    has task = "collect_due" (it checks every [schedule] due_check_seconds)."""
    jobs = dict(config.schedule.jobs)
    if account_intervals(config) and not any(j.task == "collect_due" for j in jobs.values()):
        minutes = config.schedule.due_check_seconds / 60
        jobs[DUE_JOB] = JobConfig(task="collect_due", interval_minutes=minutes)
    return jobs


def due_keys(
    intervals: dict[AccountKey, timedelta],
    starts: dict[AccountKey, datetime | None],
    now: datetime,
) -> list[AccountKey]:
    """The accounts whose interval is up at `now`, the longest waiting first: never collected
    (or not yet synced into the database) first, then by when they fell due."""
    due: list[tuple[datetime | None, AccountKey]] = []
    for key, interval in intervals.items():
        started = starts.get(key)
        ready = None if started is None else started + interval * DUE_SHARE
        if ready is None or ready <= now:
            due.append((ready, key))
    due.sort(key=lambda item: (item[0] is not None, item[0] or now, item[1]))
    return [key for _, key in due]


def find_due(
    config: PolmonConfig, engine: Engine, now: datetime, platform: str | None = None
) -> list[AccountKey]:
    """The configured accounts due for collection at `now` (see due_keys)."""
    intervals = account_intervals(config, platform)
    if not intervals:
        return []
    with transaction(engine) as session:
        starts = last_starts(session)
    return due_keys(intervals, starts, now)
