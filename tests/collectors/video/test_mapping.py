"""Pure mapping of yt-dlp info dicts (recorded per platform) to posts and profiles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from collectors.errors import ParseError
from collectors.records import AccountRef, PostRecord
from collectors.video.facebook import map_facebook_video
from collectors.video.info import parse_count, published_at, video_record, within_window
from collectors.video.tiktok import map_tiktok_entry
from collectors.video.youtube import channel_url, map_youtube_channel, map_youtube_entry
from tests.conftest import FIXTURES

YTDLP = FIXTURES / "ytdlp"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((YTDLP / name).read_text(encoding="utf-8"))
    return data


def test_tiktok_flat_entry_maps_caption_counts_music_and_media() -> None:
    entry = load("tiktok_user_flat.json")["entries"][1]
    post = map_tiktok_entry(entry)
    assert post.platform_post_id == "7412345678901234567"
    assert post.published_at == datetime(2024, 9, 24, 9, 30, tzinfo=UTC)
    assert post.url == "https://www.tiktok.com/@hunmanet/video/7412345678901234567"
    assert post.kind == "video"
    assert post.text is not None and post.text.startswith("Visit to Siem Reap province")
    assert post.title is None  # yt-dlp's title is the caption cut to 72 characters
    assert (post.views, post.likes, post.comments, post.shares) == (245000, 18400, 912, 377)
    assert post.reactions == {"save": 205}
    [media] = post.media
    assert (media.kind, media.source_url, media.duration_seconds) == ("video", post.url, 43.0)
    assert media.thumbnail_url == entry["thumbnails"][0]["url"]  # the cover, not the animated one
    assert post.raw is not None and post.raw["track"] == "original sound - Hun Manet"


def test_tiktok_entry_with_licensed_music_keeps_track_in_raw_and_khmer_caption() -> None:
    entries = load("tiktok_user_flat.json")["entries"]
    music = map_tiktok_entry(entries[2])
    assert music.raw is not None
    assert (music.raw["track"], music.raw["artists"]) == (
        "Nokor Reach (Instrumental)",
        ["Royal Cambodian Orchestra"],
    )
    assert music.title is None and music.text == "Meeting with ASEAN ministers"
    khmer = map_tiktok_entry(entries[3])
    assert khmer.text == "ពិធីបើកសម្ពោធស្ពាន"


def test_tiktok_entry_without_webpage_url_builds_one_from_uploader() -> None:
    entry = dict(load("tiktok_user_flat.json")["entries"][1])
    entry["url"] = "tiktok:7412345678901234567"
    assert map_tiktok_entry(entry).url == (
        "https://www.tiktok.com/@hunmanet/video/7412345678901234567"
    )


def _lazy(entries: list[dict[str, Any]], consumed: list[str]) -> Iterator[PostRecord]:
    for entry in entries:
        consumed.append(entry["id"])
        yield map_tiktok_entry(entry)
    raise AssertionError("the listing was read past its end")


def test_window_skips_a_pinned_old_video_and_stops_after_three_old_ones() -> None:
    entries = load("tiktok_user_flat.json")["entries"]
    consumed: list[str] = []
    since = datetime(2024, 9, 1, tzinfo=UTC)
    posts = list(within_window(_lazy(entries, consumed), since, limit=100))
    assert [p.platform_post_id for p in posts] == [
        "7412345678901234567",
        "7411998877665544332",
        "7410001112223334445",
    ]
    assert len(consumed) == len(entries)  # stopped at the third old one in a row


def test_window_stops_at_the_limit_without_reading_further() -> None:
    entries = load("tiktok_user_flat.json")["entries"]
    consumed: list[str] = []
    since = datetime(2020, 1, 1, tzinfo=UTC)
    posts = list(within_window(_lazy(entries, consumed), since, limit=2))
    assert [p.platform_post_id for p in posts] == ["7301122334455667788", "7412345678901234567"]
    assert len(consumed) == 2


def test_youtube_channel_head_gives_subscribers_and_avatar() -> None:
    profile = map_youtube_channel(load("youtube_channel_videos.json"))
    assert profile.platform_id == "UCx4oOtdQAe1tNP2uBNkZdgQ"
    assert profile.handle == "@samdechhunsen"
    assert profile.followers == 1530000 and profile.is_approximate
    assert profile.display_name == "Samdech Hun Sen Official"
    assert profile.avatar_url == "https://yt3.googleusercontent.com/ytc/avatar=s0"
    assert profile.raw is not None and "entries" not in profile.raw


def test_youtube_full_video_info_maps_metrics() -> None:
    post = map_youtube_entry(load("youtube_video.json"))
    assert post.platform_post_id == "dQ7bM2xk3aA"
    assert post.published_at == datetime.fromtimestamp(1727150412, UTC)
    assert post.title == "Samdech Techo Hun Sen addresses the Senate session"
    assert post.text is not None and post.text.startswith("Samdech Techo Hun Sen, President")
    assert (post.views, post.likes, post.comments, post.shares) == (45987, 2104, 312, None)
    assert post.media[0].source_url == "https://www.youtube.com/watch?v=dQ7bM2xk3aA"
    assert post.media[0].duration_seconds == 1834.0
    assert post.media[0].thumbnail_url == "https://i.ytimg.com/vi/dQ7bM2xk3aA/maxresdefault.jpg"


def test_youtube_flat_entry_with_approximate_date_maps_without_metrics() -> None:
    entry = load("youtube_channel_videos.json")["entries"][0]
    post = map_youtube_entry(entry)
    assert post.url == "https://www.youtube.com/watch?v=dQ7bM2xk3aA"
    assert (post.views, post.likes) == (45213, None)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (AccountRef("youtube", handle="@SamdechHunSen"), "https://www.youtube.com/@SamdechHunSen"),
        (
            AccountRef("youtube", url="https://www.youtube.com/@SamdechHunSen/videos?view=0"),
            "https://www.youtube.com/@SamdechHunSen",
        ),
        (
            AccountRef("youtube", platform_id="UCx4oOtdQAe1tNP2uBNkZdgQ"),
            "https://www.youtube.com/channel/UCx4oOtdQAe1tNP2uBNkZdgQ",
        ),
    ],
)
def test_youtube_channel_url(given: AccountRef, expected: str) -> None:
    assert channel_url(given) == expected


def test_facebook_video_maps_counts_and_caption() -> None:
    post = map_facebook_video(load("facebook_video.json"), "1047291853298412")
    assert post.platform_post_id == "1047291853298412"
    assert post.url == "https://www.facebook.com/hunmanet5/videos/1047291853298412/"
    assert post.title == "Samdech Thipadei Hun Manet met garment workers in Kandal province"
    assert post.text is not None and "18,000 garment workers" in post.text
    assert (post.views, post.likes, post.comments, post.shares) == (301000, 24000, 1840, 512)
    assert post.media[0].duration_seconds == pytest.approx(184.32)


def test_facebook_reel_counts_come_from_the_generated_title() -> None:
    post = map_facebook_video(load("facebook_reel.json"))
    assert post.platform_post_id == "512734981276345"
    assert (post.likes, post.shares, post.views) == (2300, 418, None)
    assert post.title is None and post.text is None
    assert post.url == "https://www.facebook.com/reel/512734981276345"


def test_only_identity_fields_can_fail_a_mapping() -> None:
    info = load("facebook_video.json")
    with pytest.raises(ParseError, match="publication time"):
        video_record({**info, "timestamp": None, "upload_date": None})
    with pytest.raises(ParseError, match="id"):
        video_record({**info, "id": None})
    by_date = video_record({**info, "timestamp": None, "upload_date": "20240925"})
    assert by_date.published_at == datetime(2024, 9, 25, tzinfo=UTC)
    bare = video_record({"id": "1", "timestamp": 1700000000, "view_count": "n/a", "title": 5})
    assert (bare.views, bare.title, bare.url, bare.media[0].thumbnail_url) == (
        None,
        None,
        None,
        None,
    )


def test_counts_and_times() -> None:
    assert parse_count("2,915,402") == (2915402, False)
    assert parse_count("1.2M") == (1200000, True)
    assert parse_count("3.4K") == (3400, True)
    assert parse_count("many") == (None, False)
    assert published_at({"release_timestamp": 1700000000}) == datetime.fromtimestamp(
        1700000000, UTC
    )
    assert published_at({"timestamp": True}) is None
