"""`list_posts`' capture, version and seen columns, read in one statement however many posts."""

from __future__ import annotations

from datetime import timedelta

from monitor.queries.posts import list_posts
from storage.engine import session_factory, transaction
from tests.conftest import TestDatabase
from tests.support import factories
from tests.support.factories import T0
from tests.support.statements import counted

H = timedelta(hours=1)


def test_each_post_has_its_latest_capture_and_its_versions(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "A"), "telegram", "a")
        post = factories.post(session, owner, "x", published_at=T0, views=999)
        factories.metric(session, post, H, 10, shares=1, reactions={"a": 1})
        # Two captures at the same time: the one written last counts.
        factories.metric(session, post, 2 * H, 20, shares=2, reactions={"a": 2, "b": 3})
        factories.metric(session, post, 2 * H, 30, shares=None, comments=4)
        factories.version(session, post, "x", T0)
        post_id = post.id
    with session_factory(db.engine)() as session:
        (row,) = list_posts(session)
    assert row["id"] == post_id
    assert (row["views"], row["shares"], row["comments"], row["reactions"]) == (30, None, 4, None)
    assert row["metrics_at"] == T0 + 2 * H and row["version_count"] == 1


def test_one_statement_for_ten_posts_or_sixty(db: TestDatabase) -> None:
    def add(count: int, handle: str) -> None:
        with transaction(db.engine) as session:
            owner = factories.account(session, factories.actor(session, handle), "telegram", handle)
            for n in range(count):
                post = factories.post(session, owner, f"{n}", published_at=T0 + n * H)
                factories.metric(session, post, H, n)
                factories.metric(session, post, 2 * H, 2 * n, reactions={"x": n})
                factories.version(session, post, f"{n}", T0 + n * H)

    add(10, "ten")
    with session_factory(db.engine)() as session, counted(db.engine) as few:
        ten = list_posts(session, limit=None)
    add(50, "fifty")
    with session_factory(db.engine)() as session, counted(db.engine) as many:
        sixty = list_posts(session, limit=None)
    assert len(ten) == 10 and len(sixty) == 60
    assert len(few) == len(many) == 1
    assert {(r["views"], r["reactions"], r["version_count"]) for r in sixty} == {
        (2 * n, n, 1) for n in range(50)
    } | {(2 * n, n, 1) for n in range(10)}
