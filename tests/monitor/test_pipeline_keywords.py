"""A collection pass matches keywords in new and edited posts, in the same transaction."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pytest_httpserver import HTTPServer
from sqlalchemy import select

from monitor.pipeline import run_collect
from storage.engine import transaction
from storage.models import KeywordHit, Post
from tests.conftest import TestDatabase
from tests.support.config import actors_toml, make_config
from tests.support.telegram_scenario import scenario_telegram
from tests.support.telegram_site import NOW, SiteChannel, SitePost, TelegramSite

KEYWORDS = """
[keywords.threats]
terms = ["arrest", "ចាប់ខ្លួន"]
[keywords.platforms]
terms = ["TikTok"]
"""


def _hits(db: TestDatabase) -> set[tuple[str, str, str]]:
    with transaction(db.engine) as session:
        rows = session.execute(
            select(KeywordHit.group_name, KeywordHit.term, Post.platform_post_id).join(
                Post, KeywordHit.post_id == Post.id
            )
        ).all()
    return {(group, term, post_id) for group, term, post_id in rows}


def test_collect_matches_new_and_edited_posts(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    channel = site.add(SiteChannel("pm", "PM", 42, 1000))
    channel.add(
        SitePost(1, NOW - timedelta(hours=3), text="We will arrest them."),
        SitePost(2, NOW - timedelta(hours=2), text="ពួកគេនឹងត្រូវ\u200bចាប់\u200bខ្លួន"),
        SitePost(3, NOW - timedelta(hours=1), text="Good morning."),
    )
    telegram = scenario_telegram(httpserver.url_for("/"))
    config = make_config(tmp_path, db, actors_toml(["pm"]) + KEYWORDS, telegram=telegram)
    report = run_collect(config, db.engine)
    assert report.totals()["keyword_hits"] == 2
    assert _hits(db) == {("threats", "arrest", "1"), ("threats", "ចាប់ខ្លួន", "2")}

    channel.posts[3].text = "Good morning. Follow me on TikTok."
    channel.posts[3].edited = True
    channel.posts[1].text = "We will talk to them."
    channel.posts[1].edited = True
    run_collect(config, db.engine)
    assert _hits(db) == {("threats", "ចាប់ខ្លួន", "2"), ("platforms", "TikTok", "3")}
