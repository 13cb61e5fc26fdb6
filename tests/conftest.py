"""Shared fixtures: migrated databases on SQLite and the real PostgreSQL, config files, CLI."""

from __future__ import annotations

import gc
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer
from sqlalchemy import Engine, create_engine, text

import storage.users
from monitor import shutdown
from storage.engine import make_engine
from storage.migrations import upgrade
from tests.support.config import write_config as write_config  # where older tests look for it
from tests.support.databases import PostgresTestDatabase, copy_sqlite
from tests.support.processes import run_polmon as run_polmon  # where tests look for it
from tests.support.telegram_site import TelegramSite

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REFERENCE = REPO_ROOT.parent / "shared" / "reference"
POSTGRES_URL = os.environ.get(
    "POLMON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(present: bool, what: str, how: str) -> None:
    """Skip, naming what to install, when a tool or file is missing; under CI=true, fail."""
    if present:
        return
    if IN_CI:
        pytest.fail(f"{what} missing: {how} (CI=true: nothing may be skipped)", pytrace=False)
    pytest.skip(f"{what} missing: {how}")


_skipped_in_ci: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Under CI=true every skip is noted (xfails aside): the run then fails."""
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        _skipped_in_ci.append(report.nodeid)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `slow` run first (otherwise in collection order): under pytest-xdist a long
    test handed out last keeps one worker busy while the others have finished. Mark a whole
    module that has module-scoped fixtures, never some of its tests (they would be split)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What the test process holds once the suite is collected (its modules, the test items,
    about a million objects) lives to the end: `gc.freeze()` takes it out of the collector's
    view, so a full collection (CPython's own, faster-whisper's after each decode) walks only
    what the tests made since. Each such collection cost about 0.15 s of CPU before."""
    if not os.environ.get("POLMON_TEST_NO_GC_FREEZE"):
        gc.freeze()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped_in_ci and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _skipped_in_ci:
        terminalreporter.write_line(
            f"CI=true: {len(_skipped_in_ci)} test(s) skipped, which CI does not allow "
            f"(first: {_skipped_in_ci[0]})",
            red=True,
        )


@dataclass
class TestDatabase:
    """A migrated, isolated database: its own SQLite file or its own PostgreSQL database."""

    __test__ = False
    kind: str
    url: str
    schema: str | None
    engine: Engine

    def config_toml(self) -> str:
        lines = ["[database]", f'url = "{self.url}"']
        if self.schema:
            lines.append(f'schema = "{self.schema}"')
        return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL test server's URL; skips (fails under CI=true) when unreachable."""
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 5})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        message = f"PostgreSQL at {POSTGRES_URL} unreachable ({type(exc).__name__}: {exc})"
        if IN_CI:
            pytest.fail(message + " — CI needs it; set POLMON_TEST_POSTGRES_URL", pytrace=False)
        pytest.skip(message + "; install/start PostgreSQL or set POLMON_TEST_POSTGRES_URL")
    return POSTGRES_URL


@pytest.fixture
def postgres_schema(postgres_server: str) -> Iterator[str]:
    """A fresh, empty schema in the PostgreSQL test database, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_test_database(postgres_server: str) -> Iterator[PostgresTestDatabase]:
    database = PostgresTestDatabase(postgres_server)
    try:
        yield database
    finally:
        database.drop_in_background()


@pytest.fixture
def postgres_database(postgres_test_database: PostgresTestDatabase) -> Iterator[str]:
    """The URL of a migrated PostgreSQL database holding no rows, for this test alone."""
    yield postgres_test_database.url
    postgres_test_database.reset()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated from empty to head once per session; tests get copies of it."""
    path = tmp_path_factory.mktemp("sqlite-template") / "polmon-test.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _database(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[TestDatabase]:
    if kind == "sqlite":
        path = tmp_path / "polmon-test.sqlite3"
        copy_sqlite(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
        schema = None
    else:
        url = request.getfixturevalue("postgres_database")
        schema = None
    engine = make_engine(url, schema=schema)
    try:
        yield TestDatabase(kind, url, schema, engine)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestDatabase]:
    """A migrated database, once on SQLite and once on PostgreSQL."""
    yield from _database(request.param, tmp_path, request)


@pytest.fixture
def sqlite_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestDatabase]:
    yield from _database("sqlite", tmp_path, request)


@pytest.fixture
def pg_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestDatabase]:
    yield from _database("postgres", tmp_path, request)


def invoke(config_path: Path | None, *args: str) -> Result:
    """Run the CLI in-process (fast); see `run_polmon` for a real subprocess."""
    from monitor.cli import cli

    argv = (["--config", str(config_path)] if config_path else []) + list(args)
    return CliRunner().invoke(cli, argv, catch_exceptions=False)


@pytest.fixture
def site(httpserver: HTTPServer) -> Iterator[TelegramSite]:
    """A t.me stand-in answering every request of the `httpserver` on 127.0.0.1."""
    telegram = TelegramSite()
    httpserver.expect_request(re.compile(".*")).respond_with_handler(telegram.handle)
    yield telegram


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for a module's tests, each of which opens its page in a new
    context (`chromium_page(base_url, browser)`): a launch costs about a second. A module that
    uses it gets an `xdist_group`, and calls no `asyncio.run` (see `chromium`)."""
    from tests.support.web import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture(autouse=True)
def _no_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables are laid out for no terminal unless a test sets a width itself: COLUMNS, exported
    by some shells and set to 80 in every pytest-xdist worker, is cleared for each test."""
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture(autouse=True)
def _no_stop_request() -> None:
    """Stages poll the process-wide stop request: start each test without one."""
    shutdown.reset()


# Password hashing in this process: argon2id with argon2-cffi's test profile (8 KiB, one
# pass) instead of the production 64 MiB and three passes (0.5 s of CPU for each hash and
# check, and the web tests sign a user in each). Hashes stay argon2id and are checked by the
# same code; `production_password_hashing` puts the real parameters back for a test, and
# `polmon` processes started by tests (`polmon users`, `polmon serve`) always use them.
PRODUCTION_HASHER = storage.users.HASHER
_PRODUCTION_UNKNOWN_USER_HASH = storage.users._UNKNOWN_USER_HASH


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    cheap = PasswordHasher.from_parameters(CHEAPEST)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(storage.users, "HASHER", cheap)
        patch.setattr(storage.users, "_UNKNOWN_USER_HASH", cheap.hash("no such user"))
        yield


@pytest.fixture
def production_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with the parameters polmon ships (RFC 9106's low-memory profile)."""
    monkeypatch.setattr(storage.users, "HASHER", PRODUCTION_HASHER)
    monkeypatch.setattr(storage.users, "_UNKNOWN_USER_HASH", _PRODUCTION_UNKNOWN_USER_HASH)
