"""The transcription worker on SQLite and PostgreSQL: store, fail, dedupe, lost leases, stop."""

from __future__ import annotations

import shutil
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from monitor.transcription import run_transcriptions
from monitor.transcription.worker import TranscriptionWorker
from storage.engine import transaction
from storage.models import KeywordHit, Media, Transcript, TranscriptSegment
from storage.queue import claim
from storage.transcripts import resolve_transcript
from tests.conftest import TestDatabase
from tests.support.config import make_config
from tests.support.factories import downloaded_media
from tests.support.transcription import SPEECH, transcription_settings


def _media(db: TestDatabase, media_id: int) -> Media:
    with transaction(db.engine) as session:
        media = session.get(Media, media_id)
        assert media is not None
        return media


def test_queue_drains_into_transcripts_and_corrupt_media_fails(
    db: TestDatabase, tmp_path: Path
) -> None:
    config = make_config(tmp_path, transcription=transcription_settings())
    relative = config.media_dir / "telegram" / "plain.wav"
    relative.parent.mkdir(parents=True)
    shutil.copy(SPEECH / "plain.wav", relative)
    files = [relative, SPEECH / "corrupt.mp4", SPEECH / "silence.m4a"]
    plain, corrupt, silence = downloaded_media(db.engine, files)
    with transaction(db.engine) as session:  # stored relative to paths.media_dir
        session.execute(
            update(Media).where(Media.id == plain).values(local_path="telegram/plain.wav")
        )

    report = run_transcriptions(config, db.engine)

    assert (report.done, report.failed, report.handled) == (2, 1, 3)
    assert report.audio_seconds > 10 and report.real_time_factor is not None
    assert _media(db, plain).status == "done" and _media(db, silence).status == "done"
    broken = _media(db, corrupt)
    assert broken.status == "failed" and broken.attempts == 1  # permanent: no retries
    assert broken.last_error is not None
    assert "corrupt media" in broken.last_error
    assert "the decoder cannot read it" in broken.last_error
    with transaction(db.engine) as session:
        transcript = resolve_transcript(session, plain)
        assert transcript is not None and "hospitals" in transcript.text.lower()
        assert (transcript.backend, transcript.language) == ("faster-whisper", "en")
        assert transcript.audio_seconds and transcript.processing_seconds
        segments = session.scalars(
            select(TranscriptSegment).where(TranscriptSegment.transcript_id == transcript.id)
        ).all()
        assert [s.position for s in segments] == list(range(len(segments)))
        assert all(s.end_seconds > s.start_seconds for s in segments)
        quiet = resolve_transcript(session, silence)
        assert quiet is not None and quiet.text == ""  # VAD heard nothing: stored, empty
        media = session.get(Media, plain)
        assert media is not None and media.duration_seconds is not None
    assert run_transcriptions(config, db.engine).handled == 0  # nothing left


def test_identical_content_is_transcribed_once_and_linked(db: TestDatabase, tmp_path: Path) -> None:
    first, same_hash, other = downloaded_media(
        db.engine,
        [SPEECH / "plain.wav", SPEECH / "plain.wav", SPEECH / "hotwords.wav"],
        sha256=True,
    )
    [flagged] = downloaded_media(db.engine, [SPEECH / "hotwords.wav"], handle="mirror")
    with transaction(db.engine) as session:  # the download stage found it to be a copy
        session.execute(update(Media).where(Media.id == flagged).values(duplicate_of_id=other))

    report = run_transcriptions(
        make_config(tmp_path, transcription=transcription_settings()), db.engine
    )

    assert (report.done, report.linked) == (2, 2)
    with transaction(db.engine) as session:
        assert session.scalar(select(func.count()).select_from(Transcript)) == 2
        one, two = resolve_transcript(session, first), resolve_transcript(session, same_hash)
        assert one is not None and two is not None and one.id == two.id
        three, four = resolve_transcript(session, other), resolve_transcript(session, flagged)
        assert three is not None and four is not None and three.id == four.id
        statuses = session.scalars(select(Media.status)).all()
        assert set(statuses) == {"done"}
    assert _media(db, same_hash).duplicate_of_id == first


def test_a_copy_waits_while_its_original_is_being_transcribed(
    db: TestDatabase, tmp_path: Path
) -> None:
    original, copy = downloaded_media(
        db.engine, [SPEECH / "plain.wav", SPEECH / "plain.wav"], sha256=True
    )
    worker = TranscriptionWorker(
        make_config(tmp_path, transcription=transcription_settings()), db.engine
    )
    assert claim(db.engine, worker.stage, "another-worker") == [original]

    report = worker.run()

    assert (report.deferred, report.done) == (1, 0)
    waiting = _media(db, copy)
    assert waiting.status == "downloaded" and waiting.attempts == 0
    assert waiting.next_attempt_at is not None and waiting.next_attempt_at > datetime.now(UTC)


def test_a_lost_lease_stores_nothing(db: TestDatabase, tmp_path: Path) -> None:
    [media_id] = downloaded_media(db.engine, [SPEECH / "plain.wav"])
    worker = TranscriptionWorker(
        make_config(tmp_path, transcription=transcription_settings(lease_seconds=60)), db.engine
    )
    assert claim(db.engine, worker.stage, worker.owner) == [media_id]
    with transaction(db.engine) as session:  # our lease expires; another worker takes the row
        session.execute(
            update(Media).values(lease_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert claim(db.engine, worker.stage, "the-other-worker") == [media_id]

    worker.process(media_id, worker.owner)
    report = worker.report

    assert report.lost == 1 and report.done == 0
    with transaction(db.engine) as session:
        assert session.scalar(select(func.count()).select_from(Transcript)) == 0
    assert _media(db, media_id).lease_owner == "the-other-worker"


def test_a_stop_request_gives_the_lease_back(db: TestDatabase, tmp_path: Path) -> None:
    [media_id] = downloaded_media(db.engine, [SPEECH / "plain.wav"])
    stop = threading.Event()
    worker = TranscriptionWorker(
        make_config(tmp_path, transcription=transcription_settings()), db.engine, stop_event=stop
    )
    assert claim(db.engine, worker.stage, worker.owner) == [media_id]
    stop.set()  # SIGTERM arrived: the file is abandoned at the next segment

    worker.process(media_id, worker.owner)
    report = worker.report

    assert report.released == 1
    media = _media(db, media_id)
    assert (media.status, media.lease_owner, media.attempts) == ("downloaded", None, 0)


def test_hallucinated_segments_are_stored_flagged_and_left_out_of_the_text(
    db: TestDatabase, tmp_path: Path
) -> None:
    [media_id] = downloaded_media(db.engine, [SPEECH / "silence.m4a"])
    run_transcriptions(
        make_config(tmp_path, transcription=transcription_settings(vad_filter=False)), db.engine
    )  # no VAD: " You"
    with transaction(db.engine) as session:
        transcript = resolve_transcript(session, media_id)
        assert transcript is not None and transcript.text == ""
        [segment] = transcript.segments
        assert segment.is_hallucination and segment.text == "You"
        assert segment.no_speech_prob is not None and segment.no_speech_prob > 0.6


def test_keywords_are_matched_in_each_new_transcript(db: TestDatabase, tmp_path: Path) -> None:
    config = make_config(
        tmp_path,
        transcription=transcription_settings(),
        keywords={"platforms": {"terms": ["Telegram", "TikTok"]}},
    )
    [media_id] = downloaded_media(db.engine, [SPEECH / "hotwords.wav"])
    run_transcriptions(config, db.engine)  # the terms are hotwords too: tiny.en hears them
    with transaction(db.engine) as session:
        hits = session.scalars(select(KeywordHit).order_by(KeywordHit.term)).all()
        media = session.get(Media, media_id)
        assert media is not None
        assert [(h.term, h.source_kind, h.post_id) for h in hits] == [
            ("Telegram", "transcript", media.post_id),
            ("TikTok", "transcript", media.post_id),
        ]
        assert all(h.start_seconds == 0.0 and h.segment_id for h in hits)
