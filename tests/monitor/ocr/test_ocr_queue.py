"""The OCR stage on the shared queue: kinds kept apart, leases, retries, a missing Tesseract
language, `[ocr] enabled = false`, the CLI, `polmon status`, the rescan and the post page."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from monitor.keywords import rescan_keywords
from monitor.ocr.reader import OcrUnavailable
from monitor.ocr.worker import run_ocr
from storage.engine import transaction
from storage.models import ImageText, KeywordHit, Media
from storage.queue import claim, ocr_stage, transcribe_stage
from storage.types import utcnow
from tests.conftest import TestDatabase, invoke
from tests.support import factories
from tests.support.config import make_config, write_config
from tests.support.images import require_ocr, text_image

pytestmark = pytest.mark.xdist_group("ocr")
OCR = {"requests_per_second": 1000.0}


def downloaded_photo(db: TestDatabase, path: Path, *, kind: str = "photo") -> int:
    """A post with one downloaded media row of `kind` pointing at `path`."""
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "Ministry"), "telegram", "gov")
        of_post = factories.post(session, owner, "see the picture", kind="photo")
        row = factories.media(
            session, of_post, kind=kind, status="downloaded", local_path=str(path)
        )
        return row.id


def test_transcription_never_claims_photos_and_ocr_takes_only_photos(
    db: TestDatabase, tmp_path: Path
) -> None:
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "Ministry"), "telegram", "gov")
        of_post = factories.post(session, owner, "a speech and its poster")
        stored = str(tmp_path / "file")
        photo = factories.media(
            session, of_post, kind="photo", status="downloaded", local_path=stored
        ).id
        video = factories.media(
            session, of_post, position=1, kind="video", status="downloaded", local_path=stored
        ).id
    assert claim(db.engine, transcribe_stage(), "whisper", limit=10) == [video]
    assert claim(db.engine, ocr_stage(lease_seconds=60), "reader", limit=10) == [photo]
    # An expired lease: taken again by the OCR stage (not by transcription), no attempt spent.
    with transaction(db.engine) as session:
        session.execute(
            update(Media)
            .where(Media.id.in_([photo, video]))
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )
    assert claim(db.engine, transcribe_stage(), "whisper-2", limit=10) == [video]
    assert claim(db.engine, ocr_stage(), "reader-2", limit=10) == [photo]
    (row,) = factories.media_rows(db.engine, [photo])
    assert (row.status, row.lease_owner, row.attempts, row.lease_expiries) == (
        "transcribing",
        "reader-2",
        1,
        1,
    )


def test_a_failing_tesseract_is_retried_then_failed(
    db: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_ocr()
    image = tmp_path / "decree.png"
    image.write_bytes(text_image("protest"))
    media_id = downloaded_photo(db, image)
    # Language files Tesseract lists but cannot load: every run exits with an error status.
    broken = tmp_path / "tessdata"
    broken.mkdir()
    for name in ("eng", "khm"):
        (broken / f"{name}.traineddata").write_bytes(b"not a model")
    monkeypatch.setenv("TESSDATA_PREFIX", str(broken))
    config = make_config(tmp_path, db, ocr={**OCR, "max_attempts": 2})
    first = run_ocr(config, db.engine)
    assert (first.read, first.retrying, first.failed) == (0, 1, 0)
    (row,) = factories.media_rows(db.engine, [media_id])
    assert (row.status, row.attempts) == ("downloaded", 1)
    assert row.next_attempt_at is not None and row.next_attempt_at > utcnow()
    assert row.last_error is not None and row.last_error.startswith("ocr: tesseract exited")
    with transaction(db.engine) as session:  # the backoff is over
        session.execute(update(Media).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    second = run_ocr(config, db.engine)
    assert (second.retrying, second.failed) == (0, 1)
    (row,) = factories.media_rows(db.engine, [media_id])
    assert (row.status, row.attempts, row.lease_owner) == ("failed", 2, None)
    assert second.problems() == [f"media {media_id}: {row.last_error}"]


def test_a_missing_language_stops_before_claiming(db: TestDatabase, tmp_path: Path) -> None:
    require_ocr()
    media_id = downloaded_photo(db, tmp_path / "a.png")
    config = make_config(tmp_path, db, ocr={**OCR, "languages": ["khm", "zzz"]})
    with pytest.raises(OcrUnavailable, match="tesseract-ocr-zzz"):
        run_ocr(config, db.engine)
    (row,) = factories.media_rows(db.engine, [media_id])
    assert (row.status, row.attempts, row.lease_owner) == ("downloaded", 0, None)


def test_photos_wait_while_ocr_is_disabled(db: TestDatabase, tmp_path: Path) -> None:
    from monitor.download import run_downloads

    ids = factories.media_to_download(
        db.engine, [factories.Download("telegram", "9", "http://127.0.0.1:9/p.jpg", kind="photo")]
    )
    config = make_config(tmp_path, db, ocr={"enabled": False})
    report = run_downloads(config, db.engine)
    assert report.handled == 0
    (row,) = factories.media_rows(db.engine, ids)
    assert (row.status, row.attempts) == ("pending", 0)


def test_cli_reads_photos_status_shows_the_backlog_and_rescan_matches_image_text(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    require_ocr()
    db = sqlite_db
    image = tmp_path / "media" / "decree.png"
    image.parent.mkdir()
    image.write_bytes(text_image("Curfew from tonight"))
    media_id = downloaded_photo(db, image)
    path = write_config(tmp_path, db, paths={"media_dir": "media"}, ocr=OCR)

    status = invoke(path, "status", "--format", "json")
    assert status.exit_code == 0, status.output
    backlog = {row["stage"]: row for row in json.loads(status.output)["queue_backlog"]}
    assert (backlog["ocr"]["ready"], backlog["transcribe"]["ready"]) == (1, 0)

    result = invoke(path, "ocr")
    assert result.exit_code == 0, result.output
    assert "read: 1, without text: 0" in result.output
    (row,) = factories.media_rows(db.engine, [media_id])
    assert row.status == "done"

    # A group added later finds the word in the image text through the rescan.
    config = make_config(
        tmp_path,
        db,
        paths={"media_dir": "media"},
        keywords={"orders": {"terms": ["curfew"], "search_in": "posts"}},
    )
    report = rescan_keywords(config, db.engine, force=True)
    assert (report.images, report.hits.added) == (1, 1)
    with transaction(db.engine) as session:
        hit = session.scalars(select(KeywordHit)).one()
        reading = session.scalars(select(ImageText)).one()
    assert (hit.source_kind, hit.source_key, hit.term) == (
        "image_text",
        f"image:{media_id}",
        "curfew",
    )
    assert reading.text == "Curfew from tonight"
    # The group now reads transcripts only: its image-text hits go.
    config = make_config(
        tmp_path,
        db,
        paths={"media_dir": "media"},
        keywords={"orders": {"terms": ["curfew"], "search_in": "transcripts"}},
    )
    rescan_keywords(config, db.engine, force=True)
    with transaction(db.engine) as session:
        assert session.scalars(select(KeywordHit)).all() == []


def test_the_scheduled_task_reads_photos_and_idles_without_them(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    from monitor.config import JobConfig
    from monitor.tasks import IDLE_CHECKS, TASKS, TaskRun

    require_ocr()
    config = make_config(tmp_path, sqlite_db, ocr=OCR)
    job = JobConfig(task="ocr", interval_minutes=10, limit=5)
    run = TaskRun("read", job, config, sqlite_db.engine, utcnow())
    assert IDLE_CHECKS["ocr"](run)  # nothing downloaded: skipped, no job_runs row
    image = tmp_path / "a.png"
    image.write_bytes(text_image("Curfew"))
    downloaded_photo(sqlite_db, image)
    assert not IDLE_CHECKS["ocr"](run)
    outcome = TASKS["ocr"](run)
    assert outcome.summary.startswith("read 1, without text 0, words 1")
    assert outcome.problem is None and IDLE_CHECKS["ocr"](run)
