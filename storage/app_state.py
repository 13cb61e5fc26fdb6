"""Small named JSON documents the stages keep between runs (the app_state table)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from storage.models import AppState


def read_state(session: Session, key: str) -> dict[str, Any] | None:
    """The document stored under `key`, or None when there is none."""
    state = session.get(AppState, key)
    return None if state is None or state.value is None else dict(state.value)


def write_state(session: Session, key: str, value: dict[str, Any]) -> None:
    """Store `value` under `key`, replacing what was there."""
    session.merge(AppState(key=key, value=value))
