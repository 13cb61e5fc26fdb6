"""`polmon accounts sync|list`: configured actors and accounts in the database."""

from __future__ import annotations

import click

from monitor.cli.context import app
from monitor.output import emit, format_option


@click.group()
def accounts() -> None:
    """Actors and their platform accounts."""


@accounts.command("sync")
@click.pass_context
def accounts_sync(ctx: click.Context) -> None:
    """Upsert actors and accounts from config; mark removed ones inactive (data kept)."""
    from monitor.accounts import sync_accounts

    context = app(ctx)
    with context.session() as session:
        result = sync_accounts(session, context.config)
    click.echo(
        f"actors added: {result.actors_added}, accounts added: {result.accounts_added}, "
        f"reactivated or moved: {result.accounts_updated}, "
        f"deactivated: {result.accounts_deactivated}"
    )


@accounts.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include accounts no longer configured.")
@format_option()
@click.pass_context
def accounts_list(ctx: click.Context, show_all: bool, fmt: str) -> None:
    """List accounts with their status and when they were last collected."""
    from monitor.queries.accounts import ACCOUNT_COLUMNS, list_accounts

    with app(ctx).session() as session:
        rows = list_accounts(session, include_inactive=show_all)
    emit(
        rows,
        fmt,
        columns=ACCOUNT_COLUMNS,
        title="accounts",
        empty="no accounts: add [[actors]] to the config, then sync",
    )
