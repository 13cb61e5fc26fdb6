"""Full-text search on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm, tsvector), Khmer included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text, update

from monitor.queries.search import EmptyQueryError, search
from storage.engine import make_engine, transaction
from storage.migrations import upgrade
from storage.models import Post
from tests.conftest import TestDatabase
from tests.support import factories


@pytest.fixture
def corpus(db: TestDatabase) -> TestDatabase:
    with transaction(db.engine) as session:
        hun_sen = factories.actor(session, "Hun Sen")
        rainsy = factories.actor(session, "Sam Rainsy")
        tg = factories.account(session, hun_sen, "telegram", "samdechhunsen")
        yt = factories.account(session, hun_sen, "youtube", "@samdechhunsen")
        fb = factories.account(session, rainsy, "facebook", "rainsy")
        factories.post(session, tg, "ប៉ូលិស\u200bនឹង\u200bចាប់\u200bខ្លួន\u200bជនក្បត់ជាតិ")
        factories.post(
            session,
            fb,
            "The Candlelight Party rejects the ban. Candlelight will go on.",
            published_at=factories.T0 - timedelta(days=10),
        )
        factories.post(session, tg, "A note on the candlelight vigil", title="Vigil")
        video = factories.post(
            session, yt, None, url="https://www.youtube.com/watch?v=v1", kind="video"
        )
        factories.transcript(
            session,
            video,
            [
                (4.0, "យើងនឹងចាប់ខ្លួនពួកគេ"),
                (63.5, "the Candlelight party must be dissolved"),
                (90.0, "candlelight candlelight candlelight", True),
            ],
        )
    return db


def _search(db: TestDatabase, query: str, **options: object) -> list[tuple[str, str, str]]:
    with transaction(db.engine) as session:
        return [(r.kind, r.handle, r.snippet) for r in search(session, query, **options)]  # type: ignore[arg-type]


def test_khmer_substring_ignores_zero_width_spaces(corpus: TestDatabase) -> None:
    assert sorted(_search(corpus, "ចាប់ខ្លួន")) == [
        ("post", "samdechhunsen", "ប៉ូលិស\u200bនឹង\u200b«ចាប់\u200bខ្លួន»\u200bជនក្បត់ជាតិ"),
        ("segment", "@samdechhunsen", "យើងនឹង«ចាប់ខ្លួន»ពួកគេ"),
    ]
    # Typed with zero-width spaces, the query finds the same.
    assert len(_search(corpus, "ចាប់\u200bខ្លួន")) == 2


def test_ranked_with_snippets_links_and_filters(corpus: TestDatabase) -> None:
    with transaction(corpus.engine) as session:
        results = search(session, "candlelight")
        # Hallucination-flagged segments are not searched.
        assert sorted((r.kind, r.handle) for r in results) == [
            ("post", "rainsy"),
            ("post", "samdechhunsen"),
            ("segment", "@samdechhunsen"),
        ]
        assert results == sorted(results, key=lambda r: -r.score)
        best = results[0]
        assert best.handle == "rainsy"  # two occurrences beat one
        assert best.snippet.startswith("The «Candlelight» Party")
        segment = next(r for r in results if r.kind == "segment")
        assert segment.start_seconds == 63.5
        assert segment.link == "https://www.youtube.com/watch?v=v1&t=63s"
        assert segment.actor == "Hun Sen"
        since = [r.handle for r in search(session, "candlelight", since=factories.T0)]
        assert "rainsy" not in since
        assert [r.kind for r in search(session, "candlelight", where="transcripts")] == ["segment"]
        assert {r.actor for r in search(session, "candlelight", actor="Sam Rainsy")} == {
            "Sam Rainsy"
        }
        assert [r.platform for r in search(session, "candlelight", platform="facebook")] == [
            "facebook"
        ]
        assert [r.handle for r in search(session, '"Candlelight Party" ban')] == ["rainsy"]
        assert search(session, "nowhere-to-be-found") == []
        with pytest.raises(EmptyQueryError):
            search(session, " \u200b ")


def test_short_queries_fall_back_to_like(corpus: TestDatabase) -> None:
    # "ban" is indexed (3 chars); "go" is shorter than a trigram and filtered with LIKE.
    assert [h for _k, h, _s in _search(corpus, "go ban")] == ["rainsy"]
    assert [h for _k, h, _s in _search(corpus, "ជន")] == ["samdechhunsen"]


def test_index_follows_edits(corpus: TestDatabase) -> None:
    with transaction(corpus.engine) as session:
        session.execute(
            update(Post).where(Post.title == "Vigil").values(text="now about elections")
        )
    assert [h for _k, h, _s in _search(corpus, "vigil")] == ["samdechhunsen"]  # the title
    assert [h for _k, h, _s in _search(corpus, "elections")] == ["samdechhunsen"]
    assert "samdechhunsen" not in [h for k, h, _s in _search(corpus, "candlelight") if k == "post"]


@pytest.mark.postgres
def test_postgres_substring_search_uses_the_trigram_index(
    postgres_server: str, postgres_schema: str
) -> None:
    # Freshly migrated tables (never analysed), as on a new install: the shared test database's
    # statistics, left by earlier tests, can steer the planner to another plan.
    engine = make_engine(postgres_server, schema=postgres_schema)
    upgrade(engine)
    with engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        with transaction(engine) as session:
            from monitor.queries.search.query import parse_query
            from monitor.queries.search.statements import pg_polls, pg_posts

            plans = []
            for statement in (pg_posts, pg_polls):
                stmt = statement(parse_query("ចាប់ខ្លួន"))
                bind = session.get_bind()
                compiled = stmt.compile(bind, compile_kwargs={"literal_binds": True})
                plans.append("\n".join(conn.scalars(text(f"EXPLAIN {compiled}"))))
    engine.dispose()
    assert "fts_posts_trgm" in plans[0]
    assert "fts_polls_trgm" in plans[1]


def test_wildcards_and_quotes_are_literal(corpus: TestDatabase) -> None:
    with transaction(corpus.engine) as session:
        owner = factories.account(session, factories.actor(session, "B"), "telegram", "b")
        factories.post(session, owner, 'Sale: 100% off_now, say "hi"')
    assert [h for _k, h, _s in _search(corpus, "100% off_now")] == ["b"]
    assert _search(corpus, "1_0%") == []
    assert [h for _k, h, _s in _search(corpus, 'say "hi')] == ["b"]
