"""`polmon users add|list|remove|passwd`: who may log in to the web app."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from monitor.cli.context import UserError, app
from monitor.output import emit, format_option
from monitor.queries.users import USER_COLUMNS, list_users
from storage.models import USER_ROLES
from storage.users import add_user, check_name, remove_user, set_password

password_file_option = click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Read the password from the first line of this file (else from stdin).",
)


def read_password(password_file: Path | None) -> str:
    """The new password: the file's first line, a prompt (twice) on a terminal, or one line
    of piped stdin. Never a command-line argument, which other local users can see."""
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        password = lines[0] if lines else ""
    elif sys.stdin.isatty():
        password = click.prompt(
            "Password", hide_input=True, confirmation_prompt=True, prompt_suffix=": "
        )
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise UserError("no password given: type one, pipe one line to stdin, or --password-file")
    return password


@click.group()
def users() -> None:
    """Who may log in to the web app (`polmon serve`)."""


@users.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(USER_ROLES),
    default="viewer",
    show_default=True,
    help="viewer reads; admin also manages users.",
)
@password_file_option
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str, password_file: Path | None) -> None:
    """Add a user; the password comes from stdin or --password-file, never an argument."""
    check_name(name)
    password = read_password(password_file)
    with app(ctx).session() as session:
        add_user(session, name, password, role)
    click.echo(f"added {role} {name}")


@users.command("list")
@format_option()
@click.pass_context
def users_list(ctx: click.Context, fmt: str) -> None:
    """List users with their role and last login (never their passwords)."""
    with app(ctx).session() as session:
        rows = list_users(session)
    emit(
        rows,
        fmt,
        columns=USER_COLUMNS,
        title="users",
        empty="no users: add one with `polmon users add NAME --role admin`",
    )


@users.command("remove")
@click.argument("name")
@click.pass_context
def users_remove(ctx: click.Context, name: str) -> None:
    """Remove a user; their web sessions end at their next request."""
    with app(ctx).session() as session:
        remove_user(session, name)
    click.echo(f"removed {name}")


@users.command("passwd")
@click.argument("name")
@password_file_option
@click.pass_context
def users_passwd(ctx: click.Context, name: str, password_file: Path | None) -> None:
    """Set a user's password (stdin or --password-file); their other sessions end."""
    check_name(name)
    password = read_password(password_file)
    with app(ctx).session() as session:
        set_password(session, name, password)
    click.echo(f"password changed for {name}")
