"""The suite's test databases: one migrated PostgreSQL database per test process, emptied
between tests, and copies of a migrated SQLite file (the fixtures are in tests/conftest.py)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool, StaticPool

from storage.engine import make_engine
from storage.migrations import upgrade


def _database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _admin(server_url: str, statement: str) -> None:
    """CREATE/DROP DATABASE, which PostgreSQL runs only outside a transaction."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(text(statement))
    finally:
        admin.dispose()


class PostgresTestDatabase:
    """One migrated PostgreSQL database per test session (per xdist worker), emptied between
    tests: deleting a few test rows takes milliseconds, where migrating a fresh schema took a
    second or more, and CREATE/DROP DATABASE each wait for a checkpoint."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.name = f"polmon_t_{uuid.uuid4().hex[:12]}"
        self.url = _database_url(server_url, self.name)
        self._shape: tuple[str, ...] = ()
        self._reset_sql = ""
        self._keeper: Engine | None = None
        self._create()

    def _create(self) -> None:
        _admin(self.server_url, f'CREATE DATABASE "{self.name}"')
        # A test database needs no durability: its commits don't wait for the WAL to reach the
        # disk (this database only; the server's setting is left alone).
        _admin(self.server_url, f'ALTER DATABASE "{self.name}" SET synchronous_commit = off')
        engine = make_engine(self.url)
        try:
            upgrade(engine)
            with engine.connect() as conn:
                self._shape = self._read_shape(conn)
                tables = conn.scalars(text(_TABLES)).all()
                sequences = conn.scalars(text(_SEQUENCES)).all()
        finally:
            engine.dispose()
        # Triggers off (session_replication_role) so derived tables are simply emptied too.
        self._reset_sql = "SET LOCAL session_replication_role = replica; " + " ".join(
            [f'DELETE FROM "{table}";' for table in tables]
            + [f"SELECT setval('\"{sequence}\"', 1, false);" for sequence in sequences]
        )
        # One connection of our own for the resets (a new one per test costs a backend start).
        self._keeper = create_engine(self.url, poolclass=StaticPool)

    @staticmethod
    def _read_shape(conn: Connection) -> tuple[str, ...]:
        version = conn.scalars(text("SELECT version_num FROM alembic_version")).all()
        objects = conn.scalars(text(_OBJECTS)).all()
        return (*version, *objects)

    def reset(self) -> None:
        """Empty every table, or rebuild the database if a test changed its schema."""
        assert self._keeper is not None
        try:
            with self._keeper.begin() as conn:
                # Connections a test left open (a killed subprocess's, a leaked pool's) end first.
                conn.execute(text(_TERMINATE.format(name=self.name)))
                changed = self._read_shape(conn) != self._shape
                if not changed:
                    conn.exec_driver_sql(self._reset_sql)
        except DBAPIError:  # our connection ended too (a test restarted the server's backends)
            changed = True
        if changed:
            self.drop()
            self._create()

    def drop(self) -> None:
        if self._keeper is not None:
            self._keeper.dispose()
            self._keeper = None
        _admin(self.server_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def drop_in_background(self) -> None:
        """Drop the database from a process of its own that outlives this one: DROP DATABASE
        waits for a checkpoint, seconds while the other workers' databases are busy, and at the
        end of a session nothing needs to wait for it."""
        if self._keeper is not None:
            self._keeper.dispose()
            self._keeper = None
        url = make_url(self.server_url).set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        statement = f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'
        script = (
            "import psycopg, sys; "
            "psycopg.connect(sys.argv[1], autocommit=True).execute(sys.argv[2])"
        )
        subprocess.Popen(
            [sys.executable, "-c", script, dsn, statement],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )


_TABLES = (
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
    "AND tablename <> 'alembic_version' ORDER BY tablename"
)
_SEQUENCES = "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
_OBJECTS = (
    "SELECT c.relkind::text || ':' || n.nspname || '.' || c.relname || ':' || count(a.attnum) "
    "FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attribute a "
    "ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
    "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') "
    "GROUP BY c.relkind, n.nspname, c.relname ORDER BY 1"
)
_TERMINATE = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = '{name}' AND pid <> pg_backend_pid()"
)


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database: a closed one (no write-ahead log beside it) as a file (under a
    millisecond), one that may be open page by page with SQLite's backup API (about 10 ms)."""
    if not source.with_name(source.name + "-wal").exists():
        shutil.copyfile(source, target)
        return
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
