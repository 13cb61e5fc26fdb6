"""A pass on the web backend reads the discussion widget of the posts in the recheck window
([telegram] comments), at most comments_max each, matches keywords in the comments, and a
second pass changes nothing (the listing window never marks comments deleted)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Request, Response

from monitor.pipeline import run_collect
from storage.engine import transaction
from storage.models import KeywordHit, Post
from tests.conftest import TestDatabase
from tests.support.config import actors_toml, make_config
from tests.support.telegram_discussion import WidgetComment, discussion_page, unavailable_page
from tests.support.telegram_scenario import scenario_telegram
from tests.support.telegram_site import NOW, SiteChannel, SitePost, TelegramSite

KEYWORDS = """
[keywords.threats]
terms = ["burn"]
"""
THREAD = [
    WidgetComment(901, NOW - timedelta(minutes=50), "well said", "Ann", "annlee"),
    WidgetComment(902, NOW - timedelta(minutes=40), "we will burn it", "Bo <b>", None),
    WidgetComment(903, NOW - timedelta(minutes=30), "calm down", "Cy", "cy_user"),
]


def test_a_web_pass_reads_recent_threads(
    db: TestDatabase, httpserver: HTTPServer, tmp_path: Path
) -> None:
    site = TelegramSite()
    channel = site.add(SiteChannel("pm", "PM", 42, 1000))
    channel.add(
        SitePost(1, NOW - timedelta(hours=3), text="A speech."),
        SitePost(2, NOW - timedelta(hours=2), text="No comments here."),
        SitePost(3, NOW - timedelta(days=10), text="Old news."),
    )
    asked: list[str] = []

    def handle(request: Request) -> Response:
        if request.args.get("discussion") != "1":
            return site.handle(request)
        asked.append(request.path)
        if request.path != "/pm/1":
            return Response(unavailable_page(), content_type="text/html")
        limit = int(request.args["comments_limit"])
        shown = THREAD[-limit:]
        page = discussion_page("pm", 1, shown, total=len(THREAD), older=len(shown) < len(THREAD))
        return Response(page, content_type="text/html; charset=utf-8")

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handle)
    telegram = scenario_telegram(httpserver.url_for("/"), comments=True, comments_max=2)
    config = make_config(tmp_path, db, actors_toml(["pm"]) + KEYWORDS, telegram=telegram)

    report = run_collect(config, db.engine)
    assert report.totals()["comments"] == 2 and report.totals()["keyword_hits"] == 1
    assert sorted(asked) == ["/pm/1", "/pm/2"]  # post 3 is older than the recheck window
    with transaction(db.engine) as session:
        comments = session.execute(
            select(Post.platform_post_id, Post.author_name, Post.deleted_at)
            .where(Post.parent_post_id.is_not(None))
            .order_by(Post.platform_post_id)
        ).all()
        hit = session.execute(select(KeywordHit.source_kind, KeywordHit.term)).one()
    assert comments == [("1/c902", "Bo <b>", None), ("1/c903", "Cy", None)]
    assert tuple(hit) == ("comment", "burn")

    second = run_collect(config, db.engine)
    assert second.totals() == {**second.totals(), "new": 0, "deleted": 0, "keyword_hits": 0}
    assert "comments" not in second.totals()
    with transaction(db.engine) as session:
        gone = session.scalars(select(Post.id).where(Post.deleted_at.is_not(None))).all()
    assert gone == []
