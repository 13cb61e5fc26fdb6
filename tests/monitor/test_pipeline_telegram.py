"""Multi-pass Telegram collection through the real pipeline against a local t.me whose pages
change between passes, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from monitor.pass_report import PassReport
from monitor.pipeline import run_collect
from storage.models import AudienceSnapshot, Media, Post, PostMetric, PostVersion
from tests.conftest import FIXTURES, TestDatabase
from tests.support.config import actors_toml, make_config
from tests.support.hostile_texts import HOSTILE_TEXTS
from tests.support.telegram_scenario import (
    account_row,
    count,
    events,
    media_rows,
    runs,
    scenario_telegram,
    snapshots,
    stored_posts,
)
from tests.support.telegram_site import (
    NOW,
    SiteMedia,
    SitePost,
    TelegramSite,
    channel_page_html,
    channel_with_posts,
)


def by_handle(report: PassReport) -> dict[str, tuple[str, int, int, int, str | None]]:
    return {a.handle: (a.status, a.new, a.updated, a.deleted, a.error) for a in report.accounts}


def test_backfill_then_new_posts_edits_deletions_views_and_subscribers(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    official = site.add(channel_with_posts("official", 45, first_id=100))
    official.add(
        SitePost(145, NOW - timedelta(minutes=50), text="speech", views=5000,
                 media=[SiteMedia("video", "https://cdn.example/speech.mp4", "1:05")]),
        SitePost(146, NOW - timedelta(minutes=40), views=700,
                 media=[SiteMedia("voice", "https://cdn.example/note.ogg", "0:12")]),
        SitePost(147, NOW - timedelta(minutes=30), text="album",
                 media=[SiteMedia("photo", "https://cdn.example/a.jpg"),
                        SiteMedia("round_video", "https://cdn.example/r.mp4", "0:30")]),
    )  # fmt: skip
    site.add(channel_with_posts("other", 5))
    config = make_config(
        tmp_path,
        db,
        actors_toml(["official", "other"]),
        telegram=scenario_telegram(httpserver.url_for("/")),
    )

    first = run_collect(config, db.engine, platform="telegram")
    assert by_handle(first) == {
        "official": ("ok", 48, 0, 0, None),
        "other": ("ok", 5, 0, 0, None),
    }
    assert [r for r in site.requests if r.startswith("/s/official")] == [
        "/s/official", "/s/official?before=128", "/s/official?before=108",
    ]  # fmt: skip
    stored = stored_posts(db.engine, "official")
    assert sorted(stored, key=int) == [str(i) for i in range(100, 148)]
    assert stored["120"].text == "post 120 of @official" and stored["120"].views == 12_000
    assert account_row(db.engine, "official")["platform_id"] == str(1_000_000 + len("official"))
    assert snapshots(db.engine, "official") == [(123_456, False)]
    assert media_rows(db.engine, "official") == [
        ("145", 0, "video", "https://cdn.example/speech.mp4", "pending"),
        ("146", 0, "voice", "https://cdn.example/note.ogg", "pending"),
        ("147", 0, "photo", "https://cdn.example/a.jpg", "pending"),  # read by OCR
        ("147", 1, "round_video", "https://cdn.example/r.mp4", "pending"),
    ]

    # A day in the channel's life: new posts, an edit, a deletion, views and audience grow.
    official.add(SitePost(148, NOW - timedelta(minutes=5), text="breaking", views=10))
    official.add(SitePost(149, NOW - timedelta(minutes=1), text="more", views=3))
    official.posts[130].text = "post 130, corrected"
    official.posts[130].edited = True
    del official.posts[125]
    for post_id in (140, 141):
        official.posts[post_id].views += 2_500
    official.subscribers = 130_004
    site.requests.clear()

    second = run_collect(config, db.engine, platform="telegram")
    assert by_handle(second)["official"] == ("ok", 2, 3, 1, None)
    stored = stored_posts(db.engine, "official")
    assert len(stored) == 50
    assert stored["125"].deleted_at is not None
    assert stored["125"].text == "post 125 of @official"  # the deleted post keeps its data
    assert stored["130"].text == "post 130, corrected"
    assert stored["130"].versions == ["post 130 of @official", "post 130, corrected"]
    assert stored["130"].edited_at is not None
    assert stored["140"].views_series == [14_000, 16_500]
    assert stored["139"].views_series == [13_900]
    assert snapshots(db.engine, "official") == [(123_456, False), (130_004, False)]

    # The same pass again: nothing new, nothing duplicated.
    totals = {model: count(db.engine, model) for model in (Post, PostVersion, PostMetric, Media)}
    third = run_collect(config, db.engine, platform="telegram")
    assert by_handle(third) == {"official": ("ok", 0, 0, 0, None), "other": ("ok", 0, 0, 0, None)}
    assert {model: count(db.engine, model) for model in totals} == totals
    assert count(db.engine, AudienceSnapshot) == 6  # one per account per pass
    assert [run[0] for run in runs(db.engine, "official")] == ["ok", "ok", "ok"]


def test_later_passes_read_only_new_posts_and_the_recheck_window(
    sqlite_db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    site.add(channel_with_posts("daily", 60, first_id=1))
    config = make_config(
        tmp_path,
        sqlite_db,
        actors_toml(["daily"]),
        telegram=scenario_telegram(httpserver.url_for("/"), recheck_days=0.5),
    )
    run_collect(config, sqlite_db.engine)
    assert len(stored_posts(sqlite_db.engine, "daily")) == 60
    site.requests.clear()
    site.channels["daily"].add(SitePost(61, NOW, text="new"))
    report = run_collect(config, sqlite_db.engine)
    assert by_handle(report)["daily"] == ("ok", 1, 0, 0, None)
    assert site.requests == ["/daily", "/s/daily"]  # 12 hours back fit on the first page


def test_renamed_and_vanished_channels(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    renamed = site.add(channel_with_posts("renamer", 3))
    vanishing = site.add(channel_with_posts("vanisher", 4))
    config = make_config(
        tmp_path,
        db,
        actors_toml(["renamer", "vanisher"]),
        telegram=scenario_telegram(httpserver.url_for("/")),
    )
    run_collect(config, db.engine)

    renamed.title = "New <Name> ឈ្មោះថ្មី"
    vanishing.state = "gone"
    report = run_collect(config, db.engine)
    results = by_handle(report)
    assert results["renamer"][0] == "ok"
    assert events(db.engine, "renamer") == [
        ("renamed", {"old": "renamer title", "new": "New <Name> ឈ្មោះថ្មី"})
    ]
    assert account_row(db.engine, "renamer")["display_name"] == "New <Name> ឈ្មោះថ្មី"
    status, *_, error = results["vanisher"]
    assert status == "failed" and error and "no public channel @vanisher" in error
    assert account_row(db.engine, "vanisher")["status"] == "unavailable"
    assert [kind for kind, _ in events(db.engine, "vanisher")] == ["unavailable"]
    assert all(p.deleted_at is None for p in stored_posts(db.engine, "vanisher").values())

    vanishing.state = "public"
    report = run_collect(config, db.engine)
    assert by_handle(report)["vanisher"][0] == "ok"
    assert [kind for kind, _ in events(db.engine, "vanisher")] == ["unavailable", "came_back"]
    assert account_row(db.engine, "vanisher")["status"] == "active"


def test_failures_stay_with_their_account_and_heal_on_the_next_pass(
    sqlite_db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    handles = ["busy", "broken", "cut", "odd", "fine"]
    for handle in handles:
        site.add(channel_with_posts(handle, 4))
    site.fault("/s/busy", Response("slow down", status=429, headers={"Retry-After": "1"}))
    site.fault("/s/broken", *[Response("boom", status=500)] * 3)
    page = channel_page_html(site.channels["cut"])
    truncated = page[: page.rindex("tgme_widget_message_footer")]
    site.fault("/s/cut", Response(truncated, content_type="text/html"))
    odd = (FIXTURES / "telegram" / "unexpected_markup.html").read_text(encoding="utf-8")
    site.fault("/s/odd", Response(odd, content_type="text/html"))
    config = make_config(
        tmp_path,
        sqlite_db,
        actors_toml(handles),
        telegram=scenario_telegram(httpserver.url_for("/")),
    )

    results = by_handle(run_collect(config, sqlite_db.engine))
    assert results["busy"] == ("ok", 4, 0, 0, None)  # waited out Retry-After, then read
    assert results["fine"] == ("ok", 4, 0, 0, None)
    assert results["broken"][0] == "failed" and "HTTP 500 after 3 tries" in str(
        results["broken"][4]
    )
    # only the cut message is lost, and only this pass: the other three are stored
    assert results["cut"][:4] == ("partial", 3, 0, 0) and "cut/4 has no time" in str(
        results["cut"][4]
    )
    assert results["odd"][0] == "failed" and "unexpected markup" in str(results["odd"][4])
    assert runs(sqlite_db.engine, "broken")[-1][0] == "failed"
    assert stored_posts(sqlite_db.engine, "broken") == {}
    assert snapshots(sqlite_db.engine, "broken") == [(123_456, False)]  # the profile still came
    assert site.requests.count("/s/broken") == 3  # tried once per pass, with its retries

    results = by_handle(run_collect(config, sqlite_db.engine))
    assert {handle: result[0] for handle, result in results.items()} == dict.fromkeys(handles, "ok")
    for handle in handles:
        assert len(stored_posts(sqlite_db.engine, handle)) == 4


def test_hostile_text_is_stored_exactly(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    channel = site.add(channel_with_posts("hostile", 0))
    for post_id, text in HOSTILE_TEXTS.items():
        channel.add(SitePost(post_id, NOW - timedelta(minutes=post_id), text=text))
    config = make_config(
        tmp_path, db, actors_toml(["hostile"]), telegram=scenario_telegram(httpserver.url_for("/"))
    )
    run_collect(config, db.engine)
    stored = stored_posts(db.engine, "hostile")
    assert {key: post.text for key, post in stored.items()} == {
        str(key): text for key, text in HOSTILE_TEXTS.items()
    }
    assert "<script>" not in (stored["101"].text_html or "")
    assert "&lt;script&gt;" in (stored["101"].text_html or "")


@pytest.mark.parametrize("limit", [7])
def test_max_posts_per_account_caps_the_backfill(
    sqlite_db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path, limit: int
) -> None:
    site.add(channel_with_posts("prolific", 30))
    config = make_config(
        tmp_path,
        sqlite_db,
        actors_toml(["prolific"]),
        telegram=scenario_telegram(httpserver.url_for("/"), max_posts_per_account=limit),
    )
    report = run_collect(config, sqlite_db.engine)
    status, new, *_ = by_handle(report)["prolific"]
    assert (status, new) == ("partial", limit)
    assert sorted(stored_posts(sqlite_db.engine, "prolific"), key=int) == [
        str(i) for i in range(24, 31)
    ]
    assert site.requests == ["/prolific", "/s/prolific"]
