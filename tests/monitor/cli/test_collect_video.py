"""`polmon collect --download` over a Facebook-like page and a YouTube-like channel on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from storage.engine import transaction
from storage.models import Account, AudienceSnapshot, CollectionRun, Media, Post
from tests.conftest import TestDatabase, invoke
from tests.support.config import write_config
from tests.support.local_server import LocalServer
from tests.support.video_sites import CHANNEL, fixture, serve_channel, serve_video

HOUR = timedelta(hours=1)


def serve_world(server: LocalServer) -> None:
    """The page hunmanet5 (videos and reels tabs) and a channel cross-posting its newest video."""
    now, day = datetime.now(UTC), timedelta(days=1)
    server.add("/hunmanet5", fixture("facebook", "page.html"))
    server.add("/hunmanet5/videos", fixture("facebook", "videos_tab.html"))
    server.add("/hunmanet5/reels", fixture("facebook", "reels_tab.html"))
    videos = "/hunmanet5/videos/"
    serve_video(
        server, videos + "1047291853298412/", "1047291853298412", now - day, clip="clip_a.mp4"
    )
    serve_video(server, videos + "1122334455667788/", "1122334455667788", now - 5 * day)
    serve_video(server, videos + "2233445566778899/", "2233445566778899", now - 200 * day)
    serve_video(server, "/reel/512734981276345", "512734981276345", now - 2 * day, clip="tone.m4a")
    serve_video(server, "/watch/", "777000111222333", now - 60 * HOUR, clip="voice.ogg")
    serve_channel(server, [("v1", None)])
    serve_video(server, "/yt/v1", "v1", now - day, clip="clip_a.mp4")  # the same file


def body(server: LocalServer) -> str:
    return f"""
[video]
sleep_seconds = 0
retries = 0
timeout_seconds = 10
facebook_base_url = "{server.base_url}"
youtube_tabs = ["videos"]

[[actors]]
name = "Hun Manet"

[[actors.accounts]]
platform = "facebook"
url = "https://www.facebook.com/hunmanet5"
video_urls = ["{server.url("/watch/?v=777000111222333")}"]

[[actors.accounts]]
platform = "youtube"
url = "{server.url(CHANNEL)}"
"""


def posts_by_id(db: TestDatabase) -> dict[str, Post]:
    with transaction(db.engine) as session:
        return {p.platform_post_id: p for p in session.scalars(select(Post))}


def test_collect_then_download_then_detect_a_deleted_reel(db: TestDatabase, tmp_path: Path) -> None:
    with LocalServer() as server:
        serve_world(server)
        config = write_config(tmp_path, db, body(server))
        first = invoke(config, "collect", "--download")
        assert first.exit_code == 0, first.output
        assert "downloaded: 4, duplicates: 1, skipped: 0, failed: 0" in first.output

        posts = posts_by_id(db)
        assert set(posts) == {
            "1047291853298412",
            "1122334455667788",
            "512734981276345",
            "777000111222333",
            "v1",
        }
        with transaction(db.engine) as session:
            media = {m.post_id: m for m in session.scalars(select(Media))}
            snapshot = session.scalars(select(AudienceSnapshot)).all()
        assert {m.status for m in media.values()} == {"downloaded", "done"}
        facebook_copy, youtube_copy = media[posts["1047291853298412"].id], media[posts["v1"].id]
        assert {facebook_copy.status, youtube_copy.status} == {"downloaded", "done"}
        assert facebook_copy.sha256 == youtube_copy.sha256
        assert facebook_copy.local_path == youtube_copy.local_path
        media_dir = tmp_path / "data" / "media"
        assert all((media_dir / (m.local_path or "")).is_file() for m in media.values())
        assert [s.followers for s in snapshot if s.followers] == [3108775]

        # second pass: the videos tab now needs a login; the config URL is still read
        server.add("/hunmanet5/videos", fixture("facebook", "login_wall.html"))
        server.add("/hunmanet5/reels", "gone", status=404)
        when = datetime.now(UTC) - 60 * HOUR
        serve_video(server, "/watch/", "777000111222333", when, clip="voice.ogg", views=900)
        second = invoke(config, "collect", "--platform", "facebook")
        assert second.exit_code == 1 and "cookies_file" in second.output
        posts = posts_by_id(db)
        assert posts["777000111222333"].views == 900  # read before the error, kept
        assert all(p.deleted_at is None for p in posts.values())  # an incomplete listing

        # third pass: the reel is gone from its tab and its page
        server.add("/hunmanet5/videos", fixture("facebook", "videos_tab.html"))
        reels = fixture("facebook", "reels_tab.html").replace("/reel/512734981276345/", "/x/")
        server.add("/hunmanet5/reels", reels)
        server.add("/reel/512734981276345", "removed", status=404)
        third = invoke(config, "collect", "--platform", "facebook")
        assert third.exit_code == 0, third.output
    posts = posts_by_id(db)
    assert posts["512734981276345"].deleted_at is not None
    assert [p for p, post in posts.items() if post.deleted_at] == ["512734981276345"]
    with transaction(db.engine) as session:
        runs = session.execute(
            select(CollectionRun.status, CollectionRun.error)
            .join(Account, Account.id == CollectionRun.account_id)
            .where(Account.platform == "facebook")
            .order_by(CollectionRun.id)
        ).all()
    assert (runs[0].status, runs[-1].status) == ("ok", "ok")
    assert runs[1].status in ("partial", "failed") and "login" in (runs[1].error or "")
