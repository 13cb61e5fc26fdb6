"""Alembic migrations run programmatically: upgrade to head (atomic, serialized), revisions."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import NullPool

from storage.engine import sqlite_pragmas

_HERE = Path(__file__).resolve().parent
# In a checkout the migrations live in the top-level alembic/; a wheel carries them here.
_CANDIDATES = (_HERE.parent / "alembic", _HERE / "migrations")


def script_location() -> Path:
    for candidate in _CANDIDATES:
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("polmon's alembic migrations are missing from this installation")


# Database objects that migrations create by hand and the models do not describe
# (full-text indexes, views): autogenerate must not report them as differences.
HAND_MADE_PREFIXES = ("fts_", "v_")


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic `include_object` filter shared by env.py and the models-vs-migrations test."""
    if (
        type_ == "table"
        and name
        and (name == "alembic_version" or name.startswith(HAND_MADE_PREFIXES))
    ):
        return False
    return not (type_ == "index" and name and name.startswith(HAND_MADE_PREFIXES))


def alembic_config(engine: Engine, media_dir: Path | None = None) -> Config:
    """`media_dir`: the configured media folder, for migration 0016 (absolute paths under it
    become keys relative to it)."""
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.attributes["engine"] = engine
    if media_dir is not None:
        config.attributes["media_dir"] = str(media_dir)
    return config


# PostgreSQL advisory lock key ("polmon" in ASCII) held by the transaction of an upgrade, so
# processes started together migrate one after the other (database-wide: pg_trgm is too).
MIGRATION_LOCK_KEY = 0x706F6C6D6F6E
# How long an SQLite upgrade waits for another process's upgrade (which holds the write lock).
SQLITE_MIGRATION_WAIT_SECONDS = 600


def _begin_exclusive(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN EXCLUSIVE")


def sqlite_migration_engine(engine: Engine) -> Engine | None:
    """A separate engine for an SQLite file whose transactions really BEGIN (EXCLUSIVE).

    pysqlite's default transaction handling only begins before DML, so Alembic's DDL would run
    in autocommit and a killed upgrade would leave half a schema. Here pysqlite's handling is
    off and every transaction starts with BEGIN EXCLUSIVE: the whole upgrade commits or none
    of it, and a second process waits for the first one's upgrade before reading the revision.
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    migrating = create_engine(
        engine.url,
        poolclass=NullPool,
        connect_args={"timeout": SQLITE_MIGRATION_WAIT_SECONDS, "isolation_level": None},
    )
    event.listen(migrating, "connect", sqlite_pragmas)
    event.listen(migrating, "begin", _begin_exclusive)
    return migrating


def lock_for_migration(connection: Connection) -> None:
    """Inside the upgrade's transaction: wait until no other process is upgrading (PostgreSQL).

    SQLite needs nothing here: its upgrade transaction began EXCLUSIVE.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")


def upgrade(engine: Engine, revision: str = "head", *, media_dir: Path | None = None) -> None:
    """Migrate to `revision` in one transaction, serialized with other processes' upgrades;
    `media_dir`: the config's media folder (see `alembic_config`)."""
    migrating = sqlite_migration_engine(engine)
    try:
        command.upgrade(alembic_config(migrating or engine, media_dir), revision)
    finally:
        if migrating is not None:
            migrating.dispose()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revisions() -> tuple[str, ...]:
    script = ScriptDirectory(str(script_location()))
    return tuple(script.get_heads())


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) in head_revisions()
