"""Listings through the real collectors and the real yt-dlp against sites served on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from collectors.errors import AccountUnavailable, LoginRequired, ParseError
from collectors.records import AccountRef, PostRecord
from collectors.registry import collector_class
from collectors.video.facebook import FacebookCollector
from collectors.video.tiktok import TikTokCollector
from collectors.video.youtube import YouTubeCollector
from tests.support.config import make_config, video_settings
from tests.support.local_server import LocalServer
from tests.support.tiktok_site import NEWEST, TikTokSite, videos
from tests.support.video_sites import (
    SINCE,
    fixture,
    serve_channel,
    serve_facebook_page,
    serve_video,
)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        yield local


def test_registry_knows_the_video_collectors() -> None:
    assert collector_class("tiktok") is TikTokCollector
    assert collector_class("facebook") is FacebookCollector
    assert collector_class("youtube") is YouTubeCollector


# TikTok -------------------------------------------------------------------------------
def test_tiktok_listing_through_ytdlps_user_extractor_reads_only_the_pages_it_needs(
    tmp_path: Path, server: LocalServer
) -> None:
    site = TikTokSite(videos(40, NEWEST), page_size=15)  # 3 API pages
    site.install(server)
    config = make_config(
        tmp_path, video=video_settings(proxy=server.base_url, verify_certificates=False)
    )
    account = AccountRef("tiktok", handle="@HunManet")
    with TikTokCollector(config.video_settings) as collector:
        profile = collector.fetch_profile(account)
        recent = list(collector.list_posts(account, NEWEST - timedelta(days=2), 100))
        pages_for_recent = site.pages_served
        capped = list(collector.list_posts(account, NEWEST - timedelta(days=30), 20))
    assert (profile.followers, profile.posts_count) == (1523488, 412)
    assert len(recent) == 7 and pages_for_recent == 1  # 7 h apart: 7 videos in 2 days
    newest = recent[0]
    assert newest.platform_post_id == "7412345678901234567"
    assert newest.published_at == NEWEST
    assert newest.url == "https://www.tiktok.com/@hunmanet/video/7412345678901234567"
    assert (newest.views, newest.likes, newest.shares, newest.comments) == (1000, 100, 7, 3)
    assert newest.reactions == {"save": 2}
    assert newest.raw is not None and newest.raw["track"] == "original sound - Hun Manet"
    assert len(capped) == 20 and site.pages_served == pages_for_recent + 2
    # The evidence: yt-dlp's info JSON of the entry, whole, as the record's capture.
    assert newest.capture is not None and newest.capture.kind == "ytdlp_info"
    assert newest.capture.url == newest.url
    info = json.loads(newest.capture.content)
    assert info["id"] == "7412345678901234567" and info["view_count"] == 1000


def test_tiktok_profile_counts_from_the_served_page(tmp_path: Path, server: LocalServer) -> None:
    server.add("/@hunmanet", fixture("tiktok", "profile_universal.html"))
    server.add("/@private", fixture("tiktok", "profile_private.html"))
    server.add("/@bot", fixture("tiktok", "verify_page.html"))
    config = make_config(tmp_path, video=video_settings(tiktok_base_url=server.base_url))
    with TikTokCollector(config.video_settings) as collector:
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
    config = make_config(
        tmp_path,
        video=video_settings(
            tiktok_base_url="http://tiktok.invalid",
            proxy=server.base_url,
            cookies_file=str(cookies),
        ),
    )
    with TikTokCollector(config.video_settings) as collector:
        profile = collector.fetch_profile(AccountRef("tiktok", handle="@hunmanet"))
    assert profile.followers == 1523488
    headers = server.last_headers["/@hunmanet"]
    assert headers.get("Cookie") == "sessionid=abc123"
    assert headers.get("Host") == "tiktok.invalid"


# Facebook -----------------------------------------------------------------------------
def test_facebook_listing_reads_tabs_and_config_urls(tmp_path: Path, server: LocalServer) -> None:
    serve_facebook_page(server, views=5000, likes=321)
    config = make_config(tmp_path, video=video_settings(facebook_base_url=server.base_url))
    account = AccountRef(
        "facebook",
        url="https://www.facebook.com/hunmanet5/",
        extra_urls=(
            server.url("/watch/?v=777000111222333"),
            "https://www.facebook.com/hunmanet5/videos/1047291853298412/",  # also on the tab
        ),
    )
    with FacebookCollector(config.video_settings) as collector:
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
    config = make_config(tmp_path, video=video_settings(facebook_base_url=server.base_url))
    account = AccountRef(
        "facebook",
        url="https://www.facebook.com/hunmanet5",
        extra_urls=(server.url("/watch/?v=777000111222333"),),
    )
    posts: list[PostRecord] = []
    with (
        FacebookCollector(config.video_settings) as collector,
        pytest.raises(LoginRequired) as wall,
    ):
        posts.extend(collector.list_posts(account, SINCE, limit=50))
    assert [p.platform_post_id for p in posts] == ["777000111222333"]
    assert "[video] cookies_file" in str(wall.value) and "videos tab" in str(wall.value)


def test_facebook_profile_errors(tmp_path: Path, server: LocalServer) -> None:
    server.add("/walled", fixture("facebook", "login_wall.html"))
    config = make_config(tmp_path, video=video_settings(facebook_base_url=server.base_url))
    with FacebookCollector(config.video_settings) as collector:
        with pytest.raises(AccountUnavailable) as gone:
            collector.fetch_profile(AccountRef("facebook", url="https://facebook.com/nobody"))
        assert gone.value.status == "deleted"
        with pytest.raises(LoginRequired, match="cookies_file"):
            collector.fetch_profile(AccountRef("facebook", url="https://facebook.com/walled"))


# A channel: flat feed listing, each video in the window read in full -------------------
def test_channel_listing_stops_past_the_window_without_reading_old_videos(
    tmp_path: Path, server: LocalServer
) -> None:
    day = timedelta(days=1)
    feed = [
        ("v1", datetime(2024, 9, 24, 8, tzinfo=UTC)),
        ("v2", datetime(2024, 9, 20, 8, tzinfo=UTC)),
        ("gone", datetime(2024, 9, 15, 8, tzinfo=UTC)),
        ("edge", datetime(2024, 9, 2, 8, tzinfo=UTC)),  # the rough date is in, the real one out
        *((f"old{n}", datetime(2024, 8, 1, tzinfo=UTC) - n * day) for n in range(1, 5)),
    ]
    channel = serve_channel(server, feed)
    serve_video(server, "/yt/v1", "v1", "2024-09-24T08:00:00Z", views=77, likes=7)
    serve_video(server, "/yt/v2", "v2", "2024-09-20T08:00:00Z")
    serve_video(server, "/yt/edge", "edge", "2024-08-25T08:00:00Z")
    server.add("/yt/gone", "removed", status=404)
    config = make_config(tmp_path, video=video_settings(youtube_tabs=["videos"]))
    with YouTubeCollector(config.video_settings) as collector:
        posts = list(collector.list_posts(AccountRef("youtube", url=channel), SINCE, limit=50))
    assert [p.platform_post_id for p in posts] == ["v1", "v2"]
    assert (posts[0].views, posts[0].likes) == (77, 7)
    assert server.hits["/yt/gone"] == 1 and server.hits["/yt/edge"] == 1
    assert all(server.hits[f"/yt/old{n}"] == 0 for n in range(1, 5))
