"""`captured_posts`: the window's posts, each account's latest posts, their captures; few reads."""

from __future__ import annotations

from datetime import timedelta

from monitor.queries.engagement import captured_posts
from storage.engine import session_factory, transaction
from tests.conftest import TestDatabase
from tests.support import factories
from tests.support.engagement_data import build
from tests.support.factories import T0
from tests.support.statements import counted

NOW = T0 + timedelta(days=60)


def test_listed_and_baseline_posts_with_their_captures(db: TestDatabase) -> None:
    ids = build(db.engine).ids
    with session_factory(db.engine)() as session:
        posts = captured_posts(
            session, actor="Hun Sen", since=T0 + timedelta(days=6), baseline_posts=3, now=NOW
        )
    listed = [(p.id, p.baseline) for p in posts if p.listed]
    assert listed == [(ids["edge"], True), (ids["low"], True)]
    assert [p.id for p in posts if not p.listed] == [ids["boost"]]  # the third latest
    captures = {
        p.id: [(c.captured_at - p.published_at, c.views) for c in p.captures] for p in posts
    }
    assert captures[ids["boost"]] == [(timedelta(hours=1), 600), (timedelta(hours=24), 1200)]


def test_the_number_of_reads_does_not_grow_with_the_posts(db: TestDatabase) -> None:
    build(db.engine)
    with session_factory(db.engine)() as session, counted(db.engine) as few:
        small = captured_posts(session, actor="Sam Rainsy", limit=None, now=NOW)
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "Many"), "telegram", "many")
        for n in range(40):
            post = factories.post(session, owner, f"p{n}", published_at=T0 + timedelta(hours=n))
            factories.metric(session, post, timedelta(hours=1), n)
            factories.metric(session, post, timedelta(hours=2), 2 * n)
    with session_factory(db.engine)() as session, counted(db.engine) as many:
        large = captured_posts(session, limit=None, now=NOW)
    assert len(small) == 3 and len(large) == 52  # 9 + 3 + 40
    assert sum(len(p.captures) for p in large) > 80
    assert len(many) == len(few) == 3


def test_nothing_in_scope_is_one_read(db: TestDatabase) -> None:
    build(db.engine)
    with session_factory(db.engine)() as session, counted(db.engine) as statements:
        assert captured_posts(session, actor="Hun Sen", since=NOW, now=NOW) == []
    assert len(statements) == 1


def test_comments_are_neither_listed_nor_in_the_typical_curve(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "Thread"), "telegram", "thread")
        parent = factories.post(session, owner, "speech", post_id="7", published_at=T0)
        factories.metric(session, parent, timedelta(hours=1), 500)
        reply = factories.post(
            session,
            owner,
            "a reply",
            post_id="7/c1",
            published_at=T0 + timedelta(minutes=5),
            parent_post_id=parent.id,
            author_name="someone",
        )
        factories.metric(session, reply, timedelta(hours=1), 3)
        parent_id = parent.id
    with session_factory(db.engine)() as session:
        posts = captured_posts(session, actor="Thread", limit=None, now=NOW)
    assert [(p.id, p.listed, p.baseline) for p in posts] == [(parent_id, True, True)]
