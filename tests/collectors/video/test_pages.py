"""Pure parsers of saved profile pages: TikTok's embedded user JSON, Facebook page metadata."""

from __future__ import annotations

import pytest

from collectors.errors import AccountUnavailable, LoginRequired, ParseError
from collectors.records import AccountRef
from collectors.video.facebook_pages import (
    page_location,
    page_slug,
    parse_facebook_page,
    parse_video_links,
    tab_url,
    video_id_from_url,
)
from collectors.video.tiktok import parse_tiktok_profile, tiktok_handle
from tests.conftest import FIXTURES


def page(folder: str, name: str) -> str:
    return (FIXTURES / folder / name).read_text(encoding="utf-8")


def test_tiktok_universal_data_gives_exact_counts() -> None:
    profile = parse_tiktok_profile(page("tiktok", "profile_universal.html"))
    assert profile.platform_id == "6912345678901234567"
    assert profile.handle == "@hunmanet"
    assert profile.url == "https://www.tiktok.com/@hunmanet"
    assert profile.display_name == "Hun Manet"
    assert profile.description is not None and "នាយករដ្ឋមន្ត្រី" in profile.description
    # statsV2 holds exact strings; stats may lag or overflow
    assert (profile.followers, profile.following, profile.likes, profile.posts_count) == (
        1523488,
        3,
        12412077,
        412,
    )
    assert profile.avatar_url is not None and "1080x1080" in profile.avatar_url
    assert not profile.is_approximate


def test_tiktok_sigi_state_layout_still_parses() -> None:
    profile = parse_tiktok_profile(page("tiktok", "profile_sigi.html"))
    assert profile.handle == "@samdechhunsen"
    assert (profile.followers, profile.likes, profile.posts_count) == (2400000, 39100000, 1205)


def test_tiktok_private_and_banned_accounts() -> None:
    with pytest.raises(AccountUnavailable) as private:
        parse_tiktok_profile(page("tiktok", "profile_private.html"))
    assert private.value.status == "private"
    with pytest.raises(AccountUnavailable) as banned:
        parse_tiktok_profile(page("tiktok", "profile_banned.html"))
    assert banned.value.status == "deleted"


def test_tiktok_bot_check_page_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="bot check"):
        parse_tiktok_profile(page("tiktok", "verify_page.html"))
    with pytest.raises(ParseError):
        parse_tiktok_profile("")


@pytest.mark.parametrize(
    "raw",
    ["@HunManet", "HunManet", "https://www.tiktok.com/@HunManet", "tiktok.com/@HunManet?lang=km"],
)
def test_tiktok_handle_forms(raw: str) -> None:
    ref = AccountRef("tiktok", url=raw) if "tiktok.com" in raw else AccountRef("tiktok", handle=raw)
    assert tiktok_handle(ref) == "hunmanet"


def test_facebook_page_json_counts_beat_abbreviations() -> None:
    profile = parse_facebook_page(page("facebook", "page.html"))
    assert profile.display_name == "Hun Manet"
    assert profile.platform_id == "100044337216395"
    assert (profile.followers, profile.likes) == (3108775, 2915402)
    assert not profile.is_approximate
    assert profile.url == "https://www.facebook.com/hunmanet5/"
    assert profile.avatar_url is not None and profile.avatar_url.endswith("_nc_cat=1")


def test_facebook_page_with_only_og_description_is_approximate() -> None:
    profile = parse_facebook_page(page("facebook", "page_og_only.html"))
    assert profile.display_name == "Ministry of Information"
    assert (profile.followers, profile.likes) == (1200000, None)
    assert profile.is_approximate
    assert profile.platform_id == "100064803412345"


def test_facebook_login_wall_and_unavailable_page() -> None:
    with pytest.raises(LoginRequired, match=r"\[video\] cookies_file"):
        parse_facebook_page(page("facebook", "login_wall.html"))
    with pytest.raises(AccountUnavailable):
        parse_facebook_page(page("facebook", "unavailable.html"))


def test_facebook_video_tab_links_in_order_once_without_other_pages() -> None:
    links = parse_video_links(
        page("facebook", "videos_tab.html"), "http://127.0.0.1:9/", ["hunmanet5", "100044337216395"]
    )
    assert [(link.video_id, link.url) for link in links] == [
        ("1047291853298412", "http://127.0.0.1:9/hunmanet5/videos/1047291853298412/"),
        ("1122334455667788", "http://127.0.0.1:9/hunmanet5/videos/1122334455667788/"),
        ("3344556677889900", "http://127.0.0.1:9/100044337216395/videos/3344556677889900/"),
        ("2233445566778899", "http://127.0.0.1:9/hunmanet5/videos/2233445566778899/"),
    ]


def test_facebook_reels_tab_links_including_escaped_json() -> None:
    links = parse_video_links(page("facebook", "reels_tab.html"), "https://www.facebook.com")
    assert [link.url for link in links] == [
        "https://www.facebook.com/reel/512734981276345",
        "https://www.facebook.com/reel/1047291853298412",
        "https://www.facebook.com/reel/600700800900100",
    ]


def test_facebook_url_helpers() -> None:
    assert page_slug("https://www.facebook.com/hunmanet5/") == "hunmanet5"
    profile = "https://www.facebook.com/profile.php?id=100044337216395&ref=bookmarks"
    assert page_slug(profile) == "100044337216395"
    on_base = page_location(profile, "http://127.0.0.1:9/")
    assert on_base == "http://127.0.0.1:9/profile.php?id=100044337216395"
    assert tab_url(on_base, "reels") == on_base + "&sk=reels_tab"
    assert page_location("hunmanet5", "https://www.facebook.com") == (
        "https://www.facebook.com/hunmanet5"
    )
    assert tab_url("https://www.facebook.com/hunmanet5", "videos") == (
        "https://www.facebook.com/hunmanet5/videos"
    )
    assert video_id_from_url("https://www.facebook.com/watch/?v=1234567890") == "1234567890"
    assert video_id_from_url("https://www.facebook.com/hunmanet5/") is None
