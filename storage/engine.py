"""Engines and sessions for SQLite (WAL, foreign keys, busy timeout) and PostgreSQL (pooled)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from collectors.errors import PolmonError
from storage import boundary

SQLITE_BUSY_TIMEOUT_MS = 30_000
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class DatabaseError(PolmonError):
    """A database URL that is malformed, unsupported or unreachable: one line for the user."""

    expected = True


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Set WAL, foreign keys, the busy timeout and NORMAL sync on a new SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def check_database_url(url: str) -> None:
    """Raise DatabaseError when `url` is no database URL or names a backend polmon does not
    support (without connecting)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"bad database URL {url!r}: {exc}") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(
            f"unsupported database {parsed.get_backend_name()!r} in {url!r}: use sqlite:///PATH "
            "or postgresql+psycopg://USER@HOST/DB"
        )


def make_engine(url: str, *, schema: str | None = None, pool_size: int = 5) -> Engine:
    """Create an engine for `url`; `schema` selects a PostgreSQL schema (search_path)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"bad database URL {url!r}: {exc}") from None
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            if parsed.database and parsed.database != ":memory:" and not _is_uri(parsed):
                folder = Path(parsed.database).parent
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                except OSError as exc:  # a file where the folder should be, no permission
                    raise DatabaseError(
                        f"cannot create the database folder: {path_problem(exc)}; "
                        "check [paths] data_dir or [database] url"
                    ) from None
            engine = create_engine(
                parsed,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                json_serializer=boundary.json_serializer,
            )
            event.listen(engine, "connect", sqlite_pragmas)
            boundary.install(engine)
            # Let SQLite's own BEGIN IMMEDIATE-free locking work with pysqlite's transactions.
            return engine
        if backend == "postgresql":
            connect_args: dict[str, Any] = {"connect_timeout": 10}
            if schema:
                if not _SCHEMA_NAME.match(schema):
                    raise DatabaseError(f"bad PostgreSQL schema name {schema!r}")
                connect_args["options"] = f"-csearch_path={schema}"
            engine = create_engine(
                parsed,
                pool_pre_ping=True,
                pool_size=pool_size,
                connect_args=connect_args,
                json_serializer=boundary.json_serializer,
            )
            boundary.install(engine)
            return engine
    except NoSuchModuleError as exc:
        raise DatabaseError(f"unsupported database URL {url!r}: {exc}") from None
    except ModuleNotFoundError as exc:
        raise DatabaseError(f"database driver missing for {url!r}: {exc}") from None
    raise DatabaseError(
        f"unsupported database {backend!r} in {url!r}: use sqlite:///PATH or "
        "postgresql+psycopg://USER@HOST/DB"
    )


def path_problem(exc: OSError) -> str:
    """A local path in the way, in words, told by the exception's type."""
    name = exc.filename or "a path"
    if isinstance(exc, FileExistsError):
        return f"{name} is a file, where a folder is needed"
    if isinstance(exc, NotADirectoryError):
        return f"{name} lies under a file, where a folder is needed"
    if isinstance(exc, IsADirectoryError):
        return f"{name} is a folder, where a file is needed"
    if isinstance(exc, PermissionError):
        return f"no permission to use {name}"
    return f"{name}: {exc.strerror or type(exc).__name__}"


def _is_uri(parsed: Any) -> bool:
    """A `file:` URI database (`?uri=true`): SQLite opens it, there is no folder to make."""
    return str(parsed.query.get("uri", "")).lower() in ("true", "1")


# SQLSTATE of PostgreSQL's "cannot execute … in a read-only transaction".
_PG_READ_ONLY_SQLSTATE = "25006"


def is_read_only_error(exc: BaseException) -> bool:
    """Whether a database error is a write refused because the database is read-only
    (SQLite's SQLITE_READONLY family, PostgreSQL's read-only transaction), by error code."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF == sqlite3.SQLITE_READONLY
    return getattr(orig, "sqlstate", None) == _PG_READ_ONLY_SQLSTATE


def check_connection(engine: Engine) -> None:
    """Connect once, turning a refused or unknown database into a one-line DatabaseError."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        url = engine.url.render_as_string(hide_password=True)
        raise DatabaseError(f"cannot connect to database {url}: {reason}") from None


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work commits at the end of the block, or rolls back on error."""
    with session_factory(engine).begin() as session:
        yield session
