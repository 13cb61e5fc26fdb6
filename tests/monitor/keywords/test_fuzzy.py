"""Approximate matching in transcripts: scored, marked, never over exact hits or short words."""

from __future__ import annotations

from typing import Any

from monitor.config import KeywordGroupConfig
from monitor.keywords.fuzzy import FuzzyOptions, close_spans, similarity, sound_key
from monitor.keywords.live import matcher_for
from monitor.keywords.matcher import KeywordMatcher, Match
from monitor.keywords.numbers import number_words

TERMS = ["Kem Sokha", "Hun Manet", "Hun Many", "Candlelight Party", "bat", "fourteen million likes"]


def matches(text: str, terms: list[str] = TERMS, **group: Any) -> list[Match]:
    groups = {"g": KeywordGroupConfig(terms=terms, **group)}
    return KeywordMatcher.for_source(groups, "transcripts", fuzzy=FuzzyOptions()).match(text)


def spans(text: str, found: list[Match]) -> list[tuple[str, str, bool]]:
    return [(m.term, text[m.start : m.end], m.approximate) for m in found]


def test_a_misheard_name_is_an_approximate_hit_with_its_score() -> None:
    text = "Then Kim Sokha said it was unfair."
    [hit] = matches(text)
    assert (hit.term, text[hit.start : hit.end], hit.approximate) == (
        "Kem Sokha",
        "Kim Sokha",
        True,
    )
    assert hit.score is not None and 0.8 <= hit.score < 1.0
    # Words run together or split apart are close too.
    assert spans("the candle light party met", matches("the candle light party met")) == [
        ("Candlelight Party", "candle light party", True)
    ]


def test_exact_hits_win_and_their_words_are_not_reused() -> None:
    text = "Hun Manet and Kem Sokha spoke; later Kim Sokha again."
    found = matches(text)
    # Kem Sokha is found exactly, so the close "Kim Sokha" adds nothing; "Hun Manet" is
    # exact and its words do not also make an approximate "Hun Many".
    assert spans(text, found) == [
        ("Hun Manet", "Hun Manet", False),
        ("Kem Sokha", "Kem Sokha", False),
    ]
    assert all(m.score is None for m in found)


def test_short_words_unrelated_words_and_near_misses_do_not_fire() -> None:
    assert matches("He sat on the mat and read the paper.") == []  # "bat" is too short
    assert matches("The band played music late into the night.", ["ban"]) == []
    assert matches("Sam Ramsey won the golf tournament.", ["Sam Rainsy"]) == []
    assert matches("They lit a candle at the birthday party.") == []


def test_numbers_in_digits_meet_terms_in_words() -> None:
    assert number_words("14,000,000") == "fourteen million"
    assert number_words("2012") == "two thousand twelve"
    text = "The clip got 14,000,000 likes."
    assert spans(text, matches(text)) == [("fourteen million likes", "14,000,000 likes", True)]


def test_other_scripts_regexes_and_opted_out_groups_stay_exact() -> None:
    khmer = ["ហ៊ុន សែន", "គណបក្សភ្លើងទៀន"]
    assert matches("ហ៊ុន សេន និង គណបក្សភ្លើងទៀ", khmer) == []
    assert matches("Kim Sokha", [r"kem\s+sokha"], regex=True) == []
    assert matches("Kim Sokha", ["Kem Sokha"], fuzzy=False) == []
    assert matches("Kim Sokha spoke", ["Kem Sokha"], exclude=["spoke"]) == []


def test_post_text_is_matched_exactly() -> None:
    groups = {"g": KeywordGroupConfig(terms=["Kem Sokha"])}
    assert matcher_for(groups, "posts", fuzzy=FuzzyOptions()).match("Kim Sokha") == []
    assert matcher_for(groups, "transcripts", fuzzy=FuzzyOptions()).match("Kim Sokha") != []


def test_similarity_and_sound_keys() -> None:
    assert similarity("kemsokha", "kimsokha") == 1 - 1 / 8
    assert similarity("", "") == 1.0
    assert sound_key("Kem Sokha".replace(" ", "")) == sound_key("kimsoka")
    assert sound_key("Phnom") == sound_key("fnom")


def test_close_spans_lists_each_terms_closest_word_runs_above_a_low_bar() -> None:
    text = "The government may ban talented ram channels"
    found = close_spans(["Telegram", "Kem Sokha"], text, 0.5, 2)
    telegram = [(text[s:e], score) for term, score, s, e in found if term == "Telegram"]
    assert len(telegram) == 2 and telegram[0][1] >= telegram[1][1] >= 0.5
    assert "talented ram" in {run for run, _ in telegram}
    assert all(term != "Kem Sokha" for term, *_ in found)  # nothing close enough
