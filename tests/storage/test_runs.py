"""storage.runs and storage.app_state on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from storage.app_state import read_state, write_state
from storage.engine import transaction
from storage.models import Account, Actor, CollectionRun
from storage.runs import INTERRUPTED, close_interrupted_runs, finish_run, start_run
from tests.conftest import TestDatabase

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def _account(db: TestDatabase) -> int:
    with transaction(db.engine) as session:
        account = Account(actor=Actor(name="PM"), platform="telegram", handle="pm", cursor={})
        session.add(account)
        session.flush()
        return account.id


def _runs(db: TestDatabase) -> list[tuple[str, int, datetime | None, str | None]]:
    with transaction(db.engine) as session:
        rows = session.scalars(select(CollectionRun).order_by(CollectionRun.id))
        return [(r.status, r.new_posts, r.finished_at, r.error) for r in rows]


def test_a_run_starts_running_and_finishes_with_its_counts(db: TestDatabase) -> None:
    account_id = _account(db)
    with transaction(db.engine) as session:
        run_id = start_run(session, account_id, T0)
    assert _runs(db) == [("running", 0, None, None)]
    done = T0 + timedelta(minutes=2)
    with transaction(db.engine) as session:
        finish_run(
            session, run_id, status="partial", new=3, updated=1, deleted=0, error="cut", now=done
        )
    assert _runs(db) == [("partial", 3, done, "cut")]


def test_runs_left_running_by_a_dead_process_are_closed(db: TestDatabase) -> None:
    account_id = _account(db)
    with transaction(db.engine) as session:
        finished = start_run(session, account_id, T0)
        finish_run(session, finished, status="ok", new=1, updated=0, deleted=0, error=None, now=T0)
        start_run(session, account_id, T0)
    later = T0 + timedelta(hours=1)
    with transaction(db.engine) as session:
        assert close_interrupted_runs(session, account_id, later) == 1
    with transaction(db.engine) as session:
        assert close_interrupted_runs(session, account_id, later) == 0
    assert _runs(db) == [("ok", 1, T0, None), ("failed", 0, later, INTERRUPTED)]


def test_app_state_is_read_back_and_replaced(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        assert read_state(session, "keywords.config_hash") is None
        write_state(session, "keywords.config_hash", {"groups": {"a": "1"}})
    with transaction(db.engine) as session:
        write_state(session, "keywords.config_hash", {"groups": {"b": "2"}})
    with transaction(db.engine) as session:
        assert read_state(session, "keywords.config_hash") == {"groups": {"b": "2"}}


def test_app_state_written_in_one_session_after_reading_it_reads_back_the_new_value(
    db: TestDatabase,
) -> None:
    with transaction(db.engine) as session:
        write_state(session, "keywords.config_hash", {"groups": {"a": "1"}})
    with transaction(db.engine) as session:
        assert read_state(session, "keywords.config_hash") == {"groups": {"a": "1"}}
        write_state(session, "keywords.config_hash", {"groups": {"b": "2"}})
        assert read_state(session, "keywords.config_hash") == {"groups": {"b": "2"}}


def test_two_writers_of_a_new_app_state_key_both_succeed(pg_db: TestDatabase) -> None:
    """Two rescan jobs in two daemons store the keyword hashes at once: the second insert
    waits for the first transaction, then replaces its value (no duplicate-key error)."""
    key = "keywords.config_hash"
    errors: list[BaseException] = []

    def second_writer() -> None:
        try:
            with transaction(pg_db.engine) as session:
                write_state(session, key, {"groups": {"b": "2"}})
        except BaseException as exc:  # reported by the assert below
            errors.append(exc)

    with transaction(pg_db.engine) as first:
        write_state(first, key, {"groups": {"a": "1"}})
        first.flush()
        thread = threading.Thread(target=second_writer)
        thread.start()
        deadline = time.monotonic() + 60  # a safety net: the second writer must be waiting
        while not _waiting_on_a_lock(pg_db) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _waiting_on_a_lock(pg_db), "the second writer never waited for the first"
    thread.join(timeout=60)
    assert errors == []
    with transaction(pg_db.engine) as session:
        assert read_state(session, key) == {"groups": {"b": "2"}}


def _waiting_on_a_lock(db: TestDatabase) -> bool:
    with db.engine.connect() as conn:
        return bool(
            conn.scalar(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE NOT l.granted AND a.datname = current_database()"
                )
            )
        )
