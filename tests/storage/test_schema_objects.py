"""Migrations 0003/0004/0009: FTS and rollup triggers, analyst views, the polls' index."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from types import ModuleType

from sqlalchemy import Engine, delete, func, insert, select, text, update

from collectors.records import poll_text_of
from storage import search_sql
from storage.engine import transaction
from storage.migrations import script_location, upgrade
from storage.models import Account, AudienceDaily, AudienceSnapshot, Post, PostVersion
from tests.conftest import TestDatabase
from tests.support import factories


def _migration(file_name: str) -> ModuleType:
    path = script_location() / "versions" / file_name
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_migration_keeps_frozen_copies_of_search_expressions() -> None:
    module = _migration("0003_full_text_search.py")
    assert search_sql.pg_post_document() == module.PG_POST_DOCUMENT
    assert search_sql.pg_segment_document() == module.PG_SEGMENT_DOCUMENT
    assert module._strip("x") == search_sql.sqlite_strip("x")


def test_poll_migration_keeps_frozen_copies() -> None:
    module = _migration("0009_poll_text.py")
    assert search_sql.pg_poll_document() == module.PG_POLL_DOCUMENT
    assert module._strip("x") == search_sql.sqlite_strip("x")
    poll = {"poll": {"question": " Who? ", "options": [{"text": "A"}, {"text": ""}, {"x": 1}]}}
    for raw in (poll, {"poll": "x"}, None, {"poll": {"question": "", "options": "bad"}}):
        assert module.poll_text(raw) == poll_text_of(raw)
    assert poll_text_of(poll) == "Who?\nA"


def _rollup(db: TestDatabase) -> list[tuple[date, int | None]]:
    with transaction(db.engine) as session:
        rows = session.execute(
            select(AudienceDaily.day, AudienceDaily.followers).order_by(AudienceDaily.day)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_audience_daily_follows_inserts_updates_and_deletes(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "A"), "telegram", "a")
        # Two captures on day 0 (the later wins, even inserted first), one on day 1.
        factories.snapshots(session, owner, [(0.4, 110), (0.1, 100), (1.0, 200)])
    day0 = factories.T0.date()
    day1 = day0 + timedelta(days=1)
    assert _rollup(db) == [(day0, 110), (day1, 200)]
    with transaction(db.engine) as session:
        session.execute(
            update(AudienceSnapshot).where(AudienceSnapshot.followers == 110).values(followers=111)
        )
    assert _rollup(db) == [(day0, 111), (day1, 200)]
    with transaction(db.engine) as session:
        session.execute(delete(AudienceSnapshot).where(AudienceSnapshot.followers == 111))
    assert _rollup(db) == [(day0, 100), (day1, 200)]
    with transaction(db.engine) as session:
        session.execute(delete(AudienceSnapshot).where(AudienceSnapshot.followers == 200))
    assert _rollup(db) == [(day0, 100)]


def test_views_join_accounts_actors_and_posts(db: TestDatabase) -> None:
    with transaction(db.engine) as session:
        person = factories.actor(session, "Hun Manet")
        tg = factories.account(session, person, "telegram", "hunmanet")
        fb = factories.account(session, person, "facebook", "hunmanet5")
        factories.snapshots(session, tg, [(0, 1000)])
        factories.snapshots(session, fb, [(0, 5000, True)])
        post = factories.post(session, tg, "hello")
        session.execute(
            text(
                "INSERT INTO keyword_hits (group_name, term, source_key, source_kind, post_id, "
                "snippet, matched_at) VALUES ('g', 'hello', :key, 'post', :post, 'hello', :now)"
            ),
            {"key": f"post:{post.id}", "post": post.id, "now": factories.T0},
        )
    with db.engine.connect() as conn:
        actor_rows = conn.execute(
            text(
                "SELECT actor, followers, accounts_reporting, any_approximate "
                "FROM v_audience_daily_actor"
            )
        ).all()
        account_rows = conn.execute(
            text("SELECT platform, handle, followers FROM v_audience_daily_account ORDER BY handle")
        ).all()
        hits = conn.execute(text("SELECT actor, platform, handle, term FROM v_keyword_hits")).all()
    assert [tuple(r) for r in actor_rows] == [("Hun Manet", 6000, 2, 1)]
    assert [tuple(r) for r in account_rows] == [
        ("telegram", "hunmanet", 1000),
        ("facebook", "hunmanet5", 5000),
    ]
    assert [tuple(r) for r in hits] == [("Hun Manet", "telegram", "hunmanet", "hello")]


def test_search_index_follows_inserts_edits_and_deletes(sqlite_db: TestDatabase) -> None:
    def found(term: str) -> list[int]:
        with sqlite_db.engine.connect() as conn:
            return list(
                conn.scalars(
                    text("SELECT rowid FROM fts_posts WHERE fts_posts MATCH :q"),
                    {"q": f'"{term}"'},
                )
            )

    with transaction(sqlite_db.engine) as session:
        owner = factories.account(session, factories.actor(session, "A"), "telegram", "a")
        post = factories.post(session, owner, "ក្រុម\u200bប្រឹក្សា first words")
    assert found("ក្រុមប្រឹក្សា") == [post.id]  # zero-width space removed in the index
    with transaction(sqlite_db.engine) as session:
        session.execute(update(Post).where(Post.id == post.id).values(text="second words"))
    assert found("first") == []
    assert found("second") == [post.id]
    with transaction(sqlite_db.engine) as session:
        session.execute(delete(Post).where(Post.id == post.id))
    assert found("second") == []


def _found_in_polls(engine: Engine, term: str) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.scalars(
                text("SELECT rowid FROM fts_polls WHERE fts_polls MATCH :q"), {"q": f'"{term}"'}
            )
        )


def test_0009_backfills_polls_collected_before_it(unmigrated_engine: Engine) -> None:
    engine = unmigrated_engine
    upgrade(engine, "0008")
    raw = {"poll": {"question": "Who should lead?", "options": [{"text": "ក្រុម\u200bប្រឹក្សា"}]}}
    with transaction(engine) as session:  # the columns 0008 has (Core names them)
        actor = factories.actor(session, "A")
        account_id = session.scalar(
            insert(Account.__table__)
            .values(actor_id=actor.id, platform="telegram", handle="a")
            .returning(Account.__table__.c.id)
        )
        for number, kind_of_post in ((1, "poll"), (2, "text")):
            session.execute(
                insert(Post.__table__).values(
                    account_id=account_id,
                    platform_post_id=str(number),
                    published_at=factories.T0,
                    kind=kind_of_post,
                    raw=raw,
                )
            )
        first = session.scalar(select(func.min(Post.id)))
        session.execute(insert(PostVersion.__table__).values(post_id=first, seen_at=factories.T0))
    upgrade(engine)
    with transaction(engine) as session:
        polls = session.execute(select(Post.kind, Post.poll_text).order_by(Post.id)).all()
        versions = session.scalars(select(PostVersion.poll_text)).all()
        view = session.execute(text("SELECT * FROM v_keyword_hits")).keys()
    assert {"confidence", "approximate", "post_poll_text"} <= set(view)
    assert [tuple(row) for row in polls] == [
        ("poll", "Who should lead?\nក្រុម\u200bប្រឹក្សា"),
        ("text", None),
    ]
    assert versions == ["Who should lead?\nក្រុម\u200bប្រឹក្សា"]


def test_poll_index_follows_inserts_edits_and_deletes(sqlite_db: TestDatabase) -> None:
    engine = sqlite_db.engine
    with transaction(engine) as session:
        owner = factories.account(session, factories.actor(session, "A"), "telegram", "a")
        first = factories.post(session, owner, poll_text="Who should lead?\nក្រុម\u200bប្រឹក្សា")
        second = factories.post(session, owner, "no poll")
        ids = (first.id, second.id)
    assert _found_in_polls(engine, "should lead") == [ids[0]]
    assert _found_in_polls(engine, "ក្រុមប្រឹក្សា") == [ids[0]]  # zero-width space not indexed
    with transaction(engine) as session:
        session.execute(update(Post).where(Post.id == ids[1]).values(poll_text="Vote now"))
        session.execute(update(Post).where(Post.id == ids[0]).values(poll_text=None))
    assert _found_in_polls(engine, "should lead") == []
    assert _found_in_polls(engine, "Vote") == [ids[1]]
    with transaction(engine) as session:
        session.execute(delete(Post).where(Post.id == ids[1]))
    assert _found_in_polls(engine, "Vote") == []
