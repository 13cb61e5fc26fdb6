"""The t.me parsers on our own small pages: hostile text, every media kind, profiles, errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.errors import AccountUnavailable, LoginRequired, ParseError
from collectors.telegram.text import clean_html, parse_count, parse_duration
from collectors.telegram.web import ChannelPage, parse_channel_page, parse_profile_page
from tests.conftest import FIXTURES
from tests.support.hostile_texts import HOSTILE_TEXTS, KHMER_LONG

HERE = FIXTURES / "telegram"


def read(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def hostile() -> ChannelPage:
    return parse_channel_page(read("hostile_channel.html"))


def by_id(page: ChannelPage, post_id: int):  # type: ignore[no-untyped-def]
    return next(p for p in page.posts if p.platform_post_id == str(post_id))


@pytest.mark.parametrize("post_id", sorted(HOSTILE_TEXTS))
def test_hostile_text_comes_back_exactly(hostile: ChannelPage, post_id: int) -> None:
    record = by_id(hostile, post_id)
    assert record.text == HOSTILE_TEXTS[post_id]
    assert "<script" not in (record.text_html or "")
    assert "<img" not in (record.text_html or "")


def test_the_long_post_keeps_all_4096_characters(hostile: ChannelPage) -> None:
    assert by_id(hostile, 105).text == KHMER_LONG
    assert len(KHMER_LONG) == 4096


def test_html_of_hostile_text_is_escaped(hostile: ChannelPage) -> None:
    assert by_id(hostile, 101).text_html == (
        "&lt;script&gt;alert('x')&lt;/script&gt; &lt;b&gt;not bold&lt;/b&gt; &amp;amp; "
        '"quotes" &lt;img src=x onerror=alert(1)&gt;'
    )
    assert by_id(hostile, 104).text_html == "សម្ដេចតេជោ ហ៊ុន សែន 🇰🇭👍🏽 ❤️\u200d🔥<br>បន្ទាត់ទីពីរ"


def test_unsafe_links_scripts_and_handlers_are_dropped(hostile: ChannelPage) -> None:
    record = by_id(hostile, 112)
    assert record.text == "click and oksecret"
    assert record.text_html == (
        'click and <a href="https://ok.example/?a=1&amp;b=2">ok</a><tg-spoiler>secret</tg-spoiler>'
    )


def test_voice_round_video_poll_sticker_document(hostile: ChannelPage) -> None:
    voice = by_id(hostile, 107)
    assert voice.kind == "voice" and voice.text is None
    assert [(m.kind, m.source_url, m.duration_seconds) for m in voice.media] == [
        ("voice", "https://cdn.example/v.ogg", 7.0)
    ]
    assert (voice.views, voice.views_approximate) == (1530, True)
    round_video = by_id(hostile, 108)
    assert round_video.kind == "round_video"
    (item,) = round_video.media
    assert (item.kind, item.source_url, item.duration_seconds) == (
        "round_video",
        "https://cdn.example/r.mp4",
        15.0,
    )
    assert item.thumbnail_url == "https://cdn.example/thumb.jpg"
    assert round_video.views == 2_040_000
    poll = by_id(hostile, 109)
    assert poll.kind == "poll" and poll.media == []
    assert poll.raw == {
        "poll": {
            "question": "Who should lead?",
            "type": "Anonymous poll",
            "options": [{"text": "Yes", "percent": 62}, {"text": "No <never>", "percent": 38}],
            "voters": 1200,
        }
    }
    sticker = by_id(hostile, 110)
    assert sticker.kind == "sticker"
    assert sticker.raw == {"sticker_url": "https://cdn.example/sticker.webp"}
    document = by_id(hostile, 111)
    assert document.kind == "document" and document.text == "the decree"
    assert document.media[0].source_url == "https://t.me/hostile_test/111"


def test_service_reply_forward_reactions_edited(hostile: ChannelPage) -> None:
    service = by_id(hostile, 113)
    assert service.kind == "service" and service.views is None
    reply = by_id(hostile, 114)
    assert reply.reply_to_id == "101"
    assert (reply.forwarded_from, reply.forwarded_from_url) == (
        "Other <Channel>",
        "https://t.me/other/7",
    )
    assert reply.reactions == {"👍": 1530, "🔥": 7}
    assert reply.is_edited and reply.edited_at is None
    assert reply.published_at == datetime(2026, 5, 1, 22, 0, tzinfo=UTC)


def test_channel_header_and_id(hostile: ChannelPage) -> None:
    channel = hostile.channel
    assert channel.display_name == "Hostile <Test> ចាប់"
    assert (channel.platform_id, channel.handle) == ("1234567890", "hostile_test")
    assert (channel.followers, channel.is_approximate) == (12_300, True)
    assert hostile.before is None  # no older posts: no "more" link


def test_profile_page_exact_count() -> None:
    profile = parse_profile_page(read("profile_channel.html"))
    assert (profile.followers, profile.is_approximate) == (850_123, False)
    assert profile.display_name == "សម្ដេច <Test> Channel"
    assert profile.description == "Official channel.\nផ្លូវការ & <b>not bold</b>"
    assert profile.avatar_url == "https://cdn.example/samdech_test.jpg"
    assert profile.handle == "samdech_test"
    assert profile.raw and profile.raw["kind"] == "channel" and profile.raw["has_preview"]


def test_profile_page_without_count() -> None:
    profile = parse_profile_page(read("profile_no_count.html"))
    assert profile.followers is None and profile.display_name == "សម្ដេច <Test> Channel"


@pytest.mark.parametrize(
    ("extra", "count", "kind"),
    [
        ("10 612 280 subscribers", 10_612_280, "channel"),
        ("1,234 subscribers", 1234, "channel"),
        ("3 456 members, 120 online", 3456, "group"),
        ("1 subscriber", 1, "channel"),
    ],
)
def test_profile_extra_forms(extra: str, count: int, kind: str) -> None:
    page = (
        '<html><body><div class="tgme_page"><div class="tgme_page_title"><span>T</span></div>'
        f'<div class="tgme_page_extra">{extra}</div></div></body></html>'
    )
    profile = parse_profile_page(page)
    assert (profile.followers, profile.is_approximate) == (count, False)
    assert profile.raw and profile.raw["kind"] == kind


def test_missing_channel_is_account_unavailable() -> None:
    with pytest.raises(AccountUnavailable) as caught:
        parse_profile_page(read("profile_not_found.html"))
    assert caught.value.status == "unavailable"
    assert "@gone_channel" in str(caught.value)
    with pytest.raises(AccountUnavailable):
        parse_channel_page(read("profile_not_found.html"))


def test_channel_without_web_preview_says_what_to_do() -> None:
    with pytest.raises(LoginRequired, match="polmon telegram login"):
        parse_channel_page(read("profile_channel.html"))


def test_unexpected_markup_is_a_clear_parse_error() -> None:
    with pytest.raises(ParseError, match="unexpected markup"):
        parse_channel_page(read("unexpected_markup.html"))
    with pytest.raises(ParseError, match="unexpected markup"):
        parse_profile_page(read("unexpected_markup.html"))


@pytest.mark.parametrize("body", ["", "   ", b""])
def test_empty_page_is_a_parse_error(body: str | bytes) -> None:
    with pytest.raises(ParseError, match="empty page"):
        parse_channel_page(body)


def test_truncated_page_skips_only_the_cut_message() -> None:
    html = read("hostile_channel.html")
    whole = parse_channel_page(html)
    cut = html[
        : html.index(
            'class="tgme_widget_message_footer', html.index('data-post="hostile_test/114"')
        )
    ]
    page = parse_channel_page(cut)
    kept = [p.platform_post_id for p in page.posts]
    assert kept == [p.platform_post_id for p in whole.posts if int(p.platform_post_id) < 114]
    [skipped] = page.skipped
    assert skipped.platform_post_id == "114" and "hostile_test/114 has no time" in skipped.reason


def test_message_without_usable_id_is_skipped_alone() -> None:
    html = read("hostile_channel.html").replace('data-post="hostile_test/103"', 'data-post="x/abc"')
    whole = parse_channel_page(read("hostile_channel.html"))
    page = parse_channel_page(html)
    assert len(page.posts) == len(whole.posts) - 1
    assert "103" not in {p.platform_post_id for p in page.posts}
    [skipped] = page.skipped
    assert skipped.platform_post_id is None and "data-post" in skipped.reason
    assert page.channel.handle == whole.channel.handle  # not taken from the bad message


def test_odd_optional_fields_fall_back_instead_of_failing() -> None:
    views = '<span class="tgme_widget_message_views">{}</span>'
    html = (
        read("hostile_channel.html")
        .replace(views.format("999"), views.format("lots"), 1)
        .replace("0:07</time>", "soon</time>")
    )
    page = parse_channel_page(html)
    assert by_id(page, 101).views is None
    assert by_id(page, 107).media[0].duration_seconds is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.2K", (1200, True)),
        ("10.1M", (10_100_000, True)),
        ("9.76K", (9760, True)),
        ("2M", (2_000_000, True)),
        ("1,5K", (1500, True)),
        ("1.1B", (1_100_000_000, True)),
        ("705", (705, False)),
        ("12 345", (12345, False)),
        ("10\u00a0612\u00a0280", (10_612_280, False)),
        ("", None),
        ("many", None),
        (None, None),
    ],
)
def test_parse_count(text: str | None, expected: tuple[int, bool] | None) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0:07", 7.0), ("2:35", 155.0), ("1:02:03", 3723.0), ("", None), ("x:1", None)],
)
def test_parse_duration(text: str, seconds: float | None) -> None:
    assert parse_duration(text) == seconds


def test_clean_html_keeps_formatting_only() -> None:
    import lxml.html

    node = lxml.html.fragment_fromstring(
        '<div><b onclick="x()">bold</b> <a href="tg://resolve?domain=x" style="c">tg</a>'
        '<a href="//t.me/x">rel</a><iframe src="https://evil.example"></iframe>'
        '<i class="emoji" style="background-image:url(x)"><b>🔥</b></i><u>&lt;u&gt;</u></div>'
    )
    assert clean_html(node) == (
        '<b>bold</b> <a href="tg://resolve?domain=x">tg</a><a href="https://t.me/x">rel</a>'
        "🔥<u>&lt;u&gt;</u>"
    )
