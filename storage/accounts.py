"""Writes to actors, accounts and account_events: config sync, profiles, status, cursors."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.records import AccountProfile, AccountRef
from storage.alerts import record_account_event
from storage.audience_jumps import JumpThreshold, baseline, record_jump
from storage.ingest import add_snapshot
from storage.models import Account, AccountEvent, Actor


@dataclass(frozen=True)
class AccountSpec:
    """One configured account, as sync_accounts stores it."""

    platform: str
    handle: str
    url: str | None = None
    notes: str | None = None
    enabled: bool = True


@dataclass(frozen=True)
class ActorSpec:
    """One configured actor and its accounts."""

    name: str
    kind: str = "person"
    country: str | None = None
    notes: str | None = None
    accounts: tuple[AccountSpec, ...] = ()


@dataclass(frozen=True)
class SyncResult:
    actors_added: int
    accounts_added: int
    accounts_updated: int
    accounts_deactivated: int


def sync_accounts(session: Session, actors: Sequence[ActorSpec], now: datetime) -> SyncResult:
    """Upsert the given actors and accounts; mark those not given inactive."""
    stored_actors = {actor.name: actor for actor in session.scalars(select(Actor))}
    accounts = {(a.platform, a.handle): a for a in session.scalars(select(Account))}
    configured = {(a.platform, a.handle) for spec in actors for a in spec.accounts}
    renamed = _renamed_accounts(accounts, configured)
    wanted: set[tuple[str, str]] = set()
    wanted_actors: set[str] = set()
    added_actors = added = updated = 0
    for spec in actors:
        actor = stored_actors.get(spec.name)
        if actor is None:
            actor = Actor(name=spec.name)
            session.add(actor)
            stored_actors[actor.name] = actor
            added_actors += 1
        _assign(actor, kind=spec.kind, country=spec.country, notes=spec.notes, active=True)
        wanted_actors.add(actor.name)
        for account_spec in spec.accounts:
            key = (account_spec.platform, account_spec.handle)
            account = accounts.get(key) or renamed.get((key[0], key[1].casefold()))
            if account is not None and account.handle != key[1]:  # config took up a rename
                del accounts[(account.platform, account.handle)]
                account.handle = key[1]
                accounts[key] = account
                updated += 1
            if account is None:
                account = Account(platform=key[0], handle=key[1], first_seen_at=None, cursor={})
                session.add(account)
                accounts[key] = account
                added += 1
            elif not account.active or account.actor is not actor:
                updated += 1
            if account.actor is not actor:
                account.actor = actor
            _assign(
                account,
                url=account.url or account_spec.url,
                notes=account_spec.notes,
                active=account_spec.enabled,
            )
            if account_spec.enabled:
                wanted.add(key)
    deactivated = 0
    for key, account in accounts.items():
        if key not in wanted and account.active:
            account.active = False
            account.updated_at = now
            deactivated += 1
    for name, actor in stored_actors.items():
        if name not in wanted_actors and actor.active:
            actor.active = False
    session.flush()
    return SyncResult(added_actors, added, updated, deactivated)


def _assign(row: Any, **values: Any) -> None:
    """Set the attributes that differ: a due check syncs every configured account, and rows
    left untouched give the flush nothing to compare (500 accounts: 36 ms → a few)."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def _renamed_accounts(
    accounts: dict[tuple[str, str], Account], configured: set[tuple[str, str]]
) -> dict[tuple[str, str], Account]:
    """(platform, casefolded handle) -> the stored account last seen under that handle after a
    rename (`cursor["username"]`, see `record_rename`) whose old handle the config no longer
    names: when the config names the new handle, the account (and its history) takes it.
    Built once per sync (looking it up per new account was quadratic: 0.4 s for 500)."""
    renamed: dict[tuple[str, str], Account] = {}
    for (platform, handle), account in accounts.items():
        seen = (account.cursor or {}).get("username")
        if isinstance(seen, str) and (platform, handle) not in configured:
            renamed.setdefault((platform, seen.casefold()), account)
    return renamed


def active_accounts(
    session: Session,
    *,
    platform: str | None = None,
    actor: str | None = None,
    account_ids: Collection[int] | None = None,
) -> list[tuple[int, str, str]]:
    """(id, platform, handle) of the active accounts to collect, by platform and handle,
    narrowed to one platform, one actor's name and/or the given ids."""
    query = (
        select(Account.id, Account.platform, Account.handle)
        .join(Actor, Account.actor_id == Actor.id)
        .where(Account.active.is_(True))
        .order_by(Account.platform, Account.handle)
    )
    if platform:
        query = query.where(Account.platform == platform)
    if actor is not None:
        query = query.where(Actor.name == actor)
    if account_ids is not None:
        query = query.where(Account.id.in_(list(account_ids)))
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


def account_ref(session: Session, account_id: int, extra_urls: tuple[str, ...] = ()) -> AccountRef:
    """What a collector is told about the stored account."""
    account = session.get_one(Account, account_id)
    return AccountRef(
        platform=account.platform,  # type: ignore[arg-type]
        handle=account.handle,
        url=account.url,
        platform_id=account.platform_id,
        cursor=dict(account.cursor or {}),
        extra_urls=extra_urls,
    )


def apply_profile(
    session: Session,
    account_id: int,
    profile: AccountProfile,
    now: datetime,
    source: str,
    *,
    jump: JumpThreshold | None = None,
) -> None:
    """Store a fetched profile: the account is active again, renames and a reassigned handle
    become account_events, the profile fields are updated and the audience counts snapshotted;
    with `jump`, followers that crossed it against an earlier day become a `growth_jump`
    outbox event in the same transaction (storage/audience_jumps.py)."""
    profile.reject_unsafe_links()  # javascript: and other non-web links stay in raw only
    account = session.get_one(Account, account_id)
    events: list[tuple[str, dict[str, Any]]] = []
    if account.status != "active":
        events.append(("came_back", {"previous_status": account.status}))
        account.status = "active"
    if profile.platform_id and account.platform_id and profile.platform_id != account.platform_id:
        events.append(
            ("handle_reassigned", {"old_id": account.platform_id, "new_id": profile.platform_id})
        )
    if (
        profile.display_name
        and account.display_name
        and profile.display_name != account.display_name
    ):
        events.append(("renamed", {"old": account.display_name, "new": profile.display_name}))
    for name in ("platform_id", "display_name", "description", "avatar_url"):
        value = getattr(profile, name)
        if value is not None:
            setattr(account, name, value)
    if profile.url and not account.url:
        account.url = profile.url
    account.first_seen_at = account.first_seen_at or now
    account.last_seen_at = now
    for kind, detail in events:
        _add_event(session, account_id, kind, detail)
    before = baseline(session, account_id, now) if jump and profile.followers is not None else None
    if add_snapshot(session, account_id, profile, now, source) and jump is not None:
        record_jump(
            session,
            account_id,
            before,
            profile.followers,
            approximate=profile.is_approximate,
            now=now,
            threshold=jump,
        )


def record_unavailable(
    session: Session,
    account_id: int,
    status: str,
    message: str,
    *,
    kind: str | None = None,
    detail: dict[str, Any] | None = None,
) -> bool:
    """The platform says the account is gone, private or unavailable: store the status and,
    when it changed, an account_event (of `kind`, default the status, with `detail` added).
    Whether it changed."""
    account = session.get_one(Account, account_id)
    if account.status == status:
        return False
    detail = {"previous_status": account.status, "message": message, **(detail or {})}
    _add_event(session, account_id, kind or status, detail)
    account.status = status
    return True


def record_rename(session: Session, account_id: int, old: str, new: str, url: str | None) -> None:
    """The platform's username of the account changed (the collector followed it by id): a
    `renamed` event with both usernames, the new one kept in `cursor["username"]` (collectors
    ask for it; `sync_accounts` gives the account the new handle once the config names it) and
    its profile URL. The handle stays the configured one: config, `--account`, intervals and
    history keep finding the account under the name the config gives it."""
    account = session.get_one(Account, account_id)
    account.cursor = {**(account.cursor or {}), "username": new}
    if url:
        account.url = url
    _add_event(session, account_id, "renamed", {"old_username": old, "new_username": new})


def _add_event(session: Session, account_id: int, kind: str, detail: dict[str, Any]) -> None:
    """An account_events row and, in the same transaction, its alert outbox event."""
    event = AccountEvent(account_id=account_id, kind=kind, detail=detail)
    session.add(event)
    session.flush()
    record_account_event(session, account_id, event.id, kind, detail)


def advance_cursor(
    session: Session,
    account_id: int,
    *,
    synced_through: datetime,
    backfilled_since: datetime,
    now: datetime,
) -> None:
    """A listing completed: the next pass re-reads from `synced_through`; the first
    backfill horizon is kept; the account was collected `now`."""
    account = session.get_one(Account, account_id)
    cursor = dict(account.cursor or {})
    cursor["synced_through"] = synced_through.isoformat()
    cursor.setdefault("backfilled_since", backfilled_since.isoformat())
    account.cursor = cursor
    account.last_collected_at = now
