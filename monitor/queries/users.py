"""The web app's users, for `polmon users list`, the admin page and the login check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from typing_extensions import TypedDict  # pydantic (the API) needs it before 3.12

from storage.models import User

USER_COLUMNS = ("name", "role", "created_at", "password_changed_at", "last_login_at")


class UserListing(TypedDict):
    """One user (keys: `USER_COLUMNS`); never the password or its hash."""

    name: str
    role: str
    created_at: datetime
    password_changed_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True)
class Credentials:
    """What the login check needs: the user and their password's hash."""

    id: int
    name: str
    role: str
    password_hash: str
    password_changed_at: datetime


def list_users(session: Session) -> list[UserListing]:
    """Every user, admins first, then by name."""
    rows = session.scalars(select(User).order_by(User.role, User.name))
    return [
        UserListing(
            name=user.name,
            role=user.role,
            created_at=user.created_at,
            password_changed_at=user.password_changed_at,
            last_login_at=user.last_login_at,
        )
        for user in rows
    ]


def find_credentials(session: Session, name: str) -> Credentials | None:
    """The user named `name` with their password hash, or None."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        return None
    return Credentials(user.id, user.name, user.role, user.password_hash, user.password_changed_at)


def find_signed_in(session: Session, user_id: int) -> Credentials | None:
    """The user behind a session, or None once removed."""
    user = session.get(User, user_id)
    if user is None:
        return None
    return Credentials(user.id, user.name, user.role, user.password_hash, user.password_changed_at)
