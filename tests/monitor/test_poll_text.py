"""Telegram polls are text: searched, keyword-matched (hits say "poll"), versioned when edited,
and shown on the post page, from both the web preview and Telethon."""

from __future__ import annotations

import html
from datetime import timedelta
from pathlib import Path

import httpx
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from telethon.tl import types

from collectors.telegram.mapping import map_messages
from monitor.alerts.dispatch import dispatch_once
from monitor.keywords import match_posts
from monitor.pipeline import run_collect
from monitor.queries.history import post_history
from monitor.queries.search import search
from storage.engine import session_factory, transaction
from storage.ingest import ingest_posts
from storage.models import AlertEvent, KeywordHit, Post
from tests.conftest import TestDatabase, invoke
from tests.monitor.alerts.outbox_support import Receiver, alerts_toml
from tests.support import factories
from tests.support.config import actors_toml, make_config
from tests.support.telegram_scenario import scenario_telegram
from tests.support.telegram_site import NOW, SiteChannel, SitePost, TelegramSite
from tests.support.telethon_history import DUROV, message, text_with
from tests.support.web import live_server, sign_in

KEYWORDS = '[keywords.threats]\nterms = ["arrest", "ចាប់ខ្លួន"]\nsearch_in = "posts"\n'
HOSTILE_OPTION = "<script>alert('poll')</script> arrest"


def poll_html(question: str, *options: str) -> str:
    """A t.me preview poll as the channel page marks it up (text escaped as Telegram does)."""
    rows = "".join(
        '<div class="tgme_widget_message_poll_option">'
        '<div class="tgme_widget_message_poll_option_percent">50%</div>'
        '<div class="tgme_widget_message_poll_option_value">'
        f'<div class="tgme_widget_message_poll_option_text">{html.escape(text)}</div></div></div>'
        for text in options
    )
    return (
        '<div class="tgme_widget_message_poll js-poll">'
        f'<div class="tgme_widget_message_poll_question">{html.escape(question)}</div>'
        '<div class="tgme_widget_message_poll_type">Anonymous poll</div>'
        f'<div class="tgme_widget_message_poll_options">{rows}</div></div>'
        '<span class="tgme_widget_message_voters">1.2K</span><span class="copyonly"> votes</span>'
    )


def _poll_hits(db: TestDatabase) -> list[tuple[str, str, str]]:
    with transaction(db.engine) as session:
        rows = session.execute(
            select(KeywordHit.term, KeywordHit.source_kind, KeywordHit.snippet).order_by(
                KeywordHit.term
            )
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_web_preview_poll_is_matched_searched_versioned_and_shown(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    channel = site.add(SiteChannel("pm", "PM", 42, 1000))
    question = "Should they ចាប់ខ្លួន the critics?"
    channel.add(
        SitePost(1, NOW - timedelta(hours=2), extra_html=poll_html(question, "Yes", "No")),
        SitePost(2, NOW - timedelta(hours=1), text="Good morning."),
    )
    telegram = scenario_telegram(httpserver.url_for("/"))
    config = make_config(tmp_path, db, actors_toml(["pm"]) + KEYWORDS, telegram=telegram)
    run_collect(config, db.engine)
    assert _poll_hits(db) == [("ចាប់ខ្លួន", "poll", "Should they ចាប់ខ្លួន the critics? Yes No")]
    with session_factory(db.engine)() as session:
        [found] = search(session, "critics")
        assert (found.kind, found.snippet) == ("poll", "Should they ចាប់ខ្លួន the «critics»? Yes No")
        assert search(session, "critics", where="transcripts") == []
        assert [r.kind for r in search(session, "morning")] == ["post"]
        [event] = session.scalars(select(AlertEvent).where(AlertEvent.kind == "keyword_hit"))
        assert (event.payload["source"], event.payload["source_kind"]) == ("posts", "poll")

    # An edited option is an edit: a new version, the hit re-matched, the old words unsearchable.
    channel.posts[1].extra_html = poll_html(
        "Should they listen to the critics?", "Yes", HOSTILE_OPTION
    )
    channel.posts[1].edited = True
    run_collect(config, db.engine)
    assert [(term, kind) for term, kind, _snippet in _poll_hits(db)] == [("arrest", "poll")]
    with session_factory(db.engine)() as session:
        post = session.scalars(select(Post).where(Post.platform_post_id == "1")).one()
        history = post_history(session, post)
        assert [v["poll_text"].splitlines()[0] for v in history["versions"]] == [
            question,
            "Should they listen to the critics?",
        ]
        assert "{+listen to+}" in (history["versions"][1]["diff"] or "")
        assert [r.kind for r in search(session, "listen")] == ["poll"]
        assert search(session, "ចាប់ខ្លួន") == []
        post_id = post.id
    with (
        live_server(config, db.engine) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as client,
    ):
        sign_in(server, client)
        page = client.get(f"/posts/{post_id}").text
        assert 'id="poll"' in page and "Should they listen to the critics?" in page
        assert "in the poll" in page
        assert "<script>alert('poll')</script>" not in page
        assert "&lt;script&gt;alert(&#39;poll&#39;)&lt;/script&gt; arrest" in page
        results = client.get("/search", params={"q": "listen"}).text
        assert "poll · " in results
        hits = client.get("/api/hits", params={"source": "poll"}).json()
        assert [(h["term"], h["source"]) for h in hits] == [("arrest", "poll")]


def _telethon_poll(question: str, *answers: str) -> types.Message:
    return message(
        700,
        1,
        media=types.MessageMediaPoll(
            poll=types.Poll(
                id=7,
                question=text_with(question),
                hash=0,
                answers=[
                    types.PollAnswer(text_with(text), str(i).encode())
                    for i, text in enumerate(answers)
                ],
            ),
            results=types.PollResults(total_voters=3, results=[]),
        ),
    )


def test_telethon_poll_terms_are_found_by_keywords_search_and_cli(
    db: TestDatabase, tmp_path: Path
) -> None:
    config = make_config(tmp_path, db, KEYWORDS)
    config_path = tmp_path / "polmon.toml"
    record = map_messages([_telethon_poll("Arrest the <b>leaders</b>?", "Yes", "ចាប់ខ្លួន")], DUROV)
    assert record.poll_text == "Arrest the <b>leaders</b>?\nYes\nចាប់ខ្លួន"
    with transaction(db.engine) as session:
        owner = factories.account(session, factories.actor(session, "Durov"), "telegram", "durov")
        result = ingest_posts(session, owner.id, [record], NOW)
        match_posts(session, config, result.matched_post_ids)
    # The same capture again is no edit; a changed answer is.
    with transaction(db.engine) as session:
        again = ingest_posts(session, owner.id, [record], NOW + timedelta(hours=1))
        changed = map_messages([_telethon_poll("Arrest the <b>leaders</b>?", "Yes", "No")], DUROV)
        edited = ingest_posts(session, owner.id, [changed], NOW + timedelta(hours=2))
        match_posts(session, config, edited.matched_post_ids)
    assert (again.edited, edited.edited) == (0, 1)
    assert _poll_hits(db) == [("arrest", "poll", "Arrest the <b>leaders</b>? Yes No")]
    hits = invoke(config_path, "hits", "--format", "json")
    assert '"source": "poll"' in hits.output
    found = invoke(config_path, "search", "leaders", "--format", "json")
    assert '"kind": "poll"' in found.output
    table = invoke(config_path, "hits", "--width", "200")
    assert "poll" in table.output and "match" not in table.output  # only exact text hits
    rescan = invoke(config_path, "keywords", "rescan", "--format", "json")
    assert rescan.exit_code == 0, rescan.output
    assert _poll_hits(db) == [("arrest", "poll", "Arrest the <b>leaders</b>? Yes No")]


def test_alerts_on_a_poll_say_where_the_term_was_and_quote_the_poll(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    channel = site.add(SiteChannel("pm", "PM", 42, 1000))
    channel.add(SitePost(1, NOW - timedelta(hours=2), extra_html=poll_html("Arrest them?", "Yes")))
    telegram = scenario_telegram(httpserver.url_for("/"))
    with Receiver() as receiver:
        on = '"new_post", "edited", "keyword_hit"'
        body = actors_toml(["pm"]) + KEYWORDS + alerts_toml(tmp_path, on, {"one": receiver.url})
        config = make_config(tmp_path, db, body, telegram=telegram)
        run_collect(config, db.engine)
        channel.posts[1].extra_html = poll_html("Arrest them all?", "Yes")
        channel.posts[1].edited = True
        run_collect(config, db.engine)
        dispatch_once(db.engine, config)
        items = [item for request in receiver.requests() for item in request.body["items"]]
    summary = sorted((i["kind"], i["source_kind"], i["snippet"]) for i in items)
    assert summary == [
        ("edited", None, "Arrest them all? Yes"),
        ("keyword_hit", "poll", "Arrest them? Yes"),
        ("new_post", None, "Arrest them all? Yes"),
    ]
