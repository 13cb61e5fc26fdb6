"""`polmon accounts sync|list`: configured actors and accounts in the database."""

from __future__ import annotations

import click
from sqlalchemy import select

from monitor.accounts import sync_accounts
from monitor.cli import cli
from monitor.cli.context import app
from monitor.output import emit, format_option
from storage.models import Account, Actor

ACCOUNT_COLUMNS = (
    "actor",
    "platform",
    "handle",
    "display_name",
    "platform_id",
    "status",
    "active",
    "last_collected_at",
)


@cli.group()
def accounts() -> None:
    """Actors and their platform accounts."""


@accounts.command("sync")
@click.pass_context
def accounts_sync(ctx: click.Context) -> None:
    """Upsert actors and accounts from config; mark removed ones inactive (data kept)."""
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
    query = (
        select(Account, Actor.name)
        .join(Actor, Account.actor_id == Actor.id)
        .order_by(Actor.name, Account.platform, Account.handle)
    )
    if not show_all:
        query = query.where(Account.active.is_(True))
    with app(ctx).session() as session:
        rows = [
            {
                "actor": actor_name,
                "platform": account.platform,
                "handle": account.handle,
                "display_name": account.display_name,
                "platform_id": account.platform_id,
                "status": account.status,
                "active": account.active,
                "last_collected_at": account.last_collected_at,
            }
            for account, actor_name in session.execute(query)
        ]
    emit(
        rows,
        fmt,
        columns=ACCOUNT_COLUMNS,
        title="accounts",
        empty="no accounts: add [[actors]] to the config, then sync",
    )
