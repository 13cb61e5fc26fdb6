"""A keyword heard by `polmon worker` or the transcribe job is alerted after its transcript."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor import shutdown
from monitor.config import JobConfig
from monitor.tasks import TaskRun, transcribe
from storage.engine import transaction
from storage.models import AlertDelivery, AlertEvent, Media
from tests.conftest import TestDatabase, invoke
from tests.monitor.alerts.outbox_support import Receiver, alerts_toml
from tests.monitor.transcription.test_worker_logs import StopWhenEmpty, stop_when_empty
from tests.support import factories
from tests.support.config import make_config, toml_table, write_config
from tests.support.transcription import SPEECH, transcription_settings

STOPPED_BY_ALERT = "test: the alert arrived"
__all__ = ["stop_when_empty"]  # a fixture of this module too
FALLBACK_SECONDS = 300.0  # only if the worker never sends: then the test fails on the reason


@dataclass
class StopOnArrival(Receiver):
    """A verifying receiver that asks the worker to stop once a message arrived: the worker
    itself must have sent it, since nothing else dispatches and the worker runs until then."""

    def _handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        answer = super()._handle(headers, body)
        shutdown.request_stop(STOPPED_BY_ALERT)
        return answer


@pytest.fixture
def receiver() -> Iterator[StopOnArrival]:
    got = StopOnArrival()
    with got:
        yield got
    shutdown.reset()


def _config(db: TestDatabase, tmp_path: Path, url: str, worker_dispatch: str = "true") -> Path:
    """A budget speech waiting for transcription, and a rule alerting its keyword hits."""
    factories.downloaded_media(db.engine, [SPEECH / "plain.wav"], handle="pm")
    body = toml_table(["keywords", "budget"], {"terms": ["budget"]})
    body += toml_table(["transcription"], transcription_settings(poll_seconds=0.05))
    # The daemon's tick would come after an hour: only the worker's own pass can send it.
    body += alerts_toml(
        tmp_path,
        '"keyword_hit"',
        {"hook": url},
        dispatch_interval_seconds=3600,
        worker_dispatch=worker_dispatch,
    )
    return write_config(tmp_path, db, body)


def test_a_hit_the_worker_transcribes_is_sent_by_the_worker(
    db: TestDatabase, tmp_path: Path, receiver: StopOnArrival
) -> None:
    config = _config(db, tmp_path, receiver.url)
    fallback = threading.Timer(FALLBACK_SECONDS, shutdown.request_stop, ("test: fallback",))
    fallback.start()
    try:
        result = invoke(config, "worker")
    finally:
        fallback.cancel()
    assert result.exit_code == 0, result.output
    assert shutdown.stop_reason() == STOPPED_BY_ALERT
    [request] = receiver.requests()
    [item] = request.body["items"]
    assert (item["kind"], item["term"], item["source"]) == ("keyword_hit", "budget", "transcripts")
    assert item["seconds"] is not None
    with transaction(db.engine) as session:
        statuses = session.execute(select(AlertDelivery.status, AlertDelivery.attempts)).all()
    assert [tuple(row) for row in statuses] == [("delivered", 1)]
    assert "alerts: dispatching after each transcript that finds a keyword" in result.stderr


def test_worker_dispatch_false_leaves_the_hit_to_the_daemon(
    sqlite_db: TestDatabase,
    tmp_path: Path,
    receiver: StopOnArrival,
    stop_when_empty: StopWhenEmpty,
) -> None:
    config = _config(sqlite_db, tmp_path, receiver.url, worker_dispatch="false")
    result = invoke(config, "worker")
    assert result.exit_code == 0, result.output
    assert "stopped: 1 transcribed" in result.stderr
    assert "alerts: dispatching" not in result.stderr
    assert receiver.requests() == []
    with transaction(sqlite_db.engine) as session:  # the event waits in the outbox
        assert session.scalar(select(func.count()).select_from(AlertEvent)) == 1


def test_the_daemons_transcribe_job_wakes_the_dispatcher_after_each_hit(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    """Not only when the whole job (up to `limit` files) ends: right after the transcript."""
    files = [SPEECH / "plain.wav", SPEECH / "hotwords.wav"]  # only the first says "budget"
    factories.downloaded_media(sqlite_db.engine, files)
    body = toml_table(["keywords", "budget"], {"terms": ["budget"]})
    body += toml_table(["transcription"], transcription_settings())
    config = make_config(tmp_path, sqlite_db, body)
    done_at_wake: list[int] = []

    def wake() -> None:  # stands where the daemon passes its AlertLoop.wake
        with transaction(sqlite_db.engine) as session:
            done = select(func.count()).select_from(Media).where(Media.status == "done")
            done_at_wake.append(session.scalar(done) or 0)

    run = TaskRun(
        "transcribe",
        JobConfig(task="transcribe", interval_minutes=10),
        config,
        sqlite_db.engine,
        datetime.now(UTC),
        wake_alerts=wake,
    )
    assert transcribe(run).summary.startswith("2 transcribed")
    assert done_at_wake == [1]  # once, after the file with the hit, before the next one
