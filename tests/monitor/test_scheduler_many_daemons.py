"""Many daemons, one of each job: on PostgreSQL a singleton job runs in one daemon per
scheduled time, claimed-work jobs in each; on SQLite a second `polmon run` is refused."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from monitor import shutdown
from monitor.scheduler import Daemon
from storage.engine import transaction
from storage.job_locks import job_lock, single_daemon
from storage.models import JobRun
from tests.conftest import TestDatabase, invoke
from tests.support import factories
from tests.support.config import make_config, write_config

JOBS = (
    '[schedule.jobs.rescan]\ntask = "rescan"\ninterval_minutes = 60\n'
    '[schedule.jobs.fetch]\ntask = "download"\ninterval_minutes = 5\n'
)


def runs(db: TestDatabase) -> list[tuple[str, str]]:
    with transaction(db.engine) as session:
        rows = session.scalars(select(JobRun).order_by(JobRun.id))
        return [(row.job_name, row.status) for row in rows]


def test_a_singleton_job_runs_once_across_daemons(db: TestDatabase, tmp_path: Path) -> None:
    config = make_config(tmp_path, db, JOBS)
    first, second = Daemon(config, db.engine), Daemon(config, db.engine)
    first.execute("rescan")
    second.execute("rescan")  # the same hour's run: PostgreSQL skips it, logged
    expected = 1 if db.engine.dialect.name == "postgresql" else 2
    assert runs(db) == [("rescan", "ok")] * expected


def test_a_job_another_daemon_holds_is_skipped(db: TestDatabase, tmp_path: Path) -> None:
    config = make_config(tmp_path, db, JOBS)
    daemon = Daemon(config, db.engine)
    with job_lock(db.engine, "rescan"):  # another daemon is running it now
        daemon.execute("rescan")
    postgres = db.engine.dialect.name == "postgresql"
    assert runs(db) == ([] if postgres else [("rescan", "ok")])


def test_a_fire_during_a_run_is_skipped_and_a_catch_up_waits_its_turn(
    db: TestDatabase, tmp_path: Path
) -> None:
    daemon = Daemon(make_config(tmp_path, db, JOBS), db.engine)
    shutdown.reset()
    daemon.running.add("rescan")  # this daemon's run of the job, still going
    daemon.execute("rescan")  # its trigger fires meanwhile: skipped, nothing recorded
    assert runs(db) == []
    # a run for a given time (a missed digest caught up at start) waits for the one in hand
    caught_up = threading.Thread(target=daemon.execute, args=("rescan", datetime.now(UTC)))
    caught_up.start()
    caught_up.join(1.5)
    assert caught_up.is_alive() and runs(db) == []
    daemon.running.discard("rescan")  # the run in hand ends
    caught_up.join(60)
    assert not caught_up.is_alive() and runs(db) == [("rescan", "ok")]
    assert daemon.running == set()


def test_start_up_closes_only_runs_no_daemon_holds(db: TestDatabase, tmp_path: Path) -> None:
    config = make_config(tmp_path, db, JOBS)
    with transaction(db.engine) as session:
        factories.job_run(session, "rescan", "running")
        factories.job_run(session, "fetch", "running")
    postgres = db.engine.dialect.name == "postgresql"
    with job_lock(db.engine, "fetch", exclusive=False):  # a live daemon downloading
        assert Daemon(config, db.engine).close_interrupted_runs() == (1 if postgres else 2)
    assert runs(db) == [("rescan", "failed"), ("fetch", "running" if postgres else "failed")]


def test_second_daemon_on_one_sqlite_file_is_refused(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    path = write_config(tmp_path, sqlite_db, JOBS)
    with single_daemon(sqlite_db.engine):  # the first daemon
        result = invoke(path, "run")
    assert result.exit_code == 1
    assert "another polmon run already uses this SQLite database" in result.output
    assert len(result.output.strip().splitlines()) == 1
