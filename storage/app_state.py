"""Small named JSON documents the stages keep between runs (the app_state table)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from storage.models import AppState
from storage.types import utcnow


def read_state(session: Session, key: str) -> dict[str, Any] | None:
    """The document stored under `key`, or None when there is none."""
    state = session.get(AppState, key)
    return None if state is None or state.value is None else dict(state.value)


def write_state(session: Session, key: str, value: dict[str, Any]) -> None:
    """Store `value` under `key`, replacing what was there: one INSERT … ON CONFLICT DO UPDATE,
    so two writers of a key not yet stored (two rescan jobs in two daemons) both succeed, the
    later one's value kept (a read-then-insert lost that race with a duplicate-key error)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(AppState).values(key=key, value=value, updated_at=utcnow())
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
        )
    )
    loaded = session.identity_map.get(identity_key(AppState, key))
    if loaded is not None:  # a row this session read before would still show the old value
        session.expire(loaded)
