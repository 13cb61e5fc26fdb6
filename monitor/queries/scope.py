"""`scoped()`: the one actor / account / platform / since / until filter every analyst read uses."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import Account, Actor

AnySelect = TypeVar("AnySelect", bound="Select[*tuple[Any, ...]]")


def scoped(
    stmt: AnySelect,
    *,
    time: InstrumentedAttribute[Any] | None = None,
    actor: str | None = None,
    actors: Collection[str] | None = None,
    account_ids: Collection[int] | None = None,
    platform: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> AnySelect:
    """`stmt` narrowed to one actor (its stored name), some actors (names) and some accounts
    (ids; an empty collection matches nothing), one platform, and `since <= time < until`.

    `stmt` must already join `Account` (and `Actor` when `actor` or `actors` is given);
    `time` is the column the window applies to (a post's `published_at`, an event's
    `detected_at`…) and is needed only when `since` or `until` is given. None means "no filter"
    for every argument.
    """
    if actor is not None:
        stmt = stmt.where(Actor.name == actor)
    if actors is not None:
        stmt = stmt.where(Actor.name.in_(actors))
    if account_ids is not None:
        stmt = stmt.where(Account.id.in_(account_ids))
    if platform:
        stmt = stmt.where(Account.platform == platform)
    if since is not None or until is not None:
        if time is None:
            raise TypeError("scoped(): since/until need the time column they apply to")
        if since is not None:
            stmt = stmt.where(time >= since)
        if until is not None:
            stmt = stmt.where(time < until)
    return stmt
