"""A worker that detects a language whose needs it lacks hands the row on, un-transcribed, to a
worker that has them; `polmon status` counts the row under that language's needs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import func, select

from monitor.config import PolmonConfig, load_config
from monitor.transcription.worker import TranscriptionWorker
from storage.engine import transaction
from storage.models import Media, Transcript
from storage.transcripts import resolve_transcript
from tests.conftest import TestDatabase, invoke
from tests.support.config import write_config
from tests.support.factories import downloaded_media
from tests.support.transcription import SPEECH, tiny_model_path, transcription_settings


class Route(NamedTuple):
    path: Path  # the config file
    config: PolmonConfig
    model: str  # the routed model's path


@pytest.fixture
def english_route(tmp_path: Path, db: TestDatabase) -> Route:
    """A config routing English (what tiny.en detects in every clip) to its own model (the
    same files under another path), which needs a GPU: English needs `en` and `gpu`."""
    routed = tmp_path / "english-model"
    routed.symlink_to(tiny_model_path(), target_is_directory=True)
    settings = transcription_settings(
        language_models={"en": str(routed)}, language_needs={"en": ["gpu"]}
    )
    path = write_config(tmp_path, db, transcription=settings)
    return Route(path, load_config(path), str(routed))


def _media(db: TestDatabase, media_id: int) -> Media:
    with transaction(db.engine) as session:
        media = session.get(Media, media_id)
        assert media is not None
        return media


def _transcripts(db: TestDatabase) -> int:
    with transaction(db.engine) as session:
        return session.scalar(select(func.count()).select_from(Transcript)) or 0


def _capability_backlog(config_path: Path) -> list[dict[str, object]]:
    result = invoke(config_path, "status", "--section", "capabilities", "--format", "json")
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.output)
    return rows


@pytest.mark.slow
def test_a_worker_lacking_the_detected_languages_needs_hands_the_row_on(
    db: TestDatabase, english_route: Route
) -> None:
    config, config_path = english_route.config, english_route.path
    [media_id] = downloaded_media(db.engine, [SPEECH / "plain.wav"])  # the post has no language
    assert _capability_backlog(config_path) == [
        {"stage": "transcribe", "needs": "any worker", "ready": 1}
    ]

    gpu_only = TranscriptionWorker(config, db.engine, capabilities=frozenset({"gpu"}))
    report = gpu_only.run()

    assert (report.rerouted, report.done, report.handled) == (1, 0, 1)
    assert "1 rerouted" in report.summary()
    media = _media(db, media_id)
    assert (media.status, media.attempts, media.lease_owner) == ("downloaded", 0, None)
    assert (media.detected_language, media.detected_language_probability) == ("en", 1.0)
    assert media.next_attempt_at is None  # ready now, for a worker that has `en` and `gpu`
    assert _transcripts(db) == 0
    assert gpu_only.run().handled == 0  # its claim leaves the row alone from now on
    assert _capability_backlog(config_path) == [
        {"stage": "transcribe", "needs": "en,gpu", "ready": 1}
    ]

    capable = TranscriptionWorker(config, db.engine, capabilities=frozenset({"gpu", "en"}))
    report = capable.run()

    assert (report.done, report.rerouted) == (1, 0)
    assert _media(db, media_id).status == "done"
    with transaction(db.engine) as session:
        transcript = resolve_transcript(session, media_id)
        assert transcript is not None
        assert transcript.model == english_route.model  # the routed model, not the default
        assert (transcript.language, transcript.language_probability) == ("en", 1.0)
        assert "hospitals" in transcript.text.lower()
    assert _capability_backlog(config_path) == []


@pytest.mark.slow
def test_a_worker_without_capabilities_routes_every_row_itself(
    db: TestDatabase, english_route: Route
) -> None:
    config = english_route.config
    handed_on, fresh = downloaded_media(db.engine, [SPEECH / "plain.wav", SPEECH / "hotwords.wav"])
    gpu_only = TranscriptionWorker(config, db.engine, capabilities=frozenset({"gpu"}))
    assert gpu_only.run(limit=1).rerouted == 1

    report = TranscriptionWorker(config, db.engine).run()  # `polmon worker`, no --capability

    assert (report.done, report.rerouted) == (2, 0)
    with transaction(db.engine) as session:
        for media_id in (handed_on, fresh):
            transcript = resolve_transcript(session, media_id)
            assert transcript is not None and transcript.model == english_route.model
            assert transcript.language == "en"
    assert _media(db, fresh).detected_language is None  # recorded only when handed on
