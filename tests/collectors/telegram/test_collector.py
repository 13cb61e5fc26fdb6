"""TelegramCollector on the web backend against a local t.me stand-in: profiles and paging."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from collectors.errors import AccountUnavailable, FetchError, LoginRequired, ParseError, RateLimited
from collectors.records import AccountRef
from collectors.telegram.collector import TelegramCollector, WebBackend
from collectors.telegram.identity import channel_name
from tests.support.config import make_config, telegram_settings
from tests.support.hostile_texts import HOSTILE_TEXTS
from tests.support.telegram_site import (
    NOW,
    SitePost,
    TelegramSite,
    channel_page_html,
    channel_with_posts,
)


def account(handle: str) -> AccountRef:
    return AccountRef(platform="telegram", handle=handle)


@pytest.fixture
def collector(
    site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> Iterator[TelegramCollector]:
    with TelegramCollector(
        make_config(tmp_path, telegram=telegram_settings(httpserver.url_for("/"))).telegram_settings
    ) as collector:
        yield collector


def test_web_backend_is_chosen_and_uses_base_url(
    collector: TelegramCollector, httpserver: HTTPServer
) -> None:
    assert isinstance(collector.backend, WebBackend)
    assert collector.backend.base_url == httpserver.url_for("/").rstrip("/")


def test_profile_has_exact_count_and_the_preview_id(
    collector: TelegramCollector, site: TelegramSite
) -> None:
    site.add(channel_with_posts("official", 3, description="The <b>official</b> channel\nline 2"))
    profile = collector.fetch_profile(account("official"))
    assert (profile.followers, profile.is_approximate) == (123_456, False)
    assert profile.platform_id == str(1_000_000 + len("official"))
    assert (profile.handle, profile.url) == ("official", "https://t.me/official")
    assert profile.display_name == "official title"
    assert profile.description == "The <b>official</b> channel\nline 2"
    assert profile.raw and profile.raw["counters"] == {"subscribers": 123_000}


def test_profile_falls_back_to_the_approximate_preview_count(
    collector: TelegramCollector, site: TelegramSite
) -> None:
    channel = site.add(channel_with_posts("nocount", 2))
    channel.show_exact_count = False
    channel.subscribers = 1_234_567
    profile = collector.fetch_profile(account("nocount"))
    assert (profile.followers, profile.is_approximate) == (1_230_000, True)


def test_vanished_channel_is_account_unavailable(
    collector: TelegramCollector, site: TelegramSite
) -> None:
    site.add(channel_with_posts("gone", 1)).state = "gone"
    with pytest.raises(AccountUnavailable) as caught:
        collector.fetch_profile(account("gone"))
    assert caught.value.status == "unavailable"
    with pytest.raises(AccountUnavailable):
        list(collector.list_posts(account("never_existed"), NOW - timedelta(days=1), 10))


def test_channel_without_preview_gives_profile_but_no_listing(
    collector: TelegramCollector, site: TelegramSite
) -> None:
    site.add(channel_with_posts("closed", 3)).state = "no_preview"
    profile = collector.fetch_profile(account("closed"))
    assert profile.followers == 123_456 and profile.platform_id is None
    with pytest.raises(LoginRequired, match="telethon"):
        list(collector.list_posts(account("closed"), NOW - timedelta(days=1), 10))


def test_listing_pages_back_through_before(
    collector: TelegramCollector, site: TelegramSite
) -> None:
    site.add(channel_with_posts("big", 45, first_id=100))
    listed = list(collector.list_posts(account("big"), NOW - timedelta(days=30), 1000))
    assert [int(r.platform_post_id) for r in listed] == list(range(144, 99, -1))
    assert site.requests == ["/s/big", "/s/big?before=125", "/s/big?before=105"]
    assert listed[0].text == "post 144 of @big" and listed[0].views == 14_400
    assert all(r.published_at.utcoffset() == timedelta(0) for r in listed)


def test_listing_stops_at_since_and_at_limit_without_extra_pages(
    collector: TelegramCollector, site: TelegramSite
) -> None:
    site.add(channel_with_posts("big", 45, first_id=100))
    recent = list(collector.list_posts(account("big"), NOW - timedelta(hours=10.5), 1000))
    assert [r.platform_post_id for r in recent] == [str(i) for i in range(144, 134, -1)]
    site.requests.clear()
    limited = list(collector.list_posts(account("big"), NOW - timedelta(days=30), 20))
    assert len(limited) == 20 and site.requests == ["/s/big"]


def test_profile_page_is_reused_by_the_listing(
    collector: TelegramCollector, site: TelegramSite
) -> None:
    site.add(channel_with_posts("chan", 25))
    collector.fetch_profile(account("@chan"))
    list(collector.list_posts(account("https://t.me/s/chan"), NOW - timedelta(days=30), 100))
    assert site.requests == ["/chan", "/s/chan", "/s/chan?before=6"]


def test_429_with_retry_after_then_success(
    collector: TelegramCollector, site: TelegramSite
) -> None:
    site.add(channel_with_posts("busy", 3))
    site.fault("/s/busy", Response("slow down", status=429, headers={"Retry-After": "0"}))
    assert len(list(collector.list_posts(account("busy"), NOW - timedelta(days=1), 10))) == 3
    assert site.requests == ["/s/busy", "/s/busy"]


def test_retry_after_too_long_is_rate_limited(
    collector: TelegramCollector, site: TelegramSite
) -> None:
    site.add(channel_with_posts("busy", 3))
    site.fault("/s/busy", Response("", status=429, headers={"Retry-After": "600"}))
    with pytest.raises(RateLimited):
        list(collector.list_posts(account("busy"), NOW - timedelta(days=1), 10))


def test_500s_exhaust_the_retries(collector: TelegramCollector, site: TelegramSite) -> None:
    site.add(channel_with_posts("broken", 3))
    site.fault("/s/broken", *[Response("boom", status=500)] * 3)
    with pytest.raises(FetchError, match="HTTP 500 after 3 tries"):
        list(collector.list_posts(account("broken"), NOW - timedelta(days=1), 10))


def test_truncated_page_skips_the_cut_message(
    collector: TelegramCollector, site: TelegramSite
) -> None:
    channel = site.add(channel_with_posts("cut", 3))
    page = channel_page_html(channel)
    site.fault(
        "/s/cut",
        Response(page[: page.rindex("tgme_widget_message_footer")], content_type="text/html"),
    )
    posts = list(collector.list_posts(account("cut"), NOW - timedelta(days=1), 10))
    assert [p.platform_post_id for p in posts] == ["2", "1"]
    [skipped] = collector.take_skipped()
    assert skipped.platform_post_id == "3" and "cut/3 has no time" in skipped.reason
    assert collector.take_skipped() == []


def test_a_page_of_unreadable_messages_fails_the_listing(
    collector: TelegramCollector, site: TelegramSite
) -> None:
    channel = site.add(channel_with_posts("bad", 2))
    page = channel_page_html(channel).replace('data-post="bad/', 'data-post="bad/x')
    site.fault("/s/bad", Response(page, content_type="text/html"))
    with pytest.raises(ParseError, match="no message on the page could be read"):
        list(collector.list_posts(account("bad"), NOW - timedelta(days=1), 10))


def test_hostile_text_over_http(collector: TelegramCollector, site: TelegramSite) -> None:
    channel = site.add(channel_with_posts("hostile", 0))
    for post_id, text in HOSTILE_TEXTS.items():
        channel.add(SitePost(post_id, NOW - timedelta(minutes=post_id), text=text))
    listed = {
        r.platform_post_id: r.text
        for r in collector.list_posts(account("hostile"), NOW - timedelta(days=1), 50)
    }
    assert listed == {str(k): v for k, v in HOSTILE_TEXTS.items()}


def test_fetch_posts_marks_missing_ids(collector: TelegramCollector, site: TelegramSite) -> None:
    channel = site.add(channel_with_posts("chan", 30))
    del channel.posts[12]
    found = collector.fetch_posts(account("chan"), ["5", "12", "28"])
    assert found["12"] is None
    assert found["5"] is not None and found["5"].text == "post 5 of @chan"
    assert found["28"] is not None
    assert site.requests == ["/s/chan?before=29", "/s/chan?before=8"]  # 12 is gone


@pytest.mark.parametrize(
    ("value", "name"),
    [("durov", "durov"), ("@durov", "durov"), ("https://t.me/durov", "durov"),
     ("t.me/s/durov", "durov"), ("https://telegram.me/durov/12", "durov")],
)  # fmt: skip
def test_channel_name_forms(value: str, name: str) -> None:
    assert channel_name(account(value)) == name


def test_a_handle_that_is_no_username_is_refused() -> None:
    with pytest.raises(ParseError, match="not a channel username"):
        channel_name(account("https://example.org/x y"))
