"""What every command shares: the loaded config and a migrated database engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from monitor import logs
from monitor.config import PolmonConfig, load_config
from storage.engine import check_connection, make_engine, transaction
from storage.migrations import is_up_to_date, upgrade


class AppContext:
    """Lazily loads the config and opens the database the first time a command needs them."""

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path

    @cached_property
    def config(self) -> PolmonConfig:
        config = load_config(self.config_path)
        logs.apply_config(config.logging)
        return config

    def schedule_timezone(self) -> str | None:
        """`[schedule] timezone` once the config is loaded (times are shown in it), else None."""
        config = self.__dict__.get("config")
        return config.schedule.timezone if config is not None else None

    @cached_property
    def raw_engine(self) -> Engine:
        """A connected engine, not yet migrated (for `polmon db`)."""
        config = self.config
        engine = make_engine(
            config.database_url,
            schema=config.database.schema_name or None,
            pool_size=config.database.pool_size,
        )
        check_connection(engine)
        return engine

    @cached_property
    def engine(self) -> Engine:
        """A connected engine whose schema is at the newest migration."""
        engine = self.raw_engine
        if not is_up_to_date(engine):
            upgrade(engine)
        return engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        with transaction(self.engine) as session:
            yield session


def app(ctx: click.Context | None = None) -> AppContext:
    context = ctx or click.get_current_context()
    obj = context.find_object(AppContext)
    if obj is None:  # pragma: no cover - commands always run under the root group
        raise click.UsageError("polmon commands run under the `polmon` group")
    return obj
