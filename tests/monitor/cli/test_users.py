"""`polmon users`: passwords from stdin, a terminal prompt or a file, never an argument; the
database keeps the argon2 hash, not the password."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select as io_select
import subprocess
import sys
import termios
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import select

from monitor.cli import cli
from storage.engine import transaction
from storage.models import User
from storage.users import password_matches
from tests.conftest import REPO_ROOT, TestDatabase
from tests.support.config import write_config

PASSWORD = "Tr0ub4dor&3-long"


def _polmon(config: Path, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], input=stdin)


def _stored(db: TestDatabase) -> dict[str, User]:
    with transaction(db.engine) as session:
        return {user.name: user for user in session.scalars(select(User))}


def test_add_with_a_piped_password_stores_only_its_hash(db: TestDatabase, tmp_path: Path) -> None:
    config = write_config(tmp_path, db)
    added = _polmon(config, "users", "add", "alice", "--role", "admin", stdin=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert added.output == "added admin alice\n"
    user = _stored(db)["alice"]
    assert user.role == "admin" and user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert password_matches(user.password_hash, PASSWORD)
    listed = _polmon(config, "users", "list", "--format", "json")
    assert listed.exit_code == 0
    rows = json.loads(listed.output)
    assert [(row["name"], row["role"]) for row in rows] == [("alice", "admin")]
    assert PASSWORD not in listed.output and "argon2" not in listed.output


def test_password_file_and_passwd_and_remove(db: TestDatabase, tmp_path: Path) -> None:
    config = write_config(tmp_path, db)
    secret = tmp_path / "password.txt"
    secret.write_text(PASSWORD + "\nsecond line ignored\n", encoding="utf-8")
    added = _polmon(config, "users", "add", "bob", "--password-file", str(secret))
    assert added.exit_code == 0, added.output
    assert added.output == "added viewer bob\n"
    first_hash = _stored(db)["bob"].password_hash
    assert password_matches(first_hash, PASSWORD)

    changed = _polmon(config, "users", "passwd", "bob", stdin="another long one\n")
    assert changed.exit_code == 0, changed.output
    new_hash = _stored(db)["bob"].password_hash
    assert new_hash != first_hash and password_matches(new_hash, "another long one")

    removed = _polmon(config, "users", "remove", "bob")
    assert removed.exit_code == 0 and removed.output == "removed bob\n"
    assert _stored(db) == {}
    again = _polmon(config, "users", "remove", "bob")
    assert again.exit_code == 2 and "no user named 'bob'" in again.output


def test_a_password_is_never_an_argument(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    config = write_config(tmp_path, sqlite_db)
    for args in (
        ("users", "add", "carol", PASSWORD),
        ("users", "add", "carol", "--password", PASSWORD),
        ("users", "passwd", "carol", PASSWORD),
    ):
        refused = _polmon(config, *args, stdin=PASSWORD + "\n")
        assert refused.exit_code == 2, args
    assert _stored(sqlite_db) == {}


def test_bad_input_is_one_line_and_exit_2(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    config = write_config(tmp_path, sqlite_db)
    assert _polmon(config, "users", "add", "dave", stdin=PASSWORD + "\n").exit_code == 0
    cases = {
        ("users", "add", "dave"): "exists already",
        ("users", "add", "two words"): "user name",
        ("users", "add", "erin"): "no password given",
        ("users", "passwd", "nobody"): "no user named",
    }
    for args, message in cases.items():
        stdin = "" if args[2] == "erin" else PASSWORD + "\n"
        result = _polmon(config, *args, stdin=stdin)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
    short = _polmon(config, "users", "add", "erin", stdin="short\n")
    assert short.exit_code == 2 and "at least 8 characters" in short.output
    empty = _polmon(config, "users", "list")
    assert "dave" in empty.output and PASSWORD not in empty.output


def _read_until(master: int, wanted: bytes) -> bytes:
    """What the terminal shows until `wanted` (a hang guard of 120 s, not a timing check)."""
    seen = b""
    while wanted not in seen:
        ready, _, _ = io_select.select([master], [], [], 120)
        assert ready, f"the terminal never showed {wanted!r}; it showed {seen!r}"
        seen += os.read(master, 1024)  # EIO (OSError) if the process ended first: a failure
    return seen


def _take_terminal() -> None:
    """In the child, after setsid: make stdin (the pty) the controlling terminal, where
    getpass prompts and reads."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_on_a_terminal_the_password_is_asked_twice_and_not_echoed(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    config = write_config(tmp_path, sqlite_db)
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config), "users", "add", "frank"],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        start_new_session=True,
        preexec_fn=_take_terminal,
    )
    os.close(slave)
    try:
        shown = _read_until(master, b"Password: ")
        os.write(master, PASSWORD.encode() + b"\n")
        shown += _read_until(master, b"confirmation: ")
        os.write(master, PASSWORD.encode() + b"\n")
        shown += _read_until(master, b"added viewer frank")
        _, stderr = process.communicate(timeout=120)
    finally:
        os.close(master)
    assert process.returncode == 0, stderr.decode()
    assert PASSWORD.encode() not in shown  # hidden input: the terminal did not echo it
    assert password_matches(_stored(sqlite_db)["frank"].password_hash, PASSWORD)
