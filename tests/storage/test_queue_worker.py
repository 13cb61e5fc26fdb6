"""storage.worker.QueueWorker on SQLite and PostgreSQL: a stop between items gives back the
rows claimed and not started, an error in `process` gives its lease back, outcomes are counted."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage.engine import transaction
from storage.models import Account, Actor, Media, Post
from storage.queue import download_stage
from storage.worker import QueueReport, QueueWorker
from tests.conftest import TestDatabase


def pending_media(db: TestDatabase, count: int) -> list[int]:
    with transaction(db.engine) as session:
        account = Account(actor=Actor(name="Hun Manet"), platform="tiktok", handle="hm", cursor={})
        rows = [
            Media(
                post=Post(
                    account=account,
                    platform_post_id=str(n),
                    published_at=datetime(2024, 6, 1, tzinfo=UTC),
                    kind="video",
                ),
                kind="video",
                position=0,
                source_url=f"http://127.0.0.1:9/{n}.mp4",
                status="pending",
            )
            for n in range(count)
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def rows(db: TestDatabase, ids: list[int]) -> list[tuple[str, int, str | None]]:
    with transaction(db.engine) as session:
        result = session.execute(
            select(Media.status, Media.attempts, Media.lease_owner)
            .where(Media.id.in_(ids))
            .order_by(Media.id)
        )
        return [(status, attempts, owner) for status, attempts, owner in result]


class Recorder(QueueWorker[QueueReport]):
    """A stage whose work is to note the row; `then` runs after each item (a stop, an error)."""

    claim_batch = 3

    def __init__(self, db: TestDatabase, stop: threading.Event, then: str = "") -> None:
        super().__init__(db.engine, download_stage(), QueueReport(), stop=stop, owner="tester")
        self.db, self.then, self.seen = db, then, list[int]()

    def process(self, media_id: int, owner: str) -> None:
        self.seen.append(media_id)
        if self.then == "stop":
            self.stop.set()  # SIGTERM while this item was in hand
        elif self.then == "crash":
            raise KeyboardInterrupt
        else:
            self.fail_item(media_id, owner, "no such file", permanent=False)


def test_a_stop_gives_back_the_claimed_rows_not_started(db: TestDatabase) -> None:
    ids = pending_media(db, 4)
    worker = Recorder(db, threading.Event(), then="stop")
    report = worker.drain()
    assert worker.seen == [ids[0]]  # the item in hand was finished, no other started
    assert report.released == 2  # claimed with it in one batch, given back
    assert rows(db, ids[1:]) == [("pending", 0, None)] * 3  # attempts not spent


def test_an_error_in_process_gives_back_every_unfinished_lease(db: TestDatabase) -> None:
    ids = pending_media(db, 3)
    with pytest.raises(KeyboardInterrupt):
        Recorder(db, threading.Event(), then="crash").drain()
    assert rows(db, ids) == [("pending", 0, None)] * 3


def test_failures_are_retried_with_backoff_and_limit_counts_claims(db: TestDatabase) -> None:
    ids = pending_media(db, 5)
    worker = Recorder(db, threading.Event())
    report = worker.drain(limit=2)
    assert len(worker.seen) == 2 and report.retrying == 2
    assert report.failures == [(media_id, "retrying", "no such file") for media_id in worker.seen]
    retried = [row for row in rows(db, ids) if row[1] == 1]
    assert retried == [("pending", 1, None)] * 2
    assert rows(db, ids).count(("pending", 0, None)) == 3  # the limit left them unclaimed


def test_a_stop_before_the_run_claims_nothing(db: TestDatabase) -> None:
    ids = pending_media(db, 2)
    stop = threading.Event()
    stop.set()
    worker = Recorder(db, stop)
    worker.drain()
    assert worker.seen == [] and rows(db, ids) == [("pending", 0, None)] * 2
