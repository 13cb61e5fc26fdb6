"""storage/users.py on SQLite and PostgreSQL: argon2 hashes only, names unique, roles checked."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from monitor.queries.users import find_credentials, find_signed_in, list_users
from storage.engine import transaction
from storage.models import User
from storage.users import (
    UnknownUser,
    UserExists,
    UserProblem,
    add_user,
    password_matches,
    record_login,
    remove_user,
    set_password,
)
from tests.conftest import TestDatabase

PASSWORD = "correct horse battery staple"


@pytest.mark.usefixtures("production_password_hashing")
def test_only_an_argon2id_hash_is_stored_and_it_checks_the_password(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        added = add_user(session, "alice", PASSWORD, "admin")
    with transaction(db.engine) as session:
        stored = session.scalars(select(User)).one()
        credentials = find_credentials(session, "alice")
    assert stored.id == added.id and stored.role == "admin"
    assert stored.password_hash.startswith("$argon2id$")
    # the shipped parameters (the rest of the suite hashes with argon2's cheap test profile)
    assert extract_parameters(stored.password_hash) == RFC_9106_LOW_MEMORY
    assert PASSWORD not in stored.password_hash
    assert credentials is not None
    assert password_matches(credentials.password_hash, PASSWORD)
    assert not password_matches(credentials.password_hash, PASSWORD + "!")
    assert not password_matches(None, PASSWORD)  # an unknown user never matches
    assert not password_matches("not a hash", PASSWORD)


def test_names_are_unique_and_roles_and_passwords_are_checked(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        add_user(session, "alice", PASSWORD)
    with pytest.raises(UserExists), transaction(db.engine) as session:
        add_user(session, "alice", PASSWORD)
    with pytest.raises(UserProblem, match="role"), transaction(db.engine) as session:
        add_user(session, "bob", PASSWORD, "root")
    with pytest.raises(UserProblem, match="8 characters"), transaction(db.engine) as session:
        add_user(session, "bob", "short")
    for bad_name in ("", "two words", "a/b", "<script>", "x" * 101):
        with pytest.raises(UserProblem, match="user name"), transaction(db.engine) as session:
            add_user(session, bad_name, PASSWORD)
    with transaction(db.engine) as session:
        assert [user["name"] for user in list_users(session)] == ["alice"]


def test_the_database_refuses_an_unknown_role_and_a_second_name(db: TestDatabase) -> None:
    with pytest.raises(IntegrityError), transaction(db.engine) as session:
        session.add(User(name="mallory", role="root", password_hash="x"))
    with transaction(db.engine) as session:
        add_user(session, "alice", PASSWORD)
    with pytest.raises(IntegrityError), transaction(db.engine) as session:
        session.add(User(name="alice", role="viewer", password_hash="x"))


def test_set_password_remove_and_record_login(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        user_id = add_user(session, "alice", PASSWORD).id
    with transaction(db.engine) as session:
        before = find_signed_in(session, user_id)
        set_password(session, "alice", "a brand new passphrase")
    with transaction(db.engine) as session:
        after = find_credentials(session, "alice")
        record_login(session, user_id, "a brand new passphrase")
    assert before is not None and after is not None
    assert after.password_changed_at > before.password_changed_at
    assert password_matches(after.password_hash, "a brand new passphrase")
    assert not password_matches(after.password_hash, PASSWORD)
    with transaction(db.engine) as session:
        listed = list_users(session)
        assert listed[0]["last_login_at"] is not None
        assert set(listed[0]) == {
            "name", "role", "created_at", "password_changed_at", "last_login_at"
        }  # fmt: skip
        remove_user(session, "alice")
    with transaction(db.engine) as session:
        assert find_signed_in(session, user_id) is None
    for change in (lambda s: remove_user(s, "alice"), lambda s: set_password(s, "alice", PASSWORD)):
        with pytest.raises(UnknownUser), transaction(db.engine) as session:
            change(session)


def test_admins_are_listed_first(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        add_user(session, "zed", PASSWORD, "admin")
        add_user(session, "amy", PASSWORD)
        add_user(session, "bea", PASSWORD, "admin")
    with transaction(db.engine) as session:
        assert [(u["name"], u["role"]) for u in list_users(session)] == [
            ("bea", "admin"),
            ("zed", "admin"),
            ("amy", "viewer"),
        ]
