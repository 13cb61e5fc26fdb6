"""The keyword_verify second pass: terms the text missed, scored against the audio (tiny.en)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.config import KeywordGroupConfig
from monitor.keywords.hitrows import SourceText, hit_rows
from monitor.keywords.live import matcher_for
from monitor.transcription import run_transcriptions
from monitor.transcription.keyword_verify import heard_span
from monitor.transcription.result import Segment, SpottedTerm, TranscriptResult
from monitor.transcription.settings import prompt_terms
from monitor.transcription.transcriber import Transcriber
from storage.engine import transaction
from storage.models import KeywordHit
from tests.conftest import REPO_ROOT, TestDatabase
from tests.support.config import make_config
from tests.support.factories import downloaded_media
from tests.support.transcription import SPEECH, transcription_settings

KWS = REPO_ROOT / "bench" / "data" / "kws"
# kws010 (development half) says "The government may ban Telegram channels that spread fake
# news"; tiny.en with the hotwords writes "… may ban talented ram channels after red fake news".
HEARD = "The government may ban talented ram channels after red fake news"


def kws_keywords() -> dict[str, object]:
    data = tomllib.loads((KWS / "keywords.toml").read_text(encoding="utf-8"))
    keywords: dict[str, object] = data["keywords"]
    return keywords


def transcribe_kws(tmp_path: Path, clip: str, **transcription: object) -> TranscriptResult:
    """A clip of the keyword-spotting set through the Transcriber, its terms as hotwords."""
    config = make_config(
        tmp_path, transcription=transcription_settings(**transcription), keywords=kws_keywords()
    )
    return Transcriber(config).transcribe(KWS / clip, prompt_terms=prompt_terms(config))


def test_a_run_of_the_plain_decode_maps_to_the_words_heard_in_its_place() -> None:
    plain = "The government may ban teledram channels and have spread fake news."
    at = plain.index("teledram")
    start, end = heard_span(HEARD, plain, at, at + len("teledram"))
    assert HEARD[start:end] == "talented ram"
    at = plain.index("ban teledram")
    start, end = heard_span(HEARD, plain, at, at + len("ban teledram"))
    assert HEARD[start:end] == "ban talented ram"


def test_spotted_terms_are_stored_with_the_words_and_become_approximate_hits() -> None:
    spotted = SpottedTerm("Telegram", 23, 35, 0.636, 25.79)
    segment = Segment(0.0, 4.0, HEARD, avg_logprob=-0.5, spotted=(spotted,))
    doc = segment.words_doc()
    assert doc == {
        "spotted": [{"term": "Telegram", "start": 23, "end": 35, "similarity": 0.636, "llr": 25.79}]
    }
    groups = {
        "platforms": KeywordGroupConfig(terms=["Telegram", "fake news"]),
        "apps": KeywordGroupConfig(terms=["telegram"]),
        "posts_only": KeywordGroupConfig(terms=["Telegram"], search_in="posts"),
    }
    source = SourceText(
        "segment:1", "transcript", 1, 1, HEARD, None, None, 0.0, 0.6, spotted=tuple(doc["spotted"])
    )
    rows = {
        (r["group_name"], r["term"]): r
        for r in hit_rows(matcher_for(groups, "transcripts"), [source])
    }
    assert set(rows) == {
        ("platforms", "Telegram"),
        ("platforms", "fake news"),
        ("apps", "telegram"),
    }
    telegram = rows[("platforms", "Telegram")]
    assert telegram["approximate"] is True and telegram["char_offset"] == 23
    assert telegram["confidence"] == round(0.636 * 0.6, 3)
    assert rows[("platforms", "fake news")]["approximate"] is False  # heard exactly


def test_a_spotted_term_already_heard_exactly_is_one_exact_hit() -> None:
    groups = {"platforms": KeywordGroupConfig(terms=["fake news"])}
    spotted = ({"term": "fake news", "start": 0, "end": 3, "similarity": 0.6, "llr": 20.0},)
    source = SourceText("segment:1", "transcript", 1, 1, HEARD, None, None, spotted=spotted)
    [row] = hit_rows(matcher_for(groups, "transcripts"), [source])
    assert row["approximate"] is False and HEARD[row["char_offset"] :].startswith("fake news")


@pytest.mark.slow
def test_the_second_pass_spots_a_term_the_text_missed(tmp_path: Path) -> None:
    """Off (the default) the segment holds no spotted term; on, "Telegram" is scored far past
    the threshold (LLR ~26 on this machine) for the words it was heard as."""
    for verify in (False, True):
        [segment] = transcribe_kws(tmp_path, "kws010.ogg", keyword_verify=verify).segments
        assert segment.text == HEARD
        if not verify:
            assert segment.spotted == ()
            continue
        [spotted] = segment.spotted
        assert spotted.term == "Telegram" and spotted.llr >= 18.0
        assert segment.text[spotted.start : spotted.end] in {"talented ram", "ban talented ram"}


@pytest.mark.slow
def test_spotted_terms_are_stored_and_matched_as_approximate_hits(
    db: TestDatabase, tmp_path: Path
) -> None:
    config = make_config(
        tmp_path,
        transcription=transcription_settings(keyword_verify=True),
        keywords=kws_keywords(),
    )
    downloaded_media(db.engine, [KWS / "kws010.ogg"])
    run_transcriptions(config, db.engine)
    with transaction(db.engine) as session:
        hits = {h.term: h for h in session.scalars(select(KeywordHit))}
    telegram = hits["Telegram"]
    assert telegram.approximate and "talented ram" in telegram.snippet
    assert telegram.confidence is not None and 0 < telegram.confidence < 1
    assert hits["fake news"].approximate is False


@pytest.mark.slow
def test_the_pass_keeps_every_segment_as_decoded_and_spots_nothing_already_heard(
    tmp_path: Path,
) -> None:
    """hotwords.wav: with the terms as hotwords tiny.en writes both; the pass (which sees the
    segments one window at a time as faster-whisper yields them) returns the same segments."""
    terms = ["Telegram", "TikTok", "Facebook", "minister"]
    results = []
    for verify in (False, True):
        config = make_config(
            tmp_path,
            transcription=transcription_settings(keyword_verify=verify),
            keywords={"platforms": {"terms": terms}},
        )
        results.append(Transcriber(config).transcribe(SPEECH / "hotwords.wav", prompt_terms=terms))
    off, on = results
    assert [(s.start, s.end, s.text, s.hallucination) for s in on.segments] == [
        (s.start, s.end, s.text, s.hallucination) for s in off.segments
    ]
    assert "Telegram and TikTok" in on.text
    assert all(s.spotted == () for s in on.segments)
