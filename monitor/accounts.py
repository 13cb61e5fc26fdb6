"""Config is the source of truth for actors and accounts: sync it into the database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config import PolmonConfig
from storage.models import Account, Actor
from storage.types import utcnow

_TELEGRAM_URL = re.compile(r"^(?:https?://)?(?:www\.)?(?:t|telegram)\.me/(?:s/)?([A-Za-z0-9_]+)")
_TIKTOK_URL = re.compile(r"^(?:https?://)?(?:www\.)?tiktok\.com/@([A-Za-z0-9_.]+)")
_YOUTUBE_HANDLE_URL = re.compile(r"^(?:https?://)?(?:www\.|m\.)?youtube\.com/(@[\w.\-]+)")


def account_key(platform: str, handle: str | None, url: str | None) -> str:
    """The stable identity of an account within its platform, from a handle or a URL.

    Telegram: the channel username, lower-cased. TikTok: `@handle`, lower-cased.
    YouTube: `@handle` when there is one, else the channel URL. Facebook: the page URL
    without scheme, query or trailing slash, lower-cased.
    """
    raw = (handle or url or "").strip()
    if platform == "telegram":
        match = _TELEGRAM_URL.match(raw)
        name = match.group(1) if match else raw.lstrip("@")
        return name.lower()
    if platform == "tiktok":
        match = _TIKTOK_URL.match(raw)
        name = match.group(1) if match else raw.lstrip("@")
        return "@" + name.lower()
    if platform == "youtube":
        match = _YOUTUBE_HANDLE_URL.match(raw)
        if match:
            return match.group(1).lower()
        if raw.startswith("@"):
            return raw.lower()
        return _bare_url(raw)
    return _bare_url(raw)


def _bare_url(raw: str) -> str:
    parts = urlsplit(raw if "://" in raw else f"https://{raw}")
    host = parts.netloc.lower().removeprefix("www.").removeprefix("m.")
    key = f"{host}{parts.path.rstrip('/')}".lower()
    if parts.path.rstrip("/").endswith("profile.php"):  # the page is its numeric id
        page_id = parse_qs(parts.query).get("id", [""])[0]
        if page_id:
            key += f"?id={page_id}"
    return key


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
