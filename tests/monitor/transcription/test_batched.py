"""faster-whisper's batched pipeline forced on CPU (`batched = true`, the real tiny.en): the same
keyword hits as the sequential path on a committed clip; "auto" keeps CPU sequential."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from monitor.transcription import run_transcriptions
from monitor.transcription.faster import FasterWhisperBackend
from monitor.transcription.models import load_backend
from monitor.transcription.settings import DecodeSettings, model_spec
from storage.engine import transaction
from storage.models import KeywordHit, Media
from tests.conftest import TestDatabase
from tests.support.config import make_config
from tests.support.factories import downloaded_media
from tests.support.transcription import SPEECH, transcription_settings

KEYWORDS = {"public": {"terms": ["budget", "schools", "hospitals", "minister"]}}


def _hits(db: TestDatabase, media_id: int) -> set[str]:
    with transaction(db.engine) as session:
        post_id = session.scalar(select(Media.post_id).where(Media.id == media_id))
        return set(session.scalars(select(KeywordHit.term).where(KeywordHit.post_id == post_id)))


def test_batched_on_cpu_finds_the_same_hits_as_sequential(db: TestDatabase, tmp_path: Path) -> None:
    sequential_id, batched_id = downloaded_media(
        db.engine, [SPEECH / "plain.wav", SPEECH / "plain.wav"]
    )
    plain = make_config(
        tmp_path, transcription=transcription_settings(device="cpu"), keywords=KEYWORDS
    )
    forced = make_config(
        tmp_path,
        transcription=transcription_settings(device="cpu", batched=True, batch_size=4),
        keywords=KEYWORDS,
    )
    backend = load_backend(model_spec(plain))
    assert isinstance(backend, FasterWhisperBackend)
    backend._batched = None  # the process keeps models loaded: drop an earlier test's pipeline
    assert not backend.batched(DecodeSettings.from_config(plain))  # auto: not on CPU
    assert backend.batched(DecodeSettings.from_config(forced))

    first = run_transcriptions(plain, db.engine, limit=1)
    assert first.done == 1 and backend._batched is None  # the sequential path
    second = run_transcriptions(forced, db.engine, limit=1)
    assert second.done == 1 and backend._batched is not None  # the pipeline was used

    found = _hits(db, sequential_id)
    assert found == {"budget", "schools", "hospitals", "minister"}
    assert _hits(db, batched_id) == found
