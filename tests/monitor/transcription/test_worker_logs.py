"""`polmon worker` says when it starts, what it claims and when the queue runs empty (INFO)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor import shutdown
from storage.engine import transaction
from storage.models import Media
from tests.conftest import TestDatabase, invoke
from tests.support import factories
from tests.support.config import write_config

WORKER_LOG = "monitor.transcription.worker"


class StopWhenEmpty(logging.Handler):
    """Keeps the worker's records and asks the worker to stop once it reports an empty queue."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if record.getMessage().startswith("queue empty"):
            shutdown.request_stop("test: the queue is empty")


@pytest.fixture
def stop_when_empty() -> Iterator[StopWhenEmpty]:
    handler = StopWhenEmpty()
    logger = logging.getLogger(WORKER_LOG)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        shutdown.reset()


def test_worker_logs_start_claims_and_empty_queue(
    sqlite_db: TestDatabase, tmp_path: Path, stop_when_empty: StopWhenEmpty
) -> None:
    with transaction(sqlite_db.engine) as session:
        owner = factories.account(session, factories.actor(session, "Kem Sokha"), "telegram", "ks")
        post = factories.post(session, owner, "a clip", kind="video")
        # Never downloaded (no file): claimed, then failed at once, without loading a model.
        media_id = factories.media(session, post, status="downloaded").id
    config = write_config(tmp_path, sqlite_db, "[transcription]\npoll_seconds = 0.05\n")
    result = invoke(config, "worker")
    assert result.exit_code == 0, result.output
    lines = [(r.levelno, r.getMessage()) for r in stop_when_empty.records]
    info = [message for level, message in lines if level == logging.INFO]
    assert info[0].startswith("transcription worker ") and " started: faster-whisper" in info[0]
    assert (
        info[1]
        == f"claimed media {media_id} (video of post {post.id}, duration unknown, attempt 1)"
    )
    assert info[2] == "queue empty: no downloaded media waiting"
    assert (
        info[3].startswith("transcription worker ")
        and "stopped: 0 transcribed, 1 failed" in info[3]
    )
    assert len(info) == 4  # one line each; the warning about the failed file is its own level
    with transaction(sqlite_db.engine) as session:
        assert session.scalar(select(Media.status).where(Media.id == media_id)) == "failed"
    # The same lines reach the process's log (stderr), one per event.
    assert sum("claimed media" in line for line in result.stderr.splitlines()) == 1
