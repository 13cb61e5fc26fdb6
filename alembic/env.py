"""Alembic environment: migrates the engine polmon hands over (or alembic.ini's URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from storage.migrations import include_object, lock_for_migration, sqlite_migration_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine  # type: ignore[no-any-return]
    url = config.get_main_option("sqlalchemy.url") or "sqlite:///data/polmon.sqlite3"
    plain = create_engine(url)
    return sqlite_migration_engine(plain) or plain


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_object,
            # SQLite has transactional DDL too (storage.migrations makes pysqlite BEGIN): one
            # transaction for the whole upgrade, so a killed upgrade leaves the old schema.
            transactional_ddl=True,
        )
        with context.begin_transaction():
            lock_for_migration(connection)
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
