"""The t.me/s parser on every post of the eight pages recorded from t.me (skipped without them)."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

import pytest

from collectors.records import PostRecord
from collectors.telegram.text import parse_count
from collectors.telegram.web import ChannelPage, parse_channel_page
from tests.conftest import REFERENCE, require
from tests.support.telegram_reference_table import REFERENCE_POSTS

PAGES = REFERENCE / "telegram-web"


@pytest.fixture(autouse=True)
def _reference_pages() -> None:
    require(
        PAGES.is_dir(),
        f"the recorded t.me pages ({PAGES})",
        "put the shared/ folder beside the project's clone, as CI lays it",
    )


NAMES = ("bbbreaking", "disgustingmen", "durov", "meduzalive", "nexta", "telegram", "tginfouk",
         "varlamov_news")  # fmt: skip


@cache
def page(name: str) -> ChannelPage:
    return parse_channel_page((PAGES / f"{name}.html").read_text(encoding="utf-8"))


def post(name: str, post_id: str) -> PostRecord:
    return next(p for p in page(name).posts if p.platform_post_id == post_id)


def test_all_eight_pages_are_there() -> None:
    assert sorted(path.stem for path in PAGES.glob("*.html")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_data_post_element_becomes_a_post(name: str) -> None:
    html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
    ids = re.findall(r'data-post="[^"/]+/(\d+)"', html)
    assert [p.platform_post_id for p in page(name).posts] == ids
    assert len(ids) == sum(1 for row in REFERENCE_POSTS if row[0] == name)


def _expected_kind(row: tuple[object, ...]) -> str:
    name, post_id, _, _, photos, videos, documents, album, *_ = row
    if (name, post_id) == ("disgustingmen", "15142"):
        return "service"
    if album:
        return "album"
    if documents:
        return "audio"  # both documents on these pages are podcasts (audio icon)
    if videos:
        return "video"
    return "photo" if photos else "text"


@pytest.mark.parametrize("row", REFERENCE_POSTS, ids=lambda row: f"{row[0]}/{row[1]}")
def test_every_post_matches_its_html(row: tuple) -> None:  # type: ignore[type-arg]
    name, post_id, stamp, views, photos, videos, documents, _, chips, edited, text = row
    record = post(name, post_id)
    assert record.published_at == datetime.fromisoformat(stamp)
    assert record.published_at.utcoffset() is not None
    if views is None:
        assert record.views is None
    else:
        assert (record.views, record.views_approximate) == parse_count(views)
    kinds = [m.kind for m in record.media]
    assert kinds.count("photo") == photos
    assert kinds.count("video") + kinds.count("other") == videos
    assert kinds.count("audio") + kinds.count("document") == documents
    assert [m.position for m in record.media] == list(range(len(record.media)))
    assert record.kind == _expected_kind(row)
    assert len(record.reactions or {}) == chips
    assert record.is_edited is edited
    assert (record.text or "").startswith(text)
    slug = {"nexta": "nexta_live"}.get(name, name)
    assert record.url == f"https://t.me/{slug}/{post_id}"


def test_views_parse_to_numbers() -> None:
    assert post("durov", "481").views == 2_190_000
    assert post("durov", "499").views == 2_000_000
    assert post("bbbreaking", "229343").views == 92_300
    assert post("disgustingmen", "15145").views == 9_760
    assert post("tginfouk", "1167").views == 207
    assert post("tginfouk", "1167").views_approximate is False


def test_channel_headers() -> None:
    durov = page("durov").channel
    assert (durov.handle, durov.platform_id, durov.display_name) == (
        "durov",
        "1006503122",
        "Pavel Durov",
    )
    assert (durov.followers, durov.is_approximate) == (10_100_000, True)
    assert durov.description == "Founder of Telegram."
    assert durov.avatar_url and durov.avatar_url.startswith("https://cdn4.telesco.pe/file/")
    assert durov.raw and durov.raw["counters"] == {
        "subscribers": 10_100_000, "photos": 93, "videos": 39, "links": 177,
    }  # fmt: skip
    assert durov.raw["verified"] is True
    small = page("tginfouk").channel
    assert (small.followers, small.is_approximate) == (705, False)
    assert page("nexta").channel.handle == "nexta_live"
    assert page("bbbreaking").channel.platform_id == "1394050290"


@pytest.mark.parametrize(
    ("name", "before"),
    [("bbbreaking", 229325), ("disgustingmen", 15137), ("durov", 481), ("meduzalive", 141878),
     ("nexta", 116547), ("telegram", 419), ("tginfouk", 1148), ("varlamov_news", 70596)],
)  # fmt: skip
def test_pagination_cursor_is_the_oldest_post(name: str, before: int) -> None:
    assert page(name).before == before
    assert page(name).after is None
    assert min(int(p.platform_post_id) for p in page(name).posts) == before


def test_full_text_with_quote_and_line_breaks() -> None:
    text = post("bbbreaking", "229338").text or ""
    assert text.startswith("При атаке БПЛА на Чебоксары два человека погибли и 32 пострадали")
    assert "Николаев. \n\n«Основной удар" in text
    assert text.endswith("введен режим ЧС регионального характера.")
    assert "<blockquote>«Основной удар" in (post("bbbreaking", "229338").text_html or "")


def test_links_are_kept_in_html_and_plain_text_is_readable() -> None:
    record = post("bbbreaking", "229329")
    assert '<a href="https://www.kommersant.ru/doc/8635458"><b>пишет</b></a>' in (
        record.text_html or ""
    )
    assert "onclick" not in (record.text_html or "")
    assert "собственной сети, пишет «Коммерсант»." in (record.text or "")


def test_forwarded_video_too_big_for_the_web() -> None:
    record = post("disgustingmen", "15138")
    assert record.forwarded_from == "Петя и комп"
    assert record.forwarded_from_url == "https://t.me/petyaikomp/214"
    (video,) = record.media
    assert (video.kind, video.duration_seconds) == ("video", 155.0)
    assert video.source_url == "https://t.me/disgustingmen/15138"
    assert record.raw and record.raw["media_not_shown"] == ["Media is too big"]
    assert record.reactions == {"🔥": 136, "🤯": 28, "❤": 17, "🎉": 11, "🤬": 2}


def test_playable_video_has_url_thumbnail_and_duration() -> None:
    (video,) = post("durov", "489").media
    assert video.kind == "video" and video.duration_seconds == 9.0
    assert video.source_url and video.source_url.startswith("https://cdn4.telesco.pe/file/")
    assert ".mp4" in video.source_url
    assert video.thumbnail_url and video.thumbnail_url.startswith("https://cdn4.telesco.pe/")
    (animation,) = post("durov", "493").media  # autoplaying loop without sound: a GIF
    assert animation.kind == "other" and animation.duration_seconds is None


def test_reactions_paid_and_custom_emoji() -> None:
    record = post("durov", "481")
    assert record.reactions == {
        "paid": 26_700,
        "custom:5265077361648368841": 44_200,
        "custom:5472404692975753822": 25_400,
        "custom:5314647211299067950": 11_100,
        "custom:5447193685919811994": 3_860,
    }
    assert record.raw and record.raw["reactions_approximate"] is True
    assert record.raw["author"] == "Pavel Durov"
    assert post("nexta", "116547").reactions == {
        "paid": 1, "👍": 2400, "😁": 514, "❤": 206, "🤡": 87, "🔥": 58, "🤣": 45, "💩": 22,
        "🎉": 18, "🖕": 9, "💯": 6, "👎": 4,
    }  # fmt: skip


def test_albums_list_every_member() -> None:
    record = post("nexta", "116547")
    assert record.kind == "album"
    assert [m.kind for m in record.media] == [
        "photo",
        "video",
        "photo",
        "photo",
        "photo",
        "photo",
        "photo",
    ]
    assert record.raw and record.raw["album_ids"] == [str(i) for i in range(116547, 116554)]
    assert record.media[1].duration_seconds == 192.0
    assert record.media[1].source_url == "https://t.me/nexta_live/116548"  # too big for the web
    mixed = post("varlamov_news", "70596")
    assert [m.kind for m in mixed.media] == ["video", "photo"]
    assert mixed.text == (
        "Сообщается о попадании беспилотника в жилую многоэтажку в Чебоксарах. По "
        "предварительным данным, повреждены как минимум восемь квартир.\n\nОфициальной "
        "информации об инциденте пока нет."
    )


def test_replies_documents_and_link_previews() -> None:
    assert post("meduzalive", "141883").reply_to_id == "141875"
    assert post("nexta", "116557").reply_to_id == "92294"
    podcast = post("meduzalive", "141888")
    assert podcast.kind == "audio" and podcast.reply_to_id == "141887"
    assert podcast.raw and podcast.raw["documents"] == [
        {"title": "Заговор элит против Путина", "extra": "Meduza.Что случилось"}
    ]
    preview = post("disgustingmen", "15152").raw
    assert (
        preview
        and preview["link_preview"]["url"] == "https://youtu.be/vtcVVSn98xo?si=aeA-UP3BB6_dMryZ"
    )
    assert preview["link_preview"]["title"] == "Nobody Makes Millstones Like This Anymore!"
    assert preview["link_preview"]["site_name"] == "YouTube"
    trailer = post("meduzalive", "141893")
    assert trailer.media == []  # the YouTube preview's video is not the post's media
    assert trailer.raw and trailer.raw["link_preview"]["video_url"].startswith(
        "https://cdn4.telesco.pe/"
    )


def test_service_message() -> None:
    record = post("disgustingmen", "15142")
    assert record.kind == "service" and record.views is None
    assert (record.text or "").startswith("Disgusting Men pinned «⚡️Майор Гром одобряет!⚡️")


def test_posts_come_in_page_order_oldest_first() -> None:
    for name in NAMES:
        ids = [int(p.platform_post_id) for p in page(name).posts]
        assert ids == sorted(ids)


def test_the_pages_parse_from_bytes_too() -> None:
    raw = (PAGES / "durov.html").read_bytes()
    assert [p.text for p in parse_channel_page(raw).posts] == [p.text for p in page("durov").posts]
