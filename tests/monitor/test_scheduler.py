"""The scheduler's pieces in-process: triggers in the configured zone, job_runs records, digest
catch-up after downtime, keyword-change detection, and `polmon status` / `polmon run --dry-run`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from monitor.config import JobConfig
from monitor.schedule_times import cron_weekdays, last_fire_time, make_trigger
from monitor.scheduler import Daemon
from monitor.tasks import TaskRun, keyword_hashes, rescan, stored_keyword_hashes
from storage.engine import transaction
from storage.models import Digest, JobRun
from tests.conftest import TestDatabase, invoke
from tests.support import factories
from tests.support.config import make_config, write_config
from tests.support.digest_data import CONFIG_BODY, populate
from tests.support.smtp_server import smtp_server

ZONE = "Asia/Phnom_Penh"


def job(**fields: object) -> JobConfig:
    return JobConfig.model_validate({"task": "digest", **fields})


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("*", "*"),
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0,6", "sun,sat"),
        ("*/3", "sun,wed,sat"),
        ("mon-fri", "mon-fri"),
    ],
)
def test_crontab_weekdays_count_from_sunday(field: str, expected: str) -> None:
    assert cron_weekdays(field) == expected


def test_cron_fires_at_local_time_on_crontab_weekdays() -> None:
    trigger = make_trigger(job(cron="0 7 * * 0"), ZONE)  # Sundays 07:00 in Phnom Penh
    after = datetime(2024, 5, 1, tzinfo=UTC)  # a Wednesday
    fire = trigger.get_next_fire_time(None, after)
    assert fire is not None
    assert fire.astimezone(UTC) == datetime(2024, 5, 5, 0, 0, tzinfo=UTC)  # 07:00 +07:00
    assert fire.strftime("%A") == "Sunday"


def test_last_fire_time_is_the_period_end() -> None:
    daily = make_trigger(job(cron="0 7 * * *"), ZONE)
    now = datetime(2024, 5, 2, 0, 5, 30, tzinfo=UTC)  # 07:05:30 local
    assert last_fire_time(daily, now) == datetime(2024, 5, 2, 0, 0, tzinfo=UTC)
    assert last_fire_time(daily, datetime(2024, 5, 1, 23, 59, tzinfo=UTC)) == datetime(
        2024, 5, 1, 0, 0, tzinfo=UTC
    )
    every = IntervalTrigger(minutes=10, start_date=datetime(2024, 5, 1, tzinfo=UTC))
    assert last_fire_time(every, datetime(2024, 5, 1, 0, 25, tzinfo=UTC)) == datetime(
        2024, 5, 1, 0, 20, tzinfo=UTC
    )
    assert last_fire_time(every, datetime(2024, 4, 30, tzinfo=UTC)) is None


DIGEST_JOBS = """
[schedule.jobs.morning]
task = "digest"
cron = "0 7 * * *"

[digest]
enabled = true
[[digest.lists]]
name = "team"
recipients = ["team@example.org"]
[[digest.lists]]
name = "new-list"
recipients = ["new@example.org"]

[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
retry_backoff_seconds = 0
"""


def test_missed_digest_is_caught_up_once(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    populate(sqlite_db.engine)
    with smtp_server() as (server, port):
        config = make_config(tmp_path, sqlite_db, CONFIG_BODY + DIGEST_JOBS.format(port=port))
        daemon = Daemon(config, sqlite_db.engine)
        now = datetime.now(UTC)
        due = last_fire_time(daemon.triggers["morning"], now)
        assert due is not None and now - due < timedelta(days=1)
        assert daemon.missed_digests(now) == []  # no list had a digest yet: a fresh install
        with transaction(sqlite_db.engine) as session:
            session.add(
                Digest(
                    list_name="team",
                    recipients="team@example.org",
                    period_start=due - timedelta(days=2),
                    period_end=due - timedelta(days=1),
                    status="sent",
                )
            )
        # "team" went out the day before, then the daemon was down at the last 07:00.
        assert daemon.missed_digests(now) == [("morning", due, ["team"])]
        daemon.execute("morning", due, ["team"])
        assert daemon.missed_digests(now) == []
    [received] = server.received
    assert received.rcpt_tos == ["team@example.org"]
    with transaction(sqlite_db.engine) as session:
        row = session.scalars(select(Digest).where(Digest.period_end == due)).one()
        run = session.scalars(select(JobRun).where(JobRun.job_name == "morning")).one()
    assert (row.list_name, row.status, row.period_start) == (
        "team",
        "sent",
        due - timedelta(days=1),
    )
    assert (run.job_name, run.status, run.error) == ("morning", "ok", None)
    assert run.finished_at is not None and run.finished_at >= run.started_at


def test_failed_job_is_recorded_and_interrupted_runs_closed(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    body = CONFIG_BODY + (
        '[schedule.jobs.fetch]\ntask = "download"\ninterval_minutes = 5\n'
        '[schedule.jobs.crashy]\ntask = "digest"\ninterval_minutes = 5\nlists = ["team"]\n'
        '[digest]\nenabled = true\n[[digest.lists]]\nname = "team"\n'
        'recipients = ["a@example.org"]\nactors = ["Nobody"]\n'
    )
    config = make_config(tmp_path, sqlite_db, body)
    with transaction(sqlite_db.engine) as session:
        factories.job_run(session, "fetch", "running")
    daemon = Daemon(config, sqlite_db.engine)
    assert daemon.close_interrupted_runs() == 1
    daemon.execute("crashy")  # a config error inside the job: recorded, not raised
    with transaction(sqlite_db.engine) as session:
        rows = list(session.scalars(select(JobRun).order_by(JobRun.id)))
    assert [(row.job_name, row.status) for row in rows] == [
        ("fetch", "failed"),
        ("crashy", "failed"),
    ]
    assert rows[0].error == "interrupted: the daemon stopped before the job finished"
    assert "no [[actors]] named 'Nobody'" in (rows[1].error or "")


def test_rescan_is_skipped_while_keywords_are_unchanged(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    plain = make_config(tmp_path, sqlite_db, "")
    run = TaskRun(
        "rescan",
        job(task="rescan", interval_minutes=60),
        plain,
        sqlite_db.engine,
        datetime.now(UTC),
    )
    assert rescan(run).summary == "no keyword groups"
    assert stored_keyword_hashes(sqlite_db.engine) == {}
    assert rescan(run).summary == "keywords unchanged"
    with_groups = make_config(tmp_path, sqlite_db, CONFIG_BODY)
    hashes = keyword_hashes(with_groups)
    assert set(hashes) == {"threats", "opposition"}
    edited = with_groups.model_copy(deep=True)
    edited.keywords["threats"].terms.append("destroy")
    changed = keyword_hashes(edited)
    assert changed["opposition"] == hashes["opposition"]
    assert changed["threats"] != hashes["threats"]


def test_status_shows_jobs_and_backlog(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    populate(sqlite_db.engine)
    body = CONFIG_BODY + '[schedule.jobs.fetch]\ntask = "download"\ninterval_minutes = 10\n'
    config_path = write_config(tmp_path, sqlite_db, body)
    next_run = datetime(2024, 5, 2, 1, 0, tzinfo=UTC)
    with transaction(sqlite_db.engine) as session:
        factories.job_run(session, "fetch", "ok", next_run_at=next_run)
    result = invoke(config_path, "status", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    jobs = {row["job"]: row for row in report["jobs"]}
    assert jobs["fetch"]["task"] == "download"
    assert jobs["fetch"]["last_status"] == "ok"
    assert jobs["fetch"]["next_run"] == "2024-05-02T01:00:00+00:00"  # JSON times are UTC
    assert jobs["collect_video"]["task"] == "(not configured)"  # ran before, since removed
    assert jobs["collect_video"]["last_status"] == "failed"
    backlog = {row["stage"]: row for row in report["queue_backlog"]}
    assert (backlog["download"]["ready"], backlog["transcribe"]["ready"]) == (1, 1)
    assert backlog["ocr"]["ready"] == 0  # downloaded photos only
    assert backlog["transcribing"]["expired_leases"] == 1
    table = invoke(config_path, "status")
    assert "scheduled jobs" in table.stdout and "queue backlog" in table.stdout


def test_run_dry_run_lists_jobs(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    body = (
        '[schedule]\ntimezone = "Asia/Phnom_Penh"\n'
        '[schedule.jobs.morning]\ntask = "digest"\ncron = "30 6 * * 1-5"\n'
    )
    config_path = write_config(tmp_path, sqlite_db, body)
    result = invoke(config_path, "run", "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert (row["job"], row["task"], row["schedule"]) == ("morning", "digest", "30 6 * * 1-5")
    next_run = datetime.fromisoformat(row["next_run"])
    assert next_run.utcoffset() == timedelta(0)  # JSON times are UTC; the cron is local
    local = next_run.astimezone(ZoneInfo("Asia/Phnom_Penh"))
    assert (local.hour, local.minute) == (6, 30) and local.weekday() < 5


def test_run_without_jobs_says_so(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    body = '[schedule.jobs.off]\ntask = "collect"\ninterval_minutes = 30\nenabled = false\n'
    result = invoke(write_config(tmp_path, sqlite_db, body), "run")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: no enabled jobs in [schedule.jobs]: nothing to run (see config.example.toml)"
    )
