"""When scheduled jobs fire: [schedule.jobs] triggers, their last fire time, a digest's end."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import JobConfig, PolmonConfig

WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# How far back to look for the last scheduled time of a cron job (weekly jobs included).
CRON_LOOKBACK = timedelta(days=8)


def cron_weekdays(field: str) -> str:
    """A crontab weekday field (0 or 7 = Sunday) in APScheduler 3's names (its 0 is Monday)."""

    def day(number: int) -> int:
        return number % 7

    days: list[int] = []
    for part in field.split(","):
        if not re.search(r"\d", part) or re.fullmatch(r"[a-zA-Z]+(-[a-zA-Z]+)?", part):
            return field  # names or '*' are understood as they are
        spec, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if spec == "*":
            first, last = 0, 6
        elif "-" in spec:
            low, high = spec.split("-", 1)
            first, last = int(low), int(high)
        else:
            first = last = int(spec)
            if step_text:
                last = 6
        days.extend(day(value) for value in range(first, last + 1, step))
    return ",".join(WEEKDAYS[value] for value in sorted(set(days)))


def make_trigger(job: JobConfig, zone: str) -> BaseTrigger:
    if job.interval_minutes is not None:
        return IntervalTrigger(minutes=job.interval_minutes, timezone=zone)
    assert job.cron is not None
    minute, hour, day, month, weekday = job.cron.split()
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=cron_weekdays(weekday),
        timezone=zone,
    )


def last_fire_time(
    trigger: BaseTrigger, now: datetime, lookback: timedelta = CRON_LOOKBACK
) -> datetime | None:
    """The latest time at or before `now` at which `trigger` fires (the run's period end); a
    cron trigger's is looked for over `lookback` before `now`."""
    if isinstance(trigger, IntervalTrigger):
        start: datetime = trigger.start_date
        if now < start:
            return None
        steps = (now - start) // trigger.interval
        return (start + steps * trigger.interval).astimezone(UTC)
    fire = trigger.get_next_fire_time(None, now - lookback)
    last = None
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return last.astimezone(UTC) if last else None


# Windows searched, shortest first, for a digest job's last time: a cron firing every few
# minutes is found in the first (few steps), a monthly one in the last.
DIGEST_LOOKBACKS = (timedelta(hours=2), CRON_LOOKBACK, timedelta(days=400))


def _interval_end(minutes: float, zone: str, now: datetime) -> datetime:
    """The last multiple of `minutes` since midnight (in `zone`) at or before `now`."""
    local = now.astimezone(ZoneInfo(zone))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    step = timedelta(minutes=minutes)
    return (midnight + ((local - midnight) // step) * step).astimezone(UTC)


def last_digest_time(config: PolmonConfig, list_name: str, now: datetime) -> datetime | None:
    """The latest time at or before `now` that an enabled digest job serving `list_name` (its
    `lists` name it, or are empty) fired: a cron job's last time in [schedule] timezone; an
    interval job's last multiple of its interval since that day's midnight. None: no job."""
    zone = config.schedule.timezone
    found = []
    for job in config.schedule.jobs.values():
        if job.task != "digest" or not job.enabled or (job.lists and list_name not in job.lists):
            continue
        if job.interval_minutes is not None:
            found.append(_interval_end(job.interval_minutes, zone, now))
            continue
        trigger = make_trigger(job, zone)
        for lookback in DIGEST_LOOKBACKS:
            fired = last_fire_time(trigger, now, lookback)
            if fired is not None:
                found.append(fired)
                break
    return max(found) if found else None


def digest_period_end(config: PolmonConfig, list_name: str, now: datetime) -> datetime:
    """Where a digest period asked for at `now` ends by default: the list's last scheduled
    time (`last_digest_time`), else the start of the hour (in [schedule] timezone), so sends
    a minute apart cover the same period."""
    scheduled = last_digest_time(config, list_name, now)
    if scheduled is not None:
        return scheduled
    local = now.astimezone(ZoneInfo(config.schedule.timezone))
    return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
