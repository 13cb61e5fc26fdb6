"""Per-account intervals: config validation, which accounts are due over time, the daemon's
collect-due job (added, listed, and silent while nothing is due)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.config import ConfigError
from monitor.due import account_intervals, due_keys, find_due, scheduled_jobs
from monitor.scheduler import Daemon
from storage.engine import transaction
from storage.models import JobRun
from tests.conftest import TestDatabase, invoke
from tests.support import factories
from tests.support.config import make_config, write_config

T0 = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)

ACTORS = """
[[actors]]
name = "Fast actor"
interval_minutes = 15
[[actors.accounts]]
platform = "telegram"
handle = "own"
interval_minutes = 2
[[actors.accounts]]
platform = "telegram"
handle = "inherits"
[[actors.accounts]]
platform = "telegram"
handle = "disabled"
enabled = false

[[actors]]
name = "Hourly actor"
[[actors.accounts]]
platform = "telegram"
handle = "hourly"
"""


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (
            "[[actors]]\nname='A'\n[[actors.accounts]]\nplatform='telegram'\nhandle='c'\n"
            "interval_minutes = 0",
            "actors.0.accounts.0.interval_minutes",
        ),
        ("[[actors]]\nname='A'\ninterval_minutes = -5", "actors.0.interval_minutes"),
        ("[schedule]\ndue_check_seconds = 0", "schedule.due_check_seconds"),
        (
            "[[actors]]\nname='A'\ninterval_minutes = 'often'",
            "actors.0.interval_minutes",
        ),
    ],
)
def test_intervals_must_be_positive_numbers(body: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        make_config(None, None, body)
    assert caught.value.key == key


def test_the_collect_due_name_is_kept_for_the_daemon_when_intervals_are_configured() -> None:
    clash = ACTORS + "[schedule.jobs.collect-due]\ntask = 'collect'\ninterval_minutes = 60\n"
    with pytest.raises(ConfigError) as caught:
        make_config(None, None, clash)
    assert caught.value.key == "schedule.jobs.collect-due"
    # Without intervals the name is free; with the user's own collect_due job too.
    make_config(None, None, "[schedule.jobs.collect-due]\ntask='collect'\ninterval_minutes=60\n")
    make_config(None, None, clash.replace("'collect'", "'collect_due'"))


def test_the_accounts_own_interval_wins_then_the_actors_then_none() -> None:
    config = make_config(None, None, ACTORS)
    assert account_intervals(config) == {
        ("telegram", "own"): timedelta(minutes=2),
        ("telegram", "inherits"): timedelta(minutes=15),
    }
    assert account_intervals(config, "tiktok") == {}


def test_due_accounts_across_time() -> None:
    intervals = {("telegram", "a"): timedelta(minutes=2), ("telegram", "b"): timedelta(minutes=10)}
    starts: dict[tuple[str, str], datetime | None] = {
        ("telegram", "a"): T0,
        ("telegram", "b"): None,  # synced, never collected
    }
    assert due_keys(intervals, starts, T0) == [("telegram", "b")]
    starts[("telegram", "b")] = T0 + timedelta(seconds=5)
    assert due_keys(intervals, starts, T0 + timedelta(seconds=30)) == []
    # 90% of the interval: a check every minute after a collection that started a few
    # seconds after its check is not a round late.
    assert due_keys(intervals, starts, T0 + timedelta(seconds=107)) == []
    assert due_keys(intervals, starts, T0 + timedelta(seconds=108)) == [("telegram", "a")]
    later = T0 + timedelta(minutes=20)
    assert due_keys(intervals, starts, later) == [("telegram", "a"), ("telegram", "b")]
    # an account in the config but not yet in the database is due first
    intervals[("telegram", "new")] = timedelta(minutes=5)
    assert due_keys(intervals, starts, later)[0] == ("telegram", "new")


def test_find_due_reads_the_last_collection_run_whatever_its_outcome(
    db: TestDatabase, tmp_path: Path
) -> None:
    config = make_config(tmp_path, db, ACTORS)
    with transaction(db.engine) as session:
        owner = factories.actor(session, "Fast actor")
        own = factories.account(session, owner, handle="own")
        inherits = factories.account(session, owner, handle="inherits")
        factories.account(session, owner, handle="hourly")
        factories.collection_run(session, own, T0 - timedelta(hours=3), "ok")
        factories.collection_run(session, own, T0, "failed", error="HTTP 500")
        factories.collection_run(session, inherits, T0 - timedelta(minutes=13), "ok")
    assert find_due(config, db.engine, T0) == []
    assert find_due(config, db.engine, T0 + timedelta(minutes=1)) == [("telegram", "inherits")]
    assert find_due(config, db.engine, T0 + timedelta(minutes=2)) == [
        ("telegram", "inherits"),
        ("telegram", "own"),
    ]
    assert find_due(config, db.engine, T0 + timedelta(minutes=2), "tiktok") == []


def test_the_daemon_adds_the_collect_due_job_and_lists_it(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    body = ACTORS + "[schedule]\ndue_check_seconds = 20\n"
    path = write_config(tmp_path, sqlite_db, body)
    config = make_config(tmp_path, sqlite_db, body)
    jobs = scheduled_jobs(config)
    assert list(jobs) == ["collect-due"]
    assert (jobs["collect-due"].task, jobs["collect-due"].interval_minutes) == (
        "collect_due",
        pytest.approx(20 / 60),
    )
    daemon = Daemon(config, sqlite_db.engine)
    assert list(daemon.jobs) == ["collect-due"] and daemon.at_start == ["collect-due"]
    result = invoke(path, "run", "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "collect-due" in result.output and "collect_due" in result.output
    status = invoke(path, "status", "--section", "jobs", "--format", "json")
    assert status.exit_code == 0, status.output
    assert '"job": "collect-due"' in status.output
    # The user's own collect_due job replaces it; no interval, no job.
    own = body + "[schedule.jobs.fast]\ntask = 'collect_due'\ninterval_minutes = 1\n"
    assert list(scheduled_jobs(make_config(tmp_path, sqlite_db, own))) == ["fast"]
    assert scheduled_jobs(make_config(tmp_path, sqlite_db, "")) == {}


def test_a_check_with_nothing_due_leaves_no_job_run(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    config = make_config(tmp_path, sqlite_db, ACTORS)
    with transaction(sqlite_db.engine) as session:
        owner = factories.actor(session, "Fast actor")
        now = datetime.now(UTC)
        for handle in ("own", "inherits"):
            account = factories.account(session, owner, handle=handle)
            factories.collection_run(session, account, now, "ok")
    daemon = Daemon(config, sqlite_db.engine)
    daemon.execute("collect-due")
    with transaction(sqlite_db.engine) as session:
        assert list(session.scalars(select(JobRun))) == []
