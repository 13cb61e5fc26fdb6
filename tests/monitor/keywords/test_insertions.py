"""Transcript matching against hotword insertions: repeated terms, words an exact hit took."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from monitor.config import KeywordGroupConfig, parse_config
from monitor.keywords.fuzzy import FuzzyOptions, fuzzy_options
from monitor.keywords.insertions import repeated
from monitor.keywords.matcher import KeywordMatcher
from monitor.keywords.phonetic import phonetic_key

TERMS = ["Battambang", "Phnom Penh", "Tea Banh", "ban", "Siem Reap", "Sam Rainsy"]


def matches(text: str, *, terms: list[str] = TERMS, **options: Any) -> list[tuple[str, str, bool]]:
    groups = {"g": KeywordGroupConfig(terms=terms)}
    matcher = KeywordMatcher.for_source(groups, "transcripts", fuzzy=FuzzyOptions(**options))
    return [(m.term, text[m.start : m.end], m.approximate) for m in matcher.match(text)]


def test_a_term_written_twice_in_a_row_is_no_hit() -> None:
    # What tiny.en wrote for "A post about the flood in Phnom Penh got fourteen million likes":
    # the hotwords prompt copied, "Battambang" never said.
    text = "A post about the flood in Hun Penh, Battambang, Battambang, 14 million likes"
    assert ("Battambang", "Battambang", False) not in matches(text)
    assert ("Battambang", "Battambang", False) in matches(text, drop_repeats=False)
    # Said once, or twice apart, it is a hit.
    assert matches("Farmers in Battambang and Phnom Penh.") == [
        ("Battambang", "Battambang", False),
        ("Phnom Penh", "Phnom Penh", False),
    ]
    assert matches("Battambang won; later Battambang lost.") == [
        ("Battambang", "Battambang", False)
    ]


def test_repeated_reads_whole_words_across_punctuation_and_case() -> None:
    text = "in Hun Penh, Battambang. battambang!"
    start = text.index("Battambang")
    assert repeated(text, start, start + len("Battambang"))
    text = "Battambangs, Battambang"
    assert not repeated(text, 0, len("Battambang"))
    assert not repeated("ban bank", 0, 3)


def test_approximate_matches_never_reuse_an_exact_hits_words() -> None:
    # "ban" is said; "the ban" is close to "Tea Banh" in sound but its word is taken.
    text = "Kem Sokha sent the ban on his political activity"
    assert matches(text) == [("ban", "ban", False)]
    # Without "ban" watched, the same words are Tea Banh's approximate hit.
    others = [term for term in TERMS if term != "ban"]
    assert ("Tea Banh", "the ban", True) in matches(text, terms=others)


def test_the_phonetic_key_folds_spellings_of_one_sound() -> None:
    assert phonetic_key("Phnom Penh") == phonetic_key("fnom pen") == "fnmpn"
    assert phonetic_key("Kem Sokha") == phonetic_key("Kim Socka")
    assert phonetic_key("Siem Reap") == "smrp"
    assert phonetic_key("Knight") == phonetic_key("night")
    assert phonetic_key("city") != phonetic_key("kitty")  # soft c
    assert phonetic_key("") == ""


def test_phonetic_matching_at_075_finds_mishearings_the_spelling_misses() -> None:
    text = "Sam Rainsy said he would return to see Meap next year."
    assert ("Siem Reap", "see Meap", True) in matches(text)
    # Before: letter pairs folded, at 0.8.
    assert ("Siem Reap", "see Meap", True) not in matches(text, min_score=0.8, phonetic=False)
    # The folded letters at 0.75 take unrelated words the consonant key keeps apart.
    assert matches("before the protected forest", terms=["arrest"]) == []
    assert matches("before the protected forest", terms=["arrest"], phonetic=False) != []
    # A near miss as close in sound as "Sam Ramsey" (0.733) stays below 0.75.
    assert matches("Sam Ramsey won the golf tournament.") == []


def test_config_keys_set_the_transcript_matchers_options(tmp_path: Path) -> None:
    def options(**transcription: Any) -> FuzzyOptions | None:
        data = {"keywords": {"g": {"terms": TERMS}}, "transcription": transcription}
        return fuzzy_options(parse_config(data, tmp_path / "polmon.toml"))

    assert options() == FuzzyOptions(0.75, 6, drop_repeats=True, phonetic=True)
    assert options(keyword_fuzzy_phonetic=False, keyword_fuzzy_min_score=0.8) == FuzzyOptions(
        0.8, 6, drop_repeats=True, phonetic=False
    )
    assert options(keyword_drop_repeats=False) == FuzzyOptions(drop_repeats=False)
    assert options(keyword_fuzzy=False) is None
