"""storage.keyword_hits on SQLite and PostgreSQL: exact replacement, stale groups and terms."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from storage.engine import transaction
from storage.keyword_hits import (
    drop_groups_except,
    drop_terms_except,
    post_range_scope,
    posts_scope,
    replace_hits,
)
from storage.models import Account, Actor, KeywordHit, Post
from tests.conftest import TestDatabase

T0 = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def _posts(db: TestDatabase, count: int) -> list[int]:
    with transaction(db.engine) as session:
        account = Account(actor=Actor(name="PM"), platform="telegram", handle="pm", cursor={})
        posts = [
            Post(account=account, platform_post_id=str(n), published_at=T0, kind="text")
            for n in range(count)
        ]
        session.add_all(posts)
        session.flush()
        return [post.id for post in posts]


def _hit(group: str, term: str, post_id: int, snippet: str = "…") -> dict[str, Any]:
    return {
        "group_name": group,
        "term": term,
        "source_key": f"post:{post_id}",
        "source_kind": "post",
        "post_id": post_id,
        "segment_id": None,
        "snippet": snippet,
        "char_offset": 0,
        "start_seconds": None,
        "link": None,
        "published_at": T0,
    }


def _stored(db: TestDatabase) -> list[tuple[str, str, int, str]]:
    with transaction(db.engine) as session:
        rows = session.scalars(select(KeywordHit).order_by(KeywordHit.group_name, KeywordHit.term))
        return [(r.group_name, r.term, r.post_id, r.snippet) for r in rows]


def test_replace_hits_makes_a_batch_exactly_the_given_rows(db: TestDatabase) -> None:
    one, two = _posts(db, 2)
    rows = [_hit("land", "land", one), _hit("land", "eviction", two)]
    with transaction(db.engine) as session:
        counts = replace_hits(session, posts_scope([one, two]), ["land"], rows)
    assert (counts.added, counts.updated, counts.removed) == (2, 0, 0)
    with transaction(db.engine) as session:
        again = replace_hits(session, post_range_scope(one, two), ["land"], rows)
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    edited = [_hit("land", "land", one, snippet="edited")]
    with transaction(db.engine) as session:
        counts = replace_hits(session, posts_scope([one, two]), ["land"], edited)
    assert (counts.added, counts.updated, counts.removed) == (0, 1, 1)
    assert _stored(db) == [("land", "land", one, "edited")]


def test_hits_of_unconfigured_groups_and_terms_are_dropped(db: TestDatabase) -> None:
    [post] = _posts(db, 1)
    rows = [_hit("land", "land", post), _hit("land", "eviction", post), _hit("old", "x", post)]
    with transaction(db.engine) as session:
        replace_hits(session, posts_scope([post]), ["land", "old"], rows)
    with transaction(db.engine) as session:
        assert drop_groups_except(session, ["land"]) == ["old"]
        drop_terms_except(session, "land", ["land"], None)
    assert _stored(db) == [("land", "land", post, "…")]
    with transaction(db.engine) as session:
        drop_terms_except(session, "land", ["land"], "post")  # the group now reads transcripts
    assert _stored(db) == []
