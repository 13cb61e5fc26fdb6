"""storage.runs and storage.app_state on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

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
