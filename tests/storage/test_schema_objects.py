"""Migrations 0003/0004: FTS and rollup triggers, analyst views."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta

from sqlalchemy import delete, select, text, update

from collectors.records import poll_text_of
from storage import search_sql
from storage.engine import transaction
from storage.migrations import script_location
from storage.models import AudienceDaily, AudienceSnapshot, Post
from tests.conftest import TestDatabase
from tests.support import factories


def test_migration_keeps_frozen_copies_of_search_expressions() -> None:
    path = script_location() / "versions" / "0003_full_text_search.py"
    spec = importlib.util.spec_from_file_location("m0003", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert search_sql.pg_post_document() == module.PG_POST_DOCUMENT
    assert search_sql.pg_segment_document() == module.PG_SEGMENT_DOCUMENT
    assert module._strip("x") == search_sql.sqlite_strip("x")


def test_poll_migration_keeps_frozen_copies() -> None:
    path = script_location() / "versions" / "0009_poll_text.py"
    spec = importlib.util.spec_from_file_location("m0009", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
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
