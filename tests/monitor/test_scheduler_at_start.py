"""`polmon run` runs interval jobs once at start unless `run_at_start` says otherwise."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import ConfigError
from monitor.scheduler import Daemon
from tests.conftest import TestDatabase, invoke
from tests.support.config import make_config, write_config
from tests.support.daemon import finished_job_runs, run_daemon_until

JOBS = """
[schedule.jobs.rescan]
task = "rescan"
interval_minutes = 60

[schedule.jobs.download]
task = "download"
interval_minutes = 60
run_at_start = false

[schedule.jobs.digest]
task = "digest"
cron = "0 7 * * *"

[schedule.jobs.hourly_digest]
task = "digest"
interval_minutes = 60
"""


def test_which_jobs_run_at_start(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    config = make_config(tmp_path, sqlite_db, JOBS)
    assert Daemon(config, sqlite_db.engine).at_start == ["rescan"]
    off = make_config(
        tmp_path, sqlite_db, "[schedule]\nrun_at_start = false\n" + JOBS.replace("false", "true")
    )
    assert Daemon(off, sqlite_db.engine).at_start == ["download"]  # the job's own setting wins
    opted_in = make_config(tmp_path, sqlite_db, JOBS + "run_at_start = true\n")
    assert Daemon(opted_in, sqlite_db.engine).at_start == ["rescan", "hourly_digest"]
    result = invoke(write_config(tmp_path, sqlite_db, JOBS), "run", "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {row["job"]: row for row in json.loads(result.stdout)}
    assert {name: row["runs_at_start"] for name, row in rows.items()} == {
        "rescan": True,
        "download": False,
        "digest": False,
        "hourly_digest": False,  # a restart does not mail a digest
    }
    now = datetime.now(UTC)
    assert datetime.fromisoformat(rows["rescan"]["next_run"]) <= now
    assert datetime.fromisoformat(rows["download"]["next_run"]) > now + timedelta(minutes=50)


def test_run_at_start_on_a_cron_job_is_a_config_error(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    body = '[schedule.jobs.digest]\ntask = "digest"\ncron = "0 7 * * *"\nrun_at_start = true\n'
    with pytest.raises(ConfigError, match="run_at_start applies only to interval_minutes jobs"):
        make_config(tmp_path, sqlite_db, body)


def test_the_daemon_runs_an_hourly_job_at_once(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    config = make_config(tmp_path, sqlite_db, JOBS)
    run_daemon_until(config, sqlite_db.engine, lambda: bool(finished_job_runs(sqlite_db.engine)))
    # The hourly rescan ran at start; the hourly download (run_at_start = false) and the
    # 07:00 digest wait for their times.
    assert finished_job_runs(sqlite_db.engine) == [("rescan", "ok")]
