"""`polmon worker --stage … --capability … --proxy …` in-process, and `polmon status`'s
backlog by capability, on both engines."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from collectors.http import budget_key
from monitor import shutdown
from storage.engine import transaction
from storage.models import Media, RateBudgetRow
from tests.conftest import TestDatabase, invoke
from tests.support import factories
from tests.support.config import write_config
from tests.support.images import photo_without_text
from tests.support.local_server import LocalServer

KHMER_ROUTE = '[transcription]\npoll_seconds = 0.05\n[transcription.language_models]\nkm = "km"\n'


class StopWhenEmpty(logging.Handler):
    """Asks the worker to stop once it reports an empty queue."""

    def emit(self, record: logging.LogRecord) -> None:
        if "queue empty" in record.getMessage():
            shutdown.request_stop("test: the queue is empty")


@pytest.fixture
def stop_when_empty() -> Iterator[None]:
    handler = StopWhenEmpty(logging.DEBUG)
    loggers = [logging.getLogger(n) for n in ("monitor.workers", "monitor.transcription.worker")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        shutdown.reset()


def _videos(db: TestDatabase) -> dict[str | None, int]:
    """A downloaded video (no file: a claim fails it at once, no model loaded) per language."""
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "Hun Sen"), "telegram", "hs")
        ids = {}
        for language in ("km", None):
            post = factories.post(session, owner, "a clip", kind="video", language=language)
            ids[language] = factories.media(session, post, status="downloaded").id
    return ids


def _statuses(db: TestDatabase) -> dict[int, str]:
    with transaction(db.engine) as session:
        return {
            media_id: status for media_id, status in session.execute(select(Media.id, Media.status))
        }


def test_a_worker_without_the_khmer_model_leaves_khmer_media(
    db: TestDatabase, tmp_path: Path, stop_when_empty: None
) -> None:
    ids = _videos(db)
    config = write_config(tmp_path, db, KHMER_ROUTE)
    result = invoke(config, "worker", "--stage", "transcribe", "--capability", "gpu")
    assert result.exit_code == 0, result.output
    statuses = _statuses(db)
    assert statuses[ids[None]] == "failed"  # claimed (and failed: it has no file)
    assert statuses[ids["km"]] == "downloaded"  # left for a worker with `km`
    status = invoke(config, "status", "--section", "capabilities", "--format", "json")
    assert json.loads(status.output) == [{"stage": "transcribe", "needs": "km", "ready": 1}]


def test_the_default_worker_still_takes_every_row(
    db: TestDatabase, tmp_path: Path, stop_when_empty: None
) -> None:
    ids = _videos(db)
    config = write_config(tmp_path, db, KHMER_ROUTE)
    assert invoke(config, "worker").exit_code == 0
    assert set(_statuses(db).values()) == {"failed"}
    assert set(_statuses(db)) == set(ids.values())


def test_download_worker_goes_through_its_proxy_and_the_shared_budget(
    db: TestDatabase, tmp_path: Path, stop_when_empty: None
) -> None:
    picture = photo_without_text()
    with LocalServer() as proxy:
        proxy.add("/cdn/photo.jpg", picture, "image/jpeg")  # answered by the proxy itself
        (media_id,) = factories.media_to_download(
            db.engine,
            [factories.Download("telegram", "5", "http://cdn.test/cdn/photo.jpg", kind="photo")],
        )
        config = write_config(
            tmp_path, db, paths={"media_dir": "media"}, ocr={"requests_per_second": 1000.0}
        )
        args = (
            "worker",
            "--stage",
            "download",
            "--proxy",
            proxy.base_url,
            "--poll-seconds",
            "0.05",
        )
        result = invoke(config, *args)
    assert result.exit_code == 0, result.output
    assert "downloaded: 1" in result.output
    assert _statuses(db)[media_id] == "downloaded"
    with transaction(db.engine) as session:
        keys = list(session.scalars(select(RateBudgetRow.key)))
    assert keys == [budget_key("cdn.test", proxy.base_url)]


def test_capabilities_apply_to_transcription_only(tmp_path: Path, db: TestDatabase) -> None:
    config = write_config(tmp_path, db)
    result = invoke(config, "worker", "--stage", "ocr", "--capability", "gpu")
    assert result.exit_code == 2
    assert "--capability applies to --stage transcribe" in result.output


def test_a_worker_missing_what_every_file_needs_says_so(tmp_path: Path, db: TestDatabase) -> None:
    config = write_config(tmp_path, db, '[transcription]\nneeds = ["gpu"]\n')
    result = invoke(config, "worker", "--capability", "km")
    assert result.exit_code == 2  # a user error: nothing started
    assert "every transcription needs gpu" in result.output
