"""Keyword spotting end to end on a clip of the evaluation set: tiny.en, hotwords, fuzzy hits."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sqlalchemy import select

from monitor.transcription import run_transcriptions
from storage.engine import transaction
from storage.models import KeywordHit
from tests.conftest import REPO_ROOT, TestDatabase
from tests.support.config import make_config
from tests.support.factories import downloaded_media
from tests.support.transcription import transcription_settings

KWS = REPO_ROOT / "bench" / "data" / "kws"


def test_digits_heard_for_a_phrase_in_words_are_an_approximate_hit(
    db: TestDatabase, tmp_path: Path
) -> None:
    """kws037 says "A post about the flood in Phnom Penh got fourteen million likes" (en+f3,
    babble at 10 dB); tiny.en writes "… 14 million likes", which exact matching misses."""
    keywords = tomllib.loads((KWS / "keywords.toml").read_text(encoding="utf-8"))["keywords"]
    config = make_config(tmp_path, transcription=transcription_settings(), keywords=keywords)
    downloaded_media(db.engine, [KWS / "kws037.ogg"])
    run_transcriptions(config, db.engine)
    with transaction(db.engine) as session:
        hits = {h.term: h for h in session.scalars(select(KeywordHit))}
    likes = hits["fourteen million likes"]
    assert likes.approximate and likes.snippet.count("14 million likes") == 1
    assert likes.confidence is not None and 0 < likes.confidence < 1
    assert hits["flood"].approximate is False  # heard exactly
