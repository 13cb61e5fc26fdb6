"""Upgrades survive SIGKILL at any point and run one at a time when processes start together."""

from __future__ import annotations

import random
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, insert, inspect, select, text

from storage.engine import make_engine, transaction
from storage.migrations import current_revision, head_revisions, upgrade
from storage.models import Account, Actor, AudienceDaily, AudienceSnapshot, Base, Post
from tests.support.processes import PolmonProcess, start_polmon

HEAD = head_revisions()[0]
POPULATED_FROM = "0003"
SNAPSHOTS = 3000
POSTS = 300


class FreshDatabases:
    """Unmigrated databases of one engine: SQLite files, or PostgreSQL schemas dropped after."""

    def __init__(self, kind: str, tmp_path: Path, postgres_url: str | None) -> None:
        self.kind = kind
        self.tmp_path = tmp_path
        self.postgres_url = postgres_url
        self.schemas: list[str] = []
        self.engines: list[Engine] = []

    def new(self) -> tuple[Engine, Path]:
        """A fresh database's engine and a polmon.toml pointing at it."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        folder = self.tmp_path / name
        folder.mkdir()
        if self.postgres_url is None:
            url, schema = f"sqlite:///{folder / 'polmon.sqlite3'}", None
        else:
            url, schema = self.postgres_url, name
            with self._admin().begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            self.schemas.append(schema)
        config = folder / "polmon.toml"
        lines = ["[paths]", 'data_dir = "data"', "[database]", f'url = "{url}"']
        if schema:
            lines.append(f'schema = "{schema}"')
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        engine = make_engine(url, schema=schema)
        self.engines.append(engine)
        return engine, config

    def _admin(self) -> Engine:
        assert self.postgres_url is not None
        return create_engine(self.postgres_url)

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()
        if self.schemas:
            admin = self._admin()
            with admin.begin() as conn:
                for schema in self.schemas:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FreshDatabases]:
    url = request.getfixturevalue("postgres_server") if request.param == "postgres" else None
    databases = FreshDatabases(request.param, tmp_path, url)
    try:
        yield databases
    finally:
        databases.close()


def _polmon(config: Path, *args: str) -> PolmonProcess:
    return start_polmon(
        ["--verbose", "--config", str(config), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_during_upgrade(config: Path, nth_step: int, delay: float) -> bool:
    """Run `polmon db upgrade`; SIGKILL it `delay` s after its nth "Running upgrade". Killed?"""
    process = _polmon(config, "db", "upgrade")
    assert process.stderr is not None
    steps = 0
    for line in process.stderr:
        if "Running upgrade" in line:
            steps += 1
            if steps == nth_step:
                time.sleep(delay)
                process.send_signal(signal.SIGKILL)
                break
    process.communicate()
    return process.returncode == -signal.SIGKILL


def _populate(engine: Engine) -> None:
    """Accounts with posts and audience snapshots, written at revision 0003 (bulk inserts)."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with transaction(engine) as session:
        actor = Actor(name="Someone")
        session.add(actor)
        session.flush()
        # Core, naming the columns: the model has columns later revisions add.
        account_id = session.scalar(
            insert(Account.__table__)
            .values(actor_id=actor.id, platform="telegram", handle="someone")
            .returning(Account.__table__.c.id)
        )
        session.execute(
            insert(AudienceSnapshot),
            [
                {
                    "account_id": account_id,
                    "captured_at": start + timedelta(hours=i),
                    "followers": i,
                }
                for i in range(SNAPSHOTS)
            ],
        )
        # Core, naming the columns: the model has columns later revisions add.
        session.execute(
            insert(Post.__table__).values(
                [
                    {
                        "account_id": account_id,
                        "platform_post_id": str(i),
                        "published_at": start + timedelta(hours=i),
                        "text": f"post number {i}",
                    }
                    for i in range(POSTS)
                ]
            )
        )


def _assert_at_head(engine: Engine, *, populated: bool) -> None:
    assert current_revision(engine) == HEAD
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    if populated:
        with transaction(engine) as session:
            assert session.scalar(select(func.count()).select_from(Post)) == POSTS
            snapshots = session.scalar(select(func.count()).select_from(AudienceSnapshot))
            days = session.scalar(select(func.count()).select_from(AudienceDaily))
        assert snapshots == SNAPSHOTS
        assert days == SNAPSHOTS // 24  # the 0004 backfill ran exactly once


@pytest.mark.slow
@pytest.mark.parametrize("populated", [False, True], ids=["fresh", "populated"])
def test_sigkill_during_upgrade_leaves_a_database_the_next_upgrade_completes(
    fresh: FreshDatabases, populated: bool
) -> None:
    chooser = random.Random(f"{fresh.kind}-{populated}")
    start_revision = POPULATED_FROM if populated else None
    steps = 2 if populated else 4  # kill during one of the first `steps` migrations
    killed_midway = 0
    for trial in range(4):
        engine, config = fresh.new()
        if populated:
            upgrade(engine, POPULATED_FROM)
            _populate(engine)
        # The first kill follows the log line at once (surely mid-upgrade), the others later.
        delay = chooser.uniform(0, 0.1) if trial else 0.0
        killed = _kill_during_upgrade(config, trial % steps + 1, delay)
        after_kill = current_revision(engine)
        # One transaction per upgrade: a kill leaves the revision it started from, never half.
        assert after_kill in (start_revision, HEAD)
        killed_midway += killed and after_kill == start_revision
        if after_kill == start_revision and start_revision is None:
            assert inspect(engine).get_table_names() in ([], ["alembic_version"])
        upgrade(engine)
        _assert_at_head(engine, populated=populated)
    assert killed_midway > 0  # the kills did land inside upgrades


@pytest.mark.slow
def test_processes_started_together_on_a_fresh_database_all_upgrade(
    fresh: FreshDatabases,
) -> None:
    engine, config = fresh.new()
    # Four processes, started at once, race for the same fresh database (seven cost twice the CPU).
    processes = [_polmon(config, "db", "upgrade") for _ in range(4)]
    results = [process.communicate() for process in processes]
    failures = [
        err for process, (_out, err) in zip(processes, results, strict=True) if process.returncode
    ]
    assert failures == []
    assert all(out == f"database at revision {HEAD}\n" for out, _err in results)
    _assert_at_head(engine, populated=False)
