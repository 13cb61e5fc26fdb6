"""NUL characters from a platform are stored alike on both engines: dropped from text, escaped
in JSON, and never make a write fail."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text, update

from collectors.records import PostRecord
from storage.engine import transaction
from storage.ingest import ingest_posts
from storage.models import (
    Account,
    AccountEvent,
    Actor,
    CollectionRun,
    Post,
    PostMetric,
    PostVersion,
)
from tests.conftest import TestDatabase

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)


def _account(db: TestDatabase) -> int:
    with transaction(db.engine) as session:
        actor = Actor(name="Hostile\x00 actor")
        account = Account(
            actor=actor,
            platform="tiktok",
            handle="nul",
            display_name="Name\x00",
            description="line one\x00line two",
            cursor={"token\x00": "x\x00y"},
        )
        session.add_all([actor, account])
        session.flush()
        session.add(AccountEvent(account_id=account.id, kind="renamed", detail={"to": "a\x00"}))
        return account.id


def test_profile_fields_lose_nul_and_json_keeps_it_escaped(db: TestDatabase) -> None:
    account_id = _account(db)
    with transaction(db.engine) as session:
        account = session.get_one(Account, account_id)
        assert (account.display_name, account.description) == ("Name", "line oneline two")
        assert account.cursor == {"token\\u0000": "x\\u0000y"}
        assert session.scalars(select(Actor.name)).one() == "Hostile actor"
        assert session.scalars(select(AccountEvent.detail)).one() == {"to": "a\\u0000"}


def test_post_text_and_raw_with_nul_are_stored(db: TestDatabase) -> None:
    account_id = _account(db)
    record = PostRecord(
        platform_post_id="1",
        published_at=NOW,
        text="before\x00after",
        title="title\x00",
        text_html="<p>x\x00</p>",
        reactions={"\x00": 2},
        raw={"desc\x00": ["a\x00b", {"nested": "\x00"}], "n": 1},
    )
    with transaction(db.engine) as session:
        result = ingest_posts(session, account_id, [record], NOW)
        assert result.new == 1
        # Objects in the session already hold what the rows hold (keywords match on them).
        assert session.scalars(select(Post.text)).one() == "beforeafter"
    with transaction(db.engine) as session:
        post = session.scalars(select(Post)).one()
        assert (post.text, post.title, post.text_html) == ("beforeafter", "title", "<p>x</p>")
        assert post.reactions == {"\\u0000": 2}
        assert post.raw == {"desc\\u0000": ["a\\u0000b", {"nested": "\\u0000"}], "n": 1}
        assert session.scalars(select(PostVersion.text)).one() == "beforeafter"
    # The same capture again is no edit: the cleaned text compares equal next time too.
    with transaction(db.engine) as session:
        again = ingest_posts(session, account_id, [record], NOW)
    assert (again.new, again.edited) == (0, 0)


def test_core_statements_lose_nul_too(db: TestDatabase) -> None:
    account_id = _account(db)
    with transaction(db.engine) as session:
        run = CollectionRun(account_id=account_id, started_at=NOW)
        session.add(run)
        session.flush()
        session.execute(
            update(CollectionRun).where(CollectionRun.id == run.id).values(error="bad\x00 page")
        )
        session.execute(
            text("UPDATE accounts SET notes = :notes WHERE id = :id"),
            {"notes": "\x00note", "id": account_id},
        )
    with transaction(db.engine) as session:
        assert session.scalars(select(CollectionRun.error)).one() == "bad page"
        assert session.scalars(select(Account.notes)).one() == "note"


def test_a_repeat_capture_with_nul_adds_no_metrics_row(db: TestDatabase) -> None:
    account_id = _account(db)
    record = PostRecord(platform_post_id="1", published_at=NOW, views=5, reactions={"\x00": 2})
    for _ in range(2):
        with transaction(db.engine) as session:
            ingest_posts(session, account_id, [record], NOW)
    with transaction(db.engine) as session:
        assert len(session.scalars(select(PostMetric.id)).all()) == 1
