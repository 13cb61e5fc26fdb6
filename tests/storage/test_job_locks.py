"""Many daemons, one of each job: advisory job locks (PostgreSQL), the daemon lock (SQLite)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from storage.engine import transaction
from storage.job_locks import (
    DaemonAlreadyRunning,
    daemon_lock_path,
    job_lock,
    ran_since,
    running_jobs,
    single_daemon,
)
from storage.types import utcnow
from tests.conftest import TestDatabase
from tests.support import factories as f


def test_exclusive_job_lock_is_held_once(db: TestDatabase) -> None:
    postgres = db.engine.dialect.name == "postgresql"
    with job_lock(db.engine, "digest") as first:
        assert first
        with job_lock(db.engine, "digest") as second:
            assert second is not postgres  # SQLite: one daemon per file, nothing to share
        with job_lock(db.engine, "rescan") as other_job:
            assert other_job
    with job_lock(db.engine, "digest") as again:
        assert again


def test_shared_job_locks_run_side_by_side_and_keep_the_exclusive_one_out(
    db: TestDatabase,
) -> None:
    postgres = db.engine.dialect.name == "postgresql"
    with (
        job_lock(db.engine, "download", exclusive=False) as one,
        job_lock(db.engine, "download", exclusive=False) as two,
    ):
        assert one and two
        with job_lock(db.engine, "download") as closer:  # start-up: is anyone running it?
            assert closer is not postgres


def test_ran_since_and_running_jobs(db: TestDatabase) -> None:
    now = utcnow()
    with transaction(db.engine) as session:
        f.job_run(session, "digest", "ok", started_at=now - timedelta(minutes=5))
        f.job_run(session, "rescan", "running", started_at=now)
    with transaction(db.engine) as session:
        assert ran_since(session, "digest", now - timedelta(minutes=6))
        assert not ran_since(session, "digest", now - timedelta(minutes=4))
        assert running_jobs(session) == ["rescan"]


def test_second_daemon_on_one_sqlite_file_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "polmon.sqlite3"
    engine = create_engine(f"sqlite:///{database}")
    with single_daemon(engine):
        assert daemon_lock_path(str(database)).exists()
        with pytest.raises(DaemonAlreadyRunning), single_daemon(engine):
            pass
    with single_daemon(engine):  # released when the first daemon ended
        pass
    engine.dispose()
