"""Listings through the real collectors and yt-dlp against pages served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collectors.errors import AccountUnavailable, LoginRequired, ParseError
from collectors.facebook import FacebookCollector
from collectors.records import AccountRef, PostRecord
from collectors.registry import collector_class
from collectors.tiktok import TikTokCollector
from collectors.youtube import YouTubeCollector
from monitor.config import PolmonConfig, parse_config
from tests.conftest import FIXTURES
from tests.local_server import LocalServer

SINCE = datetime(2024, 9, 1, tzinfo=UTC)
TEMPLATE = (FIXTURES / "facebook" / "video_page.template.html").read_text(encoding="utf-8")


def fixture(folder: str, name: str) -> str:
    return (FIXTURES / folder / name).read_text(encoding="utf-8")


def config_for(tmp_path: Path, **video: Any) -> PolmonConfig:
    settings = {"sleep_seconds": 0, "retries": 0, "timeout_seconds": 2} | video
    return parse_config({"video": settings}, tmp_path / "polmon.toml")


def video_page(server: LocalServer, video_id: str, uploaded: str, **extra: Any) -> str:
    replacements = {
        "@@BASE@@": server.base_url,
        "@@ID@@": video_id,
        "@@TITLE@@": extra.get("title", f"Video {video_id}"),
        "@@UPLOADED@@": uploaded,
        "@@MEDIA@@": server.url(f"/media/{video_id}.mp4"),
        "@@VIEWS@@": str(extra.get("views", 1000)),
        "@@LIKES@@": str(extra.get("likes", 10)),
    }
    server.add_file(f"/media/{video_id}.mp4", FIXTURES / "media" / "clip_b.mp4")
    page = TEMPLATE
    for token, value in replacements.items():
        page = page.replace(token, value)
    return page


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        yield local


def test_registry_knows_the_video_collectors() -> None:
    assert collector_class("tiktok") is TikTokCollector
    assert collector_class("facebook") is FacebookCollector
    assert collector_class("youtube") is YouTubeCollector


# TikTok -------------------------------------------------------------------------------
def test_tiktok_profile_counts_from_the_served_page(tmp_path: Path, server: LocalServer) -> None:
    server.add("/@hunmanet", fixture("tiktok", "profile_universal.html"))
    server.add("/@private", fixture("tiktok", "profile_private.html"))
    server.add("/@bot", fixture("tiktok", "verify_page.html"))
    config = config_for(tmp_path, tiktok_base_url=server.base_url)
    with TikTokCollector(config) as collector:
        profile = collector.fetch_profile(AccountRef("tiktok", handle="@HunManet"))
        assert (profile.followers, profile.likes, profile.posts_count) == (1523488, 12412077, 412)
        with pytest.raises(AccountUnavailable) as gone:
            collector.fetch_profile(AccountRef("tiktok", url="https://www.tiktok.com/@gone"))
        assert gone.value.status == "deleted" and "@gone" in str(gone.value)
        with pytest.raises(AccountUnavailable) as private:
            collector.fetch_profile(AccountRef("tiktok", handle="@private"))
        assert private.value.status == "private"
        with pytest.raises(ParseError, match=r"tiktok @bot: .*bot check"):
            collector.fetch_profile(AccountRef("tiktok", handle="@bot"))
    assert "Accept-Language" in server.last_headers["/@hunmanet"]


def test_profile_fetch_goes_through_the_configured_proxy_with_cookies(
    tmp_path: Path, server: LocalServer
) -> None:
    server.add("/@hunmanet", fixture("tiktok", "profile_universal.html"))
    cookies = tmp_path / "cookies.txt"
    cookies.write_text(
        "# Netscape HTTP Cookie File\n"
        "tiktok.invalid\tFALSE\t/\tFALSE\t2000000000\tsessionid\tabc123\n"
    )
    config = config_for(
        tmp_path,
        tiktok_base_url="http://tiktok.invalid",
        proxy=server.base_url,
        cookies_file=str(cookies),
    )
    with TikTokCollector(config) as collector:
        profile = collector.fetch_profile(AccountRef("tiktok", handle="@hunmanet"))
    assert profile.followers == 1523488
    headers = server.last_headers["/@hunmanet"]
    assert headers.get("Cookie") == "sessionid=abc123"
    assert headers.get("Host") == "tiktok.invalid"


# Facebook -----------------------------------------------------------------------------
def serve_facebook_page(server: LocalServer) -> None:
    server.add("/hunmanet5", fixture("facebook", "page.html"))
    server.add("/hunmanet5/videos", fixture("facebook", "videos_tab.html"))
    server.add("/hunmanet5/reels", fixture("facebook", "reels_tab.html"))
    pages = {
        "/hunmanet5/videos/1047291853298412/": ("1047291853298412", "2024-09-25T08:30:00+07:00"),
        "/hunmanet5/videos/1122334455667788/": ("1122334455667788", "2024-09-20T10:00:00+07:00"),
        "/hunmanet5/videos/2233445566778899/": ("2233445566778899", "2024-08-01T10:00:00+07:00"),
        "/reel/512734981276345": ("512734981276345", "2024-09-22T18:00:00+07:00"),
        "/watch/": ("777000111222333", "2024-09-10T09:00:00+07:00"),
    }
    for path, (video_id, uploaded) in pages.items():
        server.add(path, video_page(server, video_id, uploaded, views=5000, likes=321))
    # /reel/600700800900100 is not served: a removed reel (HTTP 404)


def test_facebook_listing_reads_tabs_and_config_urls(tmp_path: Path, server: LocalServer) -> None:
    serve_facebook_page(server)
    config = config_for(tmp_path, facebook_base_url=server.base_url)
    account = AccountRef(
        "facebook",
        url="https://www.facebook.com/hunmanet5/",
        extra_urls=(
            server.url("/watch/?v=777000111222333"),
            "https://www.facebook.com/hunmanet5/videos/1047291853298412/",  # also on the tab
        ),
    )
    with FacebookCollector(config) as collector:
        posts = list(collector.list_posts(account, SINCE, limit=50))
        profile = collector.fetch_profile(account)
    assert [p.platform_post_id for p in posts] == [
        "1047291853298412",
        "512734981276345",
        "1122334455667788",
        "777000111222333",
    ]
    first = posts[0]
    assert first.published_at == datetime(2024, 9, 25, 1, 30, tzinfo=UTC)
    assert (first.views, first.likes, first.comments) == (5000, 321, 3)
    assert first.url == server.url("/hunmanet5/videos/1047291853298412/")
    assert first.media[0].source_url == first.url and first.kind == "video"
    assert first.raw is not None and first.raw["extractor"] == "generic"
    assert server.hits["/hunmanet5/videos/1047291853298412/"] == 1  # read once
    assert server.hits["/reel/600700800900100"] == 1  # tried, gone, skipped
    assert server.hits["/someotherpage/videos/9988776655443322/"] == 0
    assert (profile.followers, profile.likes) == (3108775, 2915402)


def test_facebook_tab_behind_a_login_wall_is_reported_after_the_other_videos(
    tmp_path: Path, server: LocalServer
) -> None:
    serve_facebook_page(server)
    server.add("/hunmanet5/videos", fixture("facebook", "login_wall.html"))
    server.add("/hunmanet5/reels", "not here", status=404)
    config = config_for(tmp_path, facebook_base_url=server.base_url)
    account = AccountRef(
        "facebook",
        url="https://www.facebook.com/hunmanet5",
        extra_urls=(server.url("/watch/?v=777000111222333"),),
    )
    posts: list[PostRecord] = []
    with FacebookCollector(config) as collector, pytest.raises(LoginRequired) as wall:
        posts.extend(collector.list_posts(account, SINCE, limit=50))
    assert [p.platform_post_id for p in posts] == ["777000111222333"]
    assert "[video] cookies_file" in str(wall.value) and "videos tab" in str(wall.value)


def test_facebook_profile_errors(tmp_path: Path, server: LocalServer) -> None:
    server.add("/walled", fixture("facebook", "login_wall.html"))
    config = config_for(tmp_path, facebook_base_url=server.base_url)
    with FacebookCollector(config) as collector:
        with pytest.raises(AccountUnavailable) as gone:
            collector.fetch_profile(AccountRef("facebook", url="https://facebook.com/nobody"))
        assert gone.value.status == "deleted"
        with pytest.raises(LoginRequired, match="cookies_file"):
            collector.fetch_profile(AccountRef("facebook", url="https://facebook.com/walled"))


# YouTube-like: a channel feed listing, each video read in full ------------------------
def rss(server: LocalServer, items: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<item><title>Video {vid}</title><link>{server.url('/watch/' + vid)}</link>"
        f"<pubDate>{date}</pubDate></item>"
        for vid, date in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Samdech Hun Sen Official</title><link>{server.base_url}</link>"
        f"<description>channel</description>{body}</channel></rss>"
    )


def test_channel_listing_stops_past_the_window_without_reading_old_videos(
    tmp_path: Path, server: LocalServer
) -> None:
    items = [
        ("v1", "Tue, 24 Sep 2024 08:00:00 GMT"),
        ("v2", "Fri, 20 Sep 2024 08:00:00 GMT"),
        ("gone", "Sun, 15 Sep 2024 08:00:00 GMT"),
        ("edge", "Mon, 02 Sep 2024 08:00:00 GMT"),  # the rough date is in, the real one out
        ("old1", "Thu, 01 Aug 2024 08:00:00 GMT"),
        ("old2", "Wed, 31 Jul 2024 08:00:00 GMT"),
        ("old3", "Tue, 30 Jul 2024 08:00:00 GMT"),
        ("old4", "Mon, 29 Jul 2024 08:00:00 GMT"),
    ]
    server.add(
        "/channel/UCx4oOtdQAe1tNP2uBNkZdgQ/videos", rss(server, items), "application/rss+xml"
    )
    for vid, uploaded in (
        ("v1", "2024-09-24T08:00:00Z"),
        ("v2", "2024-09-20T08:00:00Z"),
        ("edge", "2024-08-25T08:00:00Z"),
    ):
        server.add(f"/watch/{vid}", video_page(server, vid, uploaded, views=77, likes=7))
    config = config_for(tmp_path, youtube_tabs=["videos"])
    account = AccountRef("youtube", url=server.url("/channel/UCx4oOtdQAe1tNP2uBNkZdgQ"))
    with YouTubeCollector(config) as collector:
        posts = list(collector.list_posts(account, SINCE, limit=50))
    assert [p.platform_post_id for p in posts] == ["v1", "v2"]
    assert (posts[0].views, posts[0].likes) == (77, 7)
    assert server.hits["/watch/gone"] == 1 and server.hits["/watch/edge"] == 1
    assert all(server.hits[f"/watch/old{n}"] == 0 for n in range(1, 5))
