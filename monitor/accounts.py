"""Config is the source of truth for actors and accounts: sync it into the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.identity import account_key
from monitor.config import PolmonConfig
from storage.models import Account, Actor
from storage.types import utcnow

__all__ = ["SyncResult", "account_key", "sync_accounts"]


@dataclass(frozen=True)
class SyncResult:
    actors_added: int
    accounts_added: int
    accounts_updated: int
    accounts_deactivated: int


def sync_accounts(session: Session, config: PolmonConfig) -> SyncResult:
    """Upsert configured actors and accounts; mark those no longer configured inactive."""
    now = utcnow()
    actors = {actor.name: actor for actor in session.scalars(select(Actor))}
    accounts = {(a.platform, a.handle): a for a in session.scalars(select(Account))}
    wanted: set[tuple[str, str]] = set()
    wanted_actors: set[str] = set()
    added_actors = added = updated = 0
    for actor_config in config.actors:
        actor = actors.get(actor_config.name)
        if actor is None:
            actor = Actor(name=actor_config.name)
            session.add(actor)
            actors[actor.name] = actor
            added_actors += 1
        actor.kind, actor.country = actor_config.kind, actor_config.country
        actor.notes, actor.active = actor_config.notes, True
        wanted_actors.add(actor.name)
        for account_config in actor_config.accounts:
            key: tuple[str, str] = (account_config.platform, account_config.key)
            account = accounts.get(key)
            if account is None:
                account = Account(platform=key[0], handle=key[1], first_seen_at=None, cursor={})
                session.add(account)
                accounts[key] = account
                added += 1
            elif not account.active or account.actor is not actor:
                updated += 1
            account.actor = actor
            account.url = account.url or account_config.url
            account.notes = account_config.notes
            account.active = account_config.enabled
            if account_config.enabled:
                wanted.add(key)
    deactivated = 0
    for key, account in accounts.items():
        if key not in wanted and account.active:
            account.active = False
            account.updated_at = now
            deactivated += 1
    for name, actor in actors.items():
        if name not in wanted_actors:
            actor.active = False
    session.flush()
    return SyncResult(added_actors, added, updated, deactivated)
