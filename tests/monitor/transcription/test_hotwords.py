"""Keyword-aware decoding: which terms become hotwords, and that they make tiny.en hear them."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import ConfigError
from monitor.transcription import Transcriber
from monitor.transcription.base import writable_terms
from monitor.transcription.settings import prompt_terms
from tests.support.config import make_config
from tests.support.transcription import SPEECH, transcription_settings

KEYWORDS = {
    "platforms": {"terms": ["Facebook", "Telegram", "TikTok", "YouTube", "ban"]},
    "threats": {"terms": ["arrest", "traitor", "ចាប់ខ្លួន"], "hotwords": True},
    "patterns": {"terms": [r"tik\s?tok"], "regex": True},  # a pattern is not a word to hear
    "quiet": {"terms": ["budget"], "hotwords": False},
    "posts_only": {"terms": ["hashtag"], "search_in": "posts"},
    "dupes": {"terms": ["telegram", "Kem Sokha"]},
}


def test_terms_come_from_hotword_groups_without_regex_or_repeats() -> None:
    config = make_config(keywords=KEYWORDS)
    assert prompt_terms(config) == (
        "Facebook",
        "Telegram",
        "TikTok",
        "YouTube",
        "ban",
        "arrest",
        "traitor",
        "ចាប់ខ្លួន",
        "Kem Sokha",
    )


def test_hotword_groups_pick_a_subset_and_hotwords_false_turns_it_off() -> None:
    subset = make_config(keywords=KEYWORDS, transcription={"hotword_groups": ["threats", "quiet"]})
    assert prompt_terms(subset) == ("arrest", "traitor", "ចាប់ខ្លួន", "budget")
    regex_named = make_config(keywords=KEYWORDS, transcription={"hotword_groups": ["patterns"]})
    assert prompt_terms(regex_named) == ()
    off = make_config(keywords=KEYWORDS, transcription={"hotwords": False})
    assert prompt_terms(off) == ()


def test_hotwords_keep_what_the_model_can_write_within_the_token_cap() -> None:
    terms = ["Telegram", "ចាប់ខ្លួន", "Kem Sokha", "Phnom Penh"]
    assert writable_terms(terms, multilingual=False) == ["Telegram", "Kem Sokha", "Phnom Penh"]
    assert writable_terms(terms, multilingual=True) == terms
    # Whole terms only: one that would pass the cap is left out, a later shorter one kept.
    capped = ["Telegram", "Candlelight Party", "ban"]  # 10, 19 and 5 characters with ", "
    assert writable_terms(capped, multilingual=False, count_tokens=len, max_tokens=16) == [
        "Telegram",
        "ban",
    ]


def test_unknown_hotword_group_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"transcription\.hotword_groups\.0: no keyword group"):
        make_config(keywords=KEYWORDS, transcription={"hotword_groups": ["nope"]})


@pytest.mark.slow
def test_stock_model_mishears_the_terms_and_the_keyword_aware_run_hears_them(
    tmp_path: Path,
) -> None:
    """The clip says "He said that Telegram and TikTok spread rumours" (espeak-ng, en-us)."""
    config = make_config(tmp_path, transcription=transcription_settings(), keywords=KEYWORDS)
    transcriber = Transcriber(config)
    stock = transcriber.transcribe(SPEECH / "hotwords.wav").text.lower()
    assert "telegram" not in stock and "tiktok" not in stock, stock  # "tell a dream … talk"
    terms = prompt_terms(config)
    aware = transcriber.transcribe(SPEECH / "hotwords.wav", prompt_terms=terms)
    assert "telegram" in aware.text.lower() and "tiktok" in aware.text.lower(), aware.text
    # What the English-only model was given (and the transcript records): no Khmer.
    assert aware.prompt_terms == tuple(t for t in terms if t != "ចាប់ខ្លួន")
    # The same terms do not push keywords into speech that lacks them.
    plain = transcriber.transcribe(SPEECH / "plain.wav", prompt_terms=terms).text.lower()
    assert "budget" in plain and not {"telegram", "tiktok", "facebook"} & set(plain.split())
