"""The query layer called directly, on SQLite and PostgreSQL: one scope, typed rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from monitor.queries.accounts import list_accounts
from monitor.queries.events import list_events
from monitor.queries.hits import hit_trends, list_hits
from monitor.queries.posts import list_posts
from monitor.queries.scope import scoped
from monitor.queries.status import backlog_report, status_report
from monitor.queries.transcripts import post_transcripts
from storage.engine import transaction
from storage.models import Account, AccountEvent, Actor, KeywordHit, Media, Post
from tests.conftest import TestDatabase
from tests.support import factories

T0 = factories.T0
DAY = timedelta(days=1)


@pytest.fixture
def corpus(db: TestDatabase) -> dict[str, int]:
    """Two actors, three accounts, posts a day apart, events, hits and media in the queue."""
    with transaction(db.engine) as session:
        hun_sen, rainsy = (
            factories.actor(session, "Hun Sen"),
            factories.actor(session, "Sam Rainsy"),
        )
        tg = factories.account(session, hun_sen, "telegram", "samdechhunsen")
        yt = factories.account(session, hun_sen, "youtube", "@samdechhunsen")
        fb = factories.account(session, rainsy, "facebook", "rainsy")
        fb.active = False
        posts = {
            "tg0": factories.post(session, tg, "tg day 0", published_at=T0),
            "tg1": factories.post(session, tg, "tg day 1", published_at=T0 + DAY),
            "yt2": factories.post(session, yt, "yt day 2", published_at=T0 + 2 * DAY),
            "fb1": factories.post(session, fb, "fb day 1", published_at=T0 + DAY),
        }
        for day, (owner, kind) in enumerate([(tg, "renamed"), (fb, "deleted"), (tg, "private")]):
            session.add(AccountEvent(account_id=owner.id, kind=kind, detected_at=T0 + day * DAY))
        for name, post in posts.items():
            session.add(
                KeywordHit(
                    group_name="vigil",
                    term="day",
                    source_key=f"post:{post.id}",
                    source_kind="post",
                    post_id=post.id,
                    snippet=name,
                    published_at=post.published_at,
                )
            )
        factories.transcript(session, posts["yt2"], [(0.0, "hello"), (5.0, "thanks", True)])
        session.add(Media(post_id=posts["yt2"].id, position=1, kind="video", status="pending"))
        session.add(Media(post_id=posts["tg0"].id, position=0, kind="photo", status="pending"))
        return {"tg": tg.id, "yt": yt.id, "fb": fb.id} | {k: p.id for k, p in posts.items()}


def test_posts_are_scoped_by_actor_platform_account_and_window(
    db: TestDatabase, corpus: dict[str, int]
) -> None:
    def texts(**scope: object) -> list[str | None]:
        with transaction(db.engine) as session:
            return [row["text"] for row in list_posts(session, **scope)]  # type: ignore[arg-type]

    assert texts() == ["yt day 2", "fb day 1", "tg day 1", "tg day 0"]
    assert texts(actor="Hun Sen") == ["yt day 2", "tg day 1", "tg day 0"]
    assert texts(platform="telegram") == ["tg day 1", "tg day 0"]
    assert texts(account_ids=[corpus["yt"], corpus["fb"]]) == ["yt day 2", "fb day 1"]
    assert texts(account_ids=[]) == []
    assert texts(since=T0 + DAY, until=T0 + 2 * DAY) == ["fb day 1", "tg day 1"]
    assert texts(actor="Hun Sen", since=T0 + DAY, limit=1) == ["yt day 2"]


def test_events_hits_and_accounts_share_the_same_scope(
    db: TestDatabase, corpus: dict[str, int]
) -> None:
    with transaction(db.engine) as session:
        events = list_events(session, actor="Hun Sen", since=T0 + DAY)
        hits = list_hits(session, platform="telegram", until=T0 + DAY)
        trends = hit_trends(session, interval="month", account_ids=[corpus["tg"], corpus["yt"]])
        everyone = list_accounts(session, include_inactive=True)
        active = list_accounts(session)
        rainsy = list_accounts(session, actor="Sam Rainsy", include_inactive=True)
    assert [(e["account"], e["kind"]) for e in events] == [("samdechhunsen", "private")]
    assert [(h["handle"], h["snippet"]) for h in hits] == [("samdechhunsen", "tg0")]
    assert [(t["actor"], t["hits"], t["posts"]) for t in trends] == [("Hun Sen", 3, 3)]
    assert [a["handle"] for a in everyone] == ["samdechhunsen", "@samdechhunsen", "rainsy"]
    assert [a["platform"] for a in active] == ["telegram", "youtube"]
    assert [(a["handle"], a["active"]) for a in rainsy] == [("rainsy", False)]


def test_scoped_narrows_to_several_actors(db: TestDatabase, corpus: dict[str, int]) -> None:
    def texts(**scope: object) -> list[str | None]:
        stmt = (
            select(Post.text)
            .join(Account, Account.id == Post.account_id)
            .join(Actor, Actor.id == Account.actor_id)
            .order_by(Post.id)
        )
        with transaction(db.engine) as session:
            return list(session.scalars(scoped(stmt, **scope)))  # type: ignore[arg-type]

    assert texts(actors=["Sam Rainsy"]) == ["fb day 1"]
    assert texts(actors=["Sam Rainsy", "Hun Sen"]) == texts() and len(texts()) == 4
    assert texts(actors=["Hun Sen"], platform="youtube") == ["yt day 2"]
    assert texts(actors=[]) == []


def test_a_window_without_its_time_column_is_refused(db: TestDatabase) -> None:
    with pytest.raises(TypeError, match="time column"):
        scoped(select(Post), since=T0)


def test_status_and_backlog_count_the_queue(db: TestDatabase, corpus: dict[str, int]) -> None:
    with transaction(db.engine) as session:
        report = status_report(session)
        backlog = {row["status"]: row for row in backlog_report(session, T0)}
    assert report["tables"]["posts"] == 4 and report["tables"]["keyword_hits"] == 4
    assert report["media_queue"] == {"pending": 2, "done": 1}
    assert report["last_runs"] == []
    assert backlog["pending"]["ready"] == 2 and backlog["pending"]["retry_later"] == 0
    assert backlog["downloaded"]["ready"] == 0
    assert backlog["downloading"]["leased"] == 0


def test_post_transcripts_list_every_media_with_its_segments(
    db: TestDatabase, corpus: dict[str, int]
) -> None:
    with transaction(db.engine) as session:
        found = post_transcripts(session, corpus["yt2"])
        shown = [
            (m.position, m.status, [(s.text, s.is_hallucination) for s in m.segments])
            for m in found
        ]
        assert found[0].transcript is not None and found[1].transcript is None
        assert post_transcripts(session, corpus["tg1"]) == []
    assert shown == [(0, "done", [("hello", False), ("thanks", True)]), (1, "pending", [])]
