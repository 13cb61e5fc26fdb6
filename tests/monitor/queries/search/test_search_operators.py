"""`search` operators: OR, -exclusions and "phrases" mean the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.queries.search import QueryError, search
from monitor.queries.search.query import parse_query
from storage.engine import transaction
from storage.models import Media, Transcript, TranscriptSegment
from tests.conftest import TestDatabase, invoke
from tests.support.corpus import seed

TEXTS = [
    "The Candlelight Party rejects the ban. Candlelight will go on.",  # 1
    "A note on the candlelight vigil",  # 2
    "Police will arrest the opposition leaders",  # 3
    "ប៉ូលិស\u200bនឹង\u200bចាប់\u200bខ្លួន\u200bជនក្បត់ជាតិ",  # 4
    "The anti-corruption unit speaks",  # 5
]
SEGMENT = "the Candlelight party must be dissolved"


@pytest.fixture
def config(db: TestDatabase, tmp_path: Path) -> Path:
    path = seed(db, tmp_path, TEXTS)
    with transaction(db.engine) as session:
        media = Media(post_id=2, position=0, kind="video", status="done")
        session.add(media)
        session.flush()
        transcript = Transcript(
            media_id=media.id, backend="faster-whisper", model="t", text=SEGMENT
        )
        session.add(transcript)
        session.flush()
        session.add(
            TranscriptSegment(
                transcript_id=transcript.id,
                position=0,
                start_seconds=3,
                end_seconds=6,
                text=SEGMENT,
            )
        )
    return path


def _found(db: TestDatabase, query: str) -> list[str]:
    """Sorted `post N` / `segment` labels of what the query finds."""
    with transaction(db.engine) as session:
        results = search(session, query)
    return sorted(f"post {r.post_id}" if r.kind == "post" else "segment" for r in results)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("candlelight", ["post 1", "post 2", "segment"]),
        ("candlelight OR arrest", ["post 1", "post 2", "post 3", "segment"]),
        ("vigil OR arrest OR ចាប់ខ្លួន", ["post 2", "post 3", "post 4"]),
        ("candlelight -vigil", ["post 1", "segment"]),
        ('candlelight -"Candlelight Party"', ["post 2"]),  # a phrase excluded, any case
        ('"Candlelight Party" OR ចាប់ខ្លួន', ["post 1", "post 4", "segment"]),
        ('"candlelight party" -dissolved', ["post 1"]),
        ("candlelight -go", ["post 2", "segment"]),  # a short exclusion is scanned
        ("ជន OR vigil", ["post 2", "post 4"]),  # a short alternative is scanned
        ("the OR police -candlelight", ["post 3", "post 5"]),
        ("candlelight or", []),  # a lowercase `or` is a word to find
        ("anti-corruption", ["post 5"]),  # a hyphen inside a word is literal
        ("police -nothing-like-this", ["post 3"]),
    ],
)
def test_operators_find_the_same_on_both_engines(
    db: TestDatabase, config: Path, query: str, expected: list[str]
) -> None:
    assert _found(db, query) == expected


def test_parse_groups_alternatives_and_exclusions() -> None:
    query = parse_query('a "b c" OR d -e -"f g" h a')
    assert query.groups == (("a",), ("b c", "d"), ("h",))
    assert query.excluded == ("e", "f g")


@pytest.mark.parametrize(
    "query",
    ["OR candlelight", "candlelight OR", "vigil OR OR arrest", "a -b OR c", "a OR -b", " -vigil"],
)
def test_malformed_operators_are_one_line_exit_2(config: Path, query: str) -> None:
    with pytest.raises(QueryError):
        parse_query(query)
    result = invoke(config, "search", query)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1


def test_search_command_takes_operators(config: Path) -> None:
    result = invoke(config, "search", "candlelight OR arrest -vigil", "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert sorted(r["kind"] for r in found) == ["post", "post", "segment"]
    assert all("vigil" not in r["snippet"] for r in found)
    assert found == sorted(found, key=lambda r: -r["score"])
