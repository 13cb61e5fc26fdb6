"""Many daemons, one of each job: PostgreSQL advisory locks per scheduled job, and the SQLite
lock file that keeps a second daemon off the same database file."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, exists, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from collectors.errors import PolmonError
from storage.leases import lock_file_path
from storage.models import JobRun

# Two-int advisory keys (schema hash, job-name hash), apart from the account leases'
# ('polmon-collect:') and the migration lock's one-key space. Held by the connection.
_KEY = "hashtext('polmon-job:' || current_schema()), hashtext(:job)"
_TRY = {
    True: text(f"SELECT pg_try_advisory_lock({_KEY})"),
    False: text(f"SELECT pg_try_advisory_lock_shared({_KEY})"),
}
_UNLOCK = {
    True: text(f"SELECT pg_advisory_unlock({_KEY})"),
    False: text(f"SELECT pg_advisory_unlock_shared({_KEY})"),
}


@contextmanager
def job_lock(engine: Engine, job: str, *, exclusive: bool = True) -> Iterator[bool]:
    """Hold job `job`'s lock for the block; yields False when another daemon holds it.

    Exclusive: a singleton job (one run at a time across daemons). Shared: a job that claims
    its work (every daemon may run it) but whose running rows must not be closed as
    interrupted by another daemon starting up. SQLite: one daemon per file, always True.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    try:
        conn = engine.connect()
        held = bool(conn.scalar(_TRY[exclusive], {"job": job}))
        conn.commit()  # the lock is the session's: keep the connection, not a transaction
    except SQLAlchemyError:  # the database is down: the run goes on and reports it itself
        yield True
        return
    with conn:
        try:
            yield held
        finally:
            if held:
                conn.scalar(_UNLOCK[exclusive], {"job": job})
                conn.commit()


def lock_engine(engine: Engine) -> Engine:
    """An engine for the job locks with a pool of its own (PostgreSQL): each running job holds
    one lock connection for its whole run, and must not take it from the pool its work uses.
    Same URL and connection settings (search_path included). SQLite: `engine` itself."""
    if engine.dialect.name != "postgresql":
        return engine
    return create_engine(engine.url, pool=engine.pool.recreate())


def ran_since(session: Session, job: str, since: datetime) -> bool:
    """Whether a run of `job` started at or after `since` (in any daemon)."""
    return bool(
        session.scalar(select(exists().where(JobRun.job_name == job, JobRun.started_at >= since)))
    )


def running_jobs(session: Session) -> list[str]:
    """The jobs with a run still recorded as running."""
    rows = session.scalars(select(JobRun.job_name).where(JobRun.status == "running").distinct())
    return sorted(rows)


class DaemonAlreadyRunning(PolmonError):
    """Another `polmon run` holds the SQLite database's daemon lock."""

    expected = True

    def __init__(self, lock: str) -> None:
        super().__init__(
            f"another polmon run already uses this SQLite database (it holds {lock}); "
            "one daemon per SQLite file, several only on PostgreSQL"
        )


def daemon_lock_path(database: str) -> Path:
    """The lock file a daemon holds beside the SQLite database at `database`."""
    collect_locks = lock_file_path(database)
    return collect_locks.with_name(collect_locks.name.replace(".collect-locks", ".daemon-lock"))


@contextmanager
def single_daemon(engine: Engine) -> Iterator[None]:
    """SQLite: hold an exclusive lock on a file beside the database for the daemon's life;
    raises DaemonAlreadyRunning when another process holds it. PostgreSQL: nothing to hold
    (daemons share the jobs through job_lock)."""
    database = engine.url.database
    if engine.dialect.name == "postgresql" or not database or database == ":memory:":
        yield
        return
    path = daemon_lock_path(database).resolve()
    try:
        handle = path.open("a+b")
    except OSError:  # a read-only folder: nothing to coordinate
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        handle.close()
        raise DaemonAlreadyRunning(str(path)) from exc
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
