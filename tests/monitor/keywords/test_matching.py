"""Keyword matching on its own: scripts, normalisation, boundaries, regex, exclusions, engines."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from monitor.config import KeywordGroupConfig
from monitor.keywords.engines import EngineName
from monitor.keywords.matcher import KeywordMatcher
from monitor.keywords.normalize import normalize

ENGINES: tuple[EngineName, ...] = ("aho-corasick", "regex")


def found(
    text: str, terms: list[str], engine: EngineName = "aho-corasick", **options: Any
) -> list[str]:
    """The matched spans of `text`, as written in the original."""
    matcher = KeywordMatcher.for_source(
        {"g": KeywordGroupConfig(terms=terms, **options)}, "posts", engine
    )
    return [text[m.start : m.end] for m in matcher.match(text)]


@pytest.mark.parametrize("engine", ENGINES)
def test_english_whole_words_case_insensitive(engine: EngineName) -> None:
    assert found("They will ARREST him.", ["arrest"], engine) == ["ARREST"]
    assert found("He was arrested yesterday", ["arrest"], engine) == []
    assert found("Sam  Rainsy\nspoke", ["sam rainsy"], engine) == ["Sam  Rainsy"]
    assert found("unbanned", ["ban"], engine) == []
    assert found("a ban, then", ["ban"], engine) == ["ban"]


@pytest.mark.parametrize("engine", ENGINES)
def test_khmer_with_and_without_zero_width_spaces(engine: EngineName) -> None:
    term = "ចាប់ខ្លួន"
    plain = "ប៉ូលិសនឹងចាប់ខ្លួនគាត់"
    spaced = "ប៉ូលិស\u200bនឹង\u200bចាប់\u200bខ្លួន\u200bគាត់"
    assert found(plain, [term], engine) == ["ចាប់ខ្លួន"]
    assert found(spaced, [term], engine) == ["ចាប់\u200bខ្លួន"]
    # A term typed with a zero-width space matches text typed without, and the reverse.
    assert found(plain, ["ចាប់\u200bខ្លួន"], engine) == ["ចាប់ខ្លួន"]
    assert found("គាត់ជាជនក្បត់ជាតិ", ["ក្បត់ជាតិ"], engine) == ["ក្បត់ជាតិ"]


@pytest.mark.parametrize("engine", ENGINES)
def test_thai_and_mixed_scripts(engine: EngineName) -> None:
    assert found("นายกฯประยุทธ์จันทร์โอชากล่าว", ["ประยุทธ์"], engine) == ["ประยุทธ์"]
    mixed = "គណបក្សCNRPត្រូវបានរំលាយ ហើយ CNRPX មិនមែនទេ"
    # Latin glued to Khmer is a word of its own; CNRPX is another word.
    assert found(mixed, ["CNRP"], engine) == ["CNRP"]
    assert found(mixed, ["cnrp", "គណបក្ស"], engine) == ["គណបក្ស", "CNRP"]
    assert found("ชื่อ Facebook ถูกแบน", ["facebook"], engine) == ["Facebook"]


def test_whole_word_modes() -> None:
    assert found("He was arrested", ["arrest"], whole_word="never") == ["arrest"]
    assert found("He was arrested", ["arrest"], whole_word="always") == []
    # always: even an unspaced-script term needs non-letters around it.
    assert found("នឹងចាប់ខ្លួនគាត់", ["ចាប់ខ្លួន"], whole_word="always") == []
    assert found("នឹង ចាប់ខ្លួន គាត់", ["ចាប់ខ្លួន"], whole_word="always") == ["ចាប់ខ្លួន"]


def test_case_sensitive_group() -> None:
    assert found("cnrp and CNRP", ["CNRP"], case_sensitive=True) == ["CNRP"]
    assert found("cnrp only", ["CNRP"], case_sensitive=True) == []


def test_regex_terms() -> None:
    text = "They arrested him; arrests continue"
    assert found(text, [r"arrest(ed|s)"], regex=True) == ["arrested"]
    assert found(text, [r"ARREST\w*"], regex=True) == ["arrested"]
    assert found(text, [r"rest"], regex=True) == []  # inside a word: not a whole word
    assert found("ចាប់ខ្លួនគាត់", [r"ចាប់\s*ខ្លួន"], regex=True) == ["ចាប់ខ្លួន"]
    with pytest.raises(ValidationError, match="not a valid regular expression"):
        found(text, [r"arrest("], regex=True)


def test_exclusions_silence_the_group_not_others() -> None:
    groups = {
        "threats": KeywordGroupConfig(terms=["beat"], exclude=["beat the heat"]),
        "weather": KeywordGroupConfig(terms=["heat"]),
    }
    matcher = KeywordMatcher.for_source(groups, "posts")
    assert [(m.group, m.term) for m in matcher.match("Ways to beat the heat")] == [
        ("weather", "heat")
    ]
    assert [m.term for m in matcher.match("They will beat him")] == ["beat"]


def test_search_in_selects_the_source() -> None:
    groups = {
        "p": KeywordGroupConfig(terms=["ban"], search_in="posts"),
        "t": KeywordGroupConfig(terms=["ban"], search_in="transcripts"),
        "b": KeywordGroupConfig(terms=["ban"], search_in="both"),
    }
    posts = KeywordMatcher.for_source(groups, "posts").match("a ban")
    transcripts = KeywordMatcher.for_source(groups, "transcripts").match("a ban")
    assert sorted(m.group for m in posts) == ["b", "p"]
    assert sorted(m.group for m in transcripts) == ["b", "t"]


@pytest.mark.parametrize("engine", ENGINES)
def test_offsets_map_back_through_normalisation(engine: EngineName) -> None:
    text = "Le cafe\u0301  de STRASSE et ﬁn"
    assert found(text, ["café"], engine) == ["cafe\u0301"]
    assert found(text, ["straße"], engine) == ["STRASSE"]
    assert found(text, ["fin"], engine) == ["ﬁn"]
    norm = normalize("a\u200b\u200bb  c")
    assert norm.text == "ab c"
    assert [norm.original_offset(i) for i in range(5)] == [0, 3, 4, 6, 7]


def test_overlapping_terms_all_found_by_both_engines() -> None:
    terms = ["Sam", "Sam Rainsy", "Rainsy", "Kem Sokha", "Sokha", "ban", "bank"]
    text = "Sam Rainsy met Kem Sokha at the bank about the ban; Sokha left."
    results = {engine: found(text, terms, engine) for engine in ENGINES}
    assert results["aho-corasick"] == results["regex"]
    assert sorted(results["regex"]) == sorted(terms)
