"""Account leases: one process at a time collects an account (advisory locks, lock-file ranges)."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, text

# PostgreSQL: two-int advisory keys (schema hash, account id), apart from the one-key space
# the migration lock uses. Released by the server when the holding connection ends.
_PG_TRY = text(
    "SELECT pg_try_advisory_lock(hashtext('polmon-collect:' || current_schema()), :account)"
)
_PG_UNLOCK = text(
    "SELECT pg_advisory_unlock(hashtext('polmon-collect:' || current_schema()), :account)"
)
_PG_KEY_SPACE = 2**31

_guard = threading.Lock()
# SQLite leases this process holds, by (lock file, account id): POSIX record locks do not
# keep two threads of one process apart, so the process keeps its own list too.
_held: set[tuple[Path, int]] = set()
# One open handle per SQLite lock file for the life of the process: closing any handle of a
# file would drop every POSIX lock the process holds on it.
_lock_files: dict[Path, IO[bytes]] = {}


def lock_file_path(database: str) -> Path:
    """The file whose byte ranges lease the accounts of the SQLite database at `database`
    (a path, or a `file:` URI such as `file:/data/polmon.sqlite3?mode=ro`)."""
    if database.startswith("file:"):
        database = unquote(urlsplit(database).path)
    path = Path(database)
    return path.with_name(path.name + ".collect-locks")


@contextmanager
def account_lease(engine: Engine, account_id: int) -> Iterator[bool]:
    """Hold the account's lease for the block; yields False when another holder has it.

    The lease is the database server's (PostgreSQL) or the operating system's (SQLite), so a
    killed process loses it at once and the next collection may proceed.
    """
    if engine.dialect.name == "postgresql":
        with _postgres_lease(engine, account_id) as leased:
            yield leased
    else:
        with _sqlite_lease(engine, account_id) as leased:
            yield leased


@contextmanager
def _postgres_lease(engine: Engine, account_id: int) -> Iterator[bool]:
    params = {"account": account_id % _PG_KEY_SPACE}
    with engine.connect() as conn:
        leased = bool(conn.scalar(_PG_TRY, params))
        conn.commit()  # the lock is the session's: keep the connection, not a transaction
        try:
            yield leased
        finally:
            if leased:
                conn.scalar(_PG_UNLOCK, params)
                conn.commit()


@contextmanager
def _sqlite_lease(engine: Engine, account_id: int) -> Iterator[bool]:
    database = engine.url.database
    if not database or database == ":memory:":
        yield True  # a private database: only this process can collect into it
        return
    path = lock_file_path(database).resolve()
    with _guard:
        busy = (path, account_id) in _held
        if not busy:
            _held.add((path, account_id))
        handle = _lock_files.get(path)
        if handle is None and not busy:
            try:
                handle = _lock_files[path] = path.open("a+b")
            except OSError:  # a read-only folder: nothing to coordinate, nor to write
                handle = None
    if busy:
        yield False
        return
    if handle is None:
        try:
            yield True
        finally:
            with _guard:
                _held.discard((path, account_id))
        return
    try:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, account_id)
        except OSError:  # EAGAIN / EACCES: another process holds this account's byte
            yield False
            return
        try:
            yield True
        finally:
            fcntl.lockf(handle, fcntl.LOCK_UN, 1, account_id)
    finally:
        with _guard:
            _held.discard((path, account_id))
