"""The web app's users: the only writes to `users`, and argon2 hashing of their passwords.

A password is hashed here, before anything reaches the database, and is never logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.errors import UserError
from storage.models import USER_ROLES, User
from storage.types import utcnow

# argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB, 3 passes).
HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
NAME_PATTERN = re.compile(r"[\w.@-]{1,100}")
# Checked against when the name is unknown, so an unknown name costs the same time as a
# wrong password and the two cannot be told apart.
_UNKNOWN_USER_HASH = HASHER.hash("no such user: this hash matches no password anyone types")


class UserProblem(UserError, ValueError):
    """A user cannot be added or changed as asked (the message says why, in one line)."""


class UserExists(UserProblem):
    """The name is taken."""


class UnknownUser(UserProblem):
    """No user has that name."""


@dataclass(frozen=True)
class NewUser:
    id: int
    name: str
    role: str


def check_name(name: str) -> str:
    """`name` if it is a valid login name, else UserProblem."""
    if not NAME_PATTERN.fullmatch(name):
        raise UserProblem(
            "a user name is 1 to 100 letters, digits, '.', '_', '@' or '-' (no spaces)"
        )
    return name


def check_role(role: str) -> str:
    if role not in USER_ROLES:
        raise UserProblem(f"the role is one of {', '.join(USER_ROLES)}, not {role!r}")
    return role


def hash_password(password: str) -> str:
    """The argon2id hash of `password`; UserProblem if it is too short or too long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserProblem(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserProblem(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    return HASHER.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether `password` is the one hashed in `password_hash` (None: an unknown user, which
    takes as long to refuse as a wrong password)."""
    try:
        return HASHER.verify(password_hash or _UNKNOWN_USER_HASH, password[:MAX_PASSWORD_LENGTH])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def add_user(session: Session, name: str, password: str, role: str = "viewer") -> NewUser:
    """Add a user with the hash of `password`; UserExists if the name is taken."""
    check_name(name)
    check_role(role)
    password_hash = hash_password(password)
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise UserExists(f"a user named {name!r} exists already")
    user = User(name=name, role=role, password_hash=password_hash)
    session.add(user)
    session.flush()
    return NewUser(user.id, user.name, user.role)


def _user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise UnknownUser(f"no user named {name!r}")
    return user


def remove_user(session: Session, name: str) -> None:
    """Remove the user `name` (their sessions end at their next request)."""
    session.delete(_user(session, name))
    session.flush()


def set_password(session: Session, name: str, password: str) -> None:
    """Replace the user's password (their other sessions end at their next request)."""
    user = _user(session, name)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    session.flush()


def record_login(session: Session, user_id: int, password: str, at: datetime | None = None) -> None:
    """Note a successful login; rehash the password if the hashing parameters changed."""
    user = session.get(User, user_id)
    if user is None:
        return
    user.last_login_at = at or utcnow()
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    session.flush()
