"""What the user named on the command line (`--account`, `--actor`) resolved to database rows.

Every command that takes `--account` or `--actor` goes through here, so a handle (with or
without @), a profile URL and an actor name in any letter case mean the same thing
everywhere, and a name that matches nothing is one line listing what exists. Account
handles and URLs are parsed by `collectors.identity`, the platforms' one parser.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.errors import UserError
from collectors.identity import InvalidAccount, account_key, host_platform, key_name, looks_like_url
from storage.models import Account, Actor, KeywordHit

LISTED = 8  # names shown after "no such account"


class UnknownSelection(UserError, ValueError):
    """A --account or --actor that names nothing in the database (a user error)."""


@dataclass(frozen=True)
class AccountRow:
    id: int
    platform: str
    handle: str
    active: bool

    @property
    def label(self) -> str:
        return f"{self.platform} {self.handle}"


def _account_rows(session: Session, platform: str | None, active_only: bool) -> list[AccountRow]:
    query = select(Account.id, Account.platform, Account.handle, Account.active).order_by(
        Account.platform, Account.handle
    )
    if platform:
        query = query.where(Account.platform == platform)
    if active_only:
        query = query.where(Account.active.is_(True))
    return [AccountRow(*row) for row in session.execute(query)]


def account_matches(spec: str, platform: str, handle: str) -> bool:
    """Whether `spec` (a handle with or without @, or a profile URL) names this stored account."""
    text = spec.strip()
    if not text:
        return False
    if looks_like_url(text):
        owner = host_platform(text)
        if owner is not None and owner != platform:
            return False
        try:
            return account_key(platform, text, None) == handle
        except InvalidAccount:
            return False
    name = text.removeprefix("@").casefold()
    return handle.casefold() in (text.casefold(), name) or key_name(handle).casefold() == name


def find_accounts(
    session: Session, spec: str, *, platform: str | None = None, active_only: bool = False
) -> list[AccountRow]:
    """The accounts `spec` names (one per platform at most for a handle); UnknownSelection
    when there are none."""
    rows = _account_rows(session, platform, active_only)
    matched = [row for row in rows if account_matches(spec, row.platform, row.handle)]
    if matched:
        return matched
    where = f" on {platform}" if platform else ""
    known = ", ".join(row.label for row in rows[:LISTED])
    more = f" and {len(rows) - LISTED} more" if len(rows) > LISTED else ""
    listing = f"; accounts{where}: {known}{more}" if rows else f"; no accounts{where} yet"
    raise UnknownSelection(f"no such account: {spec.strip()!r}{where}{listing}")


def find_account_ids(
    session: Session, spec: str | None, *, platform: str | None = None, active_only: bool = False
) -> list[int] | None:
    """Ids of the accounts `spec` names, or None when no --account was given."""
    if spec is None:
        return None
    rows = find_accounts(session, spec, platform=platform, active_only=active_only)
    return [row.id for row in rows]


def actor_name(session: Session, name: str | None) -> str | None:
    """The stored spelling of the actor `name` (letter case ignored), None when not given."""
    if name is None:
        return None
    names = list(session.scalars(select(Actor.name).order_by(Actor.name)))
    wanted = name.strip().casefold()
    for stored in names:
        if stored.casefold() == wanted:
            return stored
    shown = ", ".join(repr(n) for n in names[:LISTED])
    more = f" and {len(names) - LISTED} more" if len(names) > LISTED else ""
    listing = f"; actors: {shown}{more}" if names else "; none yet: add [[actors]] to the config"
    raise UnknownSelection(f"no actor named {name!r}{listing}")


def group_name(session: Session, configured: Collection[str], name: str | None) -> str | None:
    """The keyword group `name` (letter case ignored) among the configured groups and those
    with stored hits; None when not given."""
    if name is None:
        return None
    stored = set(session.scalars(select(KeywordHit.group_name).distinct()))
    known = sorted(set(configured) | stored)
    wanted = name.strip().casefold()
    for group in known:
        if group.casefold() == wanted:
            return group
    shown = ", ".join(known[:LISTED]) + (
        f" and {len(known) - LISTED} more" if len(known) > LISTED else ""
    )
    listing = f"; groups: {shown}" if known else "; none yet: add [keywords.NAME] to the config"
    raise UnknownSelection(f"no keyword group named {name!r}{listing}")
