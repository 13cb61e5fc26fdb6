"""`polmon transcribe` and `polmon transcript` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from storage.engine import transaction
from storage.models import Media
from tests.conftest import TestDatabase, invoke
from tests.support.config import write_config
from tests.support.factories import downloaded_media
from tests.support.transcription import SPEECH, transcription_settings


def test_transcribe_limit_then_transcript_in_every_format(
    sqlite_db: TestDatabase,
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path, sqlite_db, transcription=transcription_settings())
    first, second = downloaded_media(
        sqlite_db.engine, [SPEECH / "plain.wav", SPEECH / "silence.m4a"]
    )

    result = invoke(config, "transcribe", "--limit", "1", "--no-progress")
    assert result.exit_code == 0, result.output
    assert "1 transcribed" in result.output and "real-time factor" in result.output
    with transaction(sqlite_db.engine) as session:
        states = {row.id: row.status for row in session.execute(select(Media.id, Media.status))}
    assert states == {first: "done", second: "downloaded"}

    text = invoke(config, "transcript", str(first))
    assert text.exit_code == 0, text.output
    assert text.output.startswith("[00:00:00.000 → 00:00:0")
    assert "budget for schools and hospitals" in text.output

    srt = invoke(config, "transcript", "https://t.me/chan/1", "--format", "srt").output
    assert srt.startswith("1\n00:00:00,000 --> 00:00:0") and "hospitals" in srt
    vtt = invoke(config, "transcript", "telegram:@chan/1", "--format", "vtt").output
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:0") and "hospitals" in vtt
    doc = json.loads(
        invoke(config, "transcript", "telegram:https://t.me/chan/1", "--format", "json").output
    )
    assert doc["url"] == "https://t.me/chan/1"
    [transcript] = doc["transcripts"]
    assert transcript["language"] == "en" and transcript["segments"][0]["is_hallucination"] is False
    assert transcript["segments"][0]["end"] > transcript["segments"][0]["start"]


def test_transcript_errors_are_one_line(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    config = write_config(tmp_path, sqlite_db, transcription=transcription_settings(threads=1))
    downloaded_media(sqlite_db.engine, [SPEECH / "plain.wav"])
    missing = invoke(config, "transcript", "999")
    assert missing.exit_code == 1 and "no post '999'" in missing.output
    waiting = invoke(config, "transcript", "1")
    assert waiting.exit_code == 1
    assert "post 1 has no transcript yet (media 0: downloaded)" in waiting.output
    bad = invoke(config, "transcript", "nonsense")
    assert bad.exit_code == 2 and "platform:account/post_id" in bad.output
    unknown = invoke(config, "transcript", "myspace:chan/1")
    assert unknown.exit_code == 2 and "unknown platform" in unknown.output


def test_a_model_that_cannot_load_stops_the_run_with_one_line(
    sqlite_db: TestDatabase,
    tmp_path: Path,
) -> None:
    config = write_config(
        tmp_path,
        sqlite_db,
        transcription=transcription_settings(threads=1, model=str(tmp_path / "nope")),
    )
    [media_id] = downloaded_media(sqlite_db.engine, [SPEECH / "plain.wav"])
    result = invoke(config, "transcribe", "--no-progress")
    assert result.exit_code == 1
    assert "cannot load faster-whisper model" in result.output
    assert "Traceback" not in result.output
    with transaction(sqlite_db.engine) as session:
        media = session.get(Media, media_id)
        assert media is not None and (media.status, media.attempts) == ("downloaded", 0)
