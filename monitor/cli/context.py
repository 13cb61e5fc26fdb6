"""What every command shares: the loaded config and a migrated database engine."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import click

from collectors.errors import UserError
from monitor import logs, shutdown

if TYPE_CHECKING:  # imported where used: `polmon <command> --help` needs none of them
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from monitor.config import PolmonConfig

__all__ = ["AppContext", "UserError", "app", "exit_if_stopped", "stoppable"]


# Commands that only read: they never create a database (a missing SQLite file is an error).
READ_COMMANDS = frozenset(
    {
        "accounts list",
        "db current",
        "events",
        "evidence export",
        "growth",
        "hits",
        "post",
        "posts",
        "search",
        "serve",
        "status",
        "transcript",
        "trends",
        "users list",
    }
)


def _command_name() -> str | None:
    """The running subcommand's name under `polmon` (`posts`, `accounts list`)."""
    context = click.get_current_context(silent=True)
    names = []
    while context is not None and context.parent is not None:
        names.append(context.info_name or "")
        context = context.parent
    return " ".join(reversed(names)) or None


def _refuse_new_database_for_reading(url: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:  # make_engine says what is wrong with it
        return
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return
    path = Path(parsed.database)
    existing = next((p for p in path.parents if p.exists()), None)
    if existing is not None and not existing.is_dir():  # make_engine names the file in the way
        return
    if _command_name() in READ_COMMANDS and not path.is_file():
        raise UserError(
            f"no database at {parsed.database} yet: run `polmon init` or `polmon collect` "
            "first (check [paths] data_dir and [database] url)"
        )


class AppContext:
    """Lazily loads the config and opens the database the first time a command needs them."""

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path

    @cached_property
    def config(self) -> PolmonConfig:
        from monitor.config import find_config_path, load_config

        path, named = find_config_path(self.config_path)
        if not named and not path.is_file():
            # Never run on defaults (and create ./data/polmon.sqlite3) outside a project.
            raise UserError(
                f"no config file found: no {path} in {Path.cwd()}, and none given with "
                "--config or $POLMON_CONFIG; run `polmon init` to create one"
            )
        config = load_config(path)
        logs.apply_config(config.logging)
        return config

    def schedule_timezone(self) -> str | None:
        """`[schedule] timezone` once the config is loaded (times are shown in it), else None."""
        config = self.__dict__.get("config")
        return config.schedule.timezone if config is not None else None

    @cached_property
    def raw_engine(self) -> Engine:
        """A connected engine, not yet migrated (for `polmon db`)."""
        from storage.engine import check_connection

        config = self.config
        _refuse_new_database_for_reading(config.database_url)
        engine = config.open_engine()
        check_connection(engine)
        return engine

    @cached_property
    def engine(self) -> Engine:
        """A connected engine whose schema is at the newest migration."""
        from storage.migrations import is_up_to_date, upgrade

        engine = self.raw_engine
        if not is_up_to_date(engine):
            upgrade(engine, media_dir=self.config.media_dir)
        return engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        from storage.engine import transaction

        with transaction(self.engine) as session:
            yield session


@contextmanager
def stoppable() -> Iterator[None]:
    """Within the block SIGINT (Ctrl-C) and SIGTERM ask the stage to finish or give back the
    item in hand and return, as under `polmon run` (see monitor.shutdown); twice: exit now."""
    shutdown.reset()
    with shutdown.signals_request_stop():
        yield


def exit_if_stopped(ctx: click.Context, what: str) -> None:
    """After a stoppable block: one line and exit status 128+signal when a signal stopped it."""
    reason = shutdown.stop_reason()
    if reason is None:
        return
    click.echo(f"{what} stopped by {reason}: run it again to do the rest", err=True)
    try:
        ctx.exit(128 + signal.Signals[reason].value)
    except KeyError:  # a stop requested by something other than a signal
        ctx.exit(1)


def app(ctx: click.Context | None = None) -> AppContext:
    context = ctx or click.get_current_context()
    obj = context.find_object(AppContext)
    if obj is None:  # pragma: no cover - commands always run under the root group
        raise click.UsageError("polmon commands run under the `polmon` group")
    return obj
