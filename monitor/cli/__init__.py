"""The `polmon` command line: the root group, error handling and command registration."""

from __future__ import annotations

import importlib
import sys
import traceback
from types import TracebackType
from typing import Any

import click
from sqlalchemy.exc import DBAPIError as SQLAlchemyDBAPIError

from collectors.errors import CollectorError
from monitor import __version__, logs
from monitor.cli.context import AppContext, UserError
from monitor.config import ConfigError
from monitor.output import tz_option, width_option
from monitor.queries.posts import PostNotFound
from monitor.queries.selection import UnknownSelection
from storage.engine import DatabaseError, is_read_only_error, path_problem

# Each module adds its commands to `cli`; a feature registers here, in one line.
COMMAND_MODULES = (
    "monitor.cli.setup",
    "monitor.cli.accounts",
    "monitor.cli.status",
    "monitor.cli.collect",
    "monitor.cli.history",
    "monitor.cli.demo",
    "monitor.cli.download",
    "monitor.cli.telegram",
    "monitor.cli.digest",
    "monitor.cli.run",
    "monitor.cli.keywords",
    "monitor.cli.search",
    "monitor.cli.growth",
    "monitor.cli.transcribe",
    "monitor.cli.queue",
    "monitor.cli.doctor",
    "monitor.cli.datasette",
    "monitor.cli.serve",
    "monitor.cli.users",
)


class ConfigProblem(UserError):
    """A config file problem (exit status 2)."""


class PolmonGroup(click.Group):
    """Turns expected errors into one line on stderr; unexpected ones keep the traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return self._invoke_one_line(ctx)
        except click.ClickException as exc:  # the final `Error:` line never shows a secret
            message = logs.redact(exc.message)
            if message == exc.message:
                raise
            kind = (
                ConfigProblem if exc.exit_code == ConfigProblem.exit_code else click.ClickException
            )
            raise kind(message) from None

    def _invoke_one_line(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            more = len(exc.problems) - 1
            hint = f" (and {more} more: `polmon config check` lists them all)" if more else ""
            raise ConfigProblem(f"{exc}{hint}") from None
        except UnknownSelection as exc:
            raise UserError(str(exc)) from None
        except PostNotFound as exc:
            raise click.ClickException(str(exc)) from None
        except DatabaseError as exc:
            raise click.ClickException(str(exc)) from None
        except SQLAlchemyDBAPIError as exc:
            if is_read_only_error(exc):
                raise click.ClickException(
                    "the database is read-only: polmon cannot write to it (check the file's "
                    "and its folder's permissions, or the database user's rights)"
                ) from None
            raise
        except (FileExistsError, NotADirectoryError, IsADirectoryError, PermissionError) as exc:
            # A local path polmon needs is in the way (a file where a folder should be, no
            # permission): one line naming it.
            raise click.ClickException(path_problem(exc)) from None
        except CollectorError as exc:
            if exc.expected:
                raise click.ClickException(str(exc)) from None
            raise


@click.group(cls=PolmonGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Config file (default: $POLMON_CONFIG, else ./polmon.toml).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
@tz_option
@width_option
@click.version_option(__version__, prog_name="polmon")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    """polmon: monitor what officials post and say on Telegram, TikTok, Facebook and YouTube."""
    ctx.obj = AppContext(config_path)
    # Defaults until the config is read; AppContext.config then applies [logging].
    logs.setup_logging(verbose=verbose)


for _module in COMMAND_MODULES:
    importlib.import_module(_module)


def _redacting_excepthook(
    kind: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """Print an unexpected error's traceback as Python would, without known secrets."""
    sys.stderr.write(logs.redact("".join(traceback.format_exception(kind, exc, tb))))


def main() -> None:
    """Console-script entry point."""
    sys.excepthook = _redacting_excepthook
    sys.exit(cli.main(prog_name="polmon"))
