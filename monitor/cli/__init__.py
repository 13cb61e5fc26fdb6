"""The `polmon` command line: the root group, its table of commands and the one error handler."""

from __future__ import annotations

import sys
import traceback
from types import TracebackType
from typing import Any

import click

from collectors.errors import PolmonError, UserError
from monitor import __version__
from monitor.cli.lazy_group import LazyGroup
from monitor.output import tz_option, width_option
from storage.redaction import redact

# Every command: its name -> `module:function`. A command is imported only when it runs, so
# `polmon --help` stays fast; adding one is one line here (and a section in docs/cli.md).
COMMANDS = {
    "accounts": "monitor.cli.accounts:accounts",
    "alerts": "monitor.cli.alerts:alerts",
    "collect": "monitor.cli.collect:collect",
    "config": "monitor.cli.setup:config_group",
    "datasette": "monitor.cli.datasette:datasette",
    "db": "monitor.cli.setup:db",
    "demo": "monitor.cli.demo:demo",
    "digest": "monitor.cli.digest:digest",
    "doctor": "monitor.cli.doctor:doctor",
    "download": "monitor.cli.download:download",
    "engagement": "monitor.cli.engagement:engagement",
    "events": "monitor.cli.history:events",
    "evidence": "monitor.cli.evidence:evidence",
    "growth": "monitor.cli.growth:growth",
    "hits": "monitor.cli.keywords:hits",
    "init": "monitor.cli.setup:init",
    "ocr": "monitor.cli.ocr:ocr",
    "keywords": "monitor.cli.keywords:keywords",
    "post": "monitor.cli.history:post_command",
    "posts": "monitor.cli.collect:posts",
    "queue": "monitor.cli.queue:queue",
    "run": "monitor.cli.run:run_command",
    "screenshots": "monitor.cli.screenshots:screenshots",
    "search": "monitor.cli.search:search_command",
    "serve": "monitor.cli.serve:serve",
    "status": "monitor.cli.status:status",
    "telegram": "monitor.cli.telegram:telegram",
    "transcribe": "monitor.cli.transcribe:transcribe",
    "transcript": "monitor.cli.transcribe:transcript",
    "trends": "monitor.cli.keywords:trends",
    "users": "monitor.cli.users:users",
    "worker": "monitor.cli.worker:worker",
}

READ_ONLY_DATABASE = (
    "the database is read-only: polmon cannot write to it (check the file's and its folder's "
    "permissions, or the database user's rights)"
)
# A local path polmon needs is in the way (a file where a folder should be, no permission).
PATH_ERRORS = (FileExistsError, NotADirectoryError, IsADirectoryError, PermissionError)


class ConfigProblem(UserError):
    """A config file problem the command found itself (exit status 2)."""


def one_line_error(exc: Exception) -> tuple[str, int] | None:
    """The line and exit status an error is reported with, or None when it keeps its
    traceback: an expected `PolmonError`, and the few third-party errors whose type says what
    the user must fix (a path in the way, a read-only database)."""
    if isinstance(exc, PolmonError):
        return (exc.user_line(), exc.exit_code) if exc.expected else None
    if isinstance(exc, PATH_ERRORS):
        from storage.engine import path_problem

        return path_problem(exc), 1
    if "sqlalchemy" in sys.modules:  # no database error can come before sqlalchemy is loaded
        from sqlalchemy.exc import DBAPIError

        from storage.engine import is_read_only_error

        if isinstance(exc, DBAPIError) and is_read_only_error(exc):
            return READ_ONLY_DATABASE, 1
    return None


def _click_error(message: str, exit_code: int) -> click.ClickException:
    """click's own `Error: …` exception, with the error's exit status (click's is a class
    attribute; an instance one overrides it)."""
    error = click.ClickException(message)
    error.exit_code = exit_code  # type: ignore[misc]
    return error


class PolmonGroup(LazyGroup):
    """Reports expected errors as one `Error:` line without secrets; unexpected ones keep the
    traceback (redacted by `main`'s excepthook)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:  # the final `Error:` line never shows a secret
            message = redact(exc.message)
            if message == exc.message:
                raise
            raise _click_error(message, exc.exit_code) from None
        except Exception as exc:
            reported = one_line_error(exc)
            if reported is None:
                raise
            line, exit_code = reported
            raise _click_error(redact(line), exit_code) from None


@click.group(
    cls=PolmonGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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
    from monitor import logs
    from monitor.cli.context import AppContext

    ctx.obj = AppContext(config_path)
    # Defaults until the config is read; AppContext.config then applies [logging].
    logs.setup_logging(verbose=verbose)


def _redacting_excepthook(
    kind: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """Print an unexpected error's traceback as Python would, without known secrets."""
    sys.stderr.write(redact("".join(traceback.format_exception(kind, exc, tb))))


def main() -> None:
    """Console-script entry point."""
    sys.excepthook = _redacting_excepthook
    sys.exit(cli.main(prog_name="polmon"))
