"""The Telethon backend: real telethon.tl.types objects through a stand-in for the client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from telethon.tl import functions, types

from collectors.errors import AccountUnavailable, LoginRequired, RateLimited
from collectors.records import AccountRef, PostRecord
from collectors.telegram.collector import TelegramCollector, choose_backend
from collectors.telegram.mapping import map_channel, map_messages
from collectors.telegram.session import session_file
from collectors.telegram.telethon_backend import TelethonBackend
from tests.support.config import make_config
from tests.support.hostile_texts import HOSTILE_TEXTS
from tests.support.telethon_history import (
    ACCOUNT,
    DUROV,
    FULL,
    MEDUZA,
    at,
    history,
    message,
)
from tests.support.telethon_standin import START, StandInClient

API_ID = {"api_id": 12345}


@pytest.fixture
def client() -> StandInClient:
    return StandInClient(DUROV, FULL, history(), chats=[MEDUZA])


@pytest.fixture
def collector(client: StandInClient, tmp_path: Path) -> Iterator[TelegramCollector]:
    waits: list[float] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    backend = TelethonBackend(lambda: client, flood_wait_cap_seconds=60, sleep=no_wait)
    backend.waits = waits  # type: ignore[attr-defined]
    with TelegramCollector(
        make_config(tmp_path, telegram=API_ID).telegram_settings, backend=backend
    ) as collector:
        yield collector


def records(
    collector: TelegramCollector, hours: float = -100, limit: int = 1000
) -> dict[str, PostRecord]:
    listed = list(collector.list_posts(ACCOUNT, at(hours), limit))
    return {r.platform_post_id: r for r in listed}


def test_profile_has_the_exact_participant_count(
    collector: TelegramCollector, client: StandInClient
) -> None:
    profile = collector.fetch_profile(ACCOUNT)
    assert (profile.followers, profile.is_approximate) == (10_612_280, False)
    assert (profile.platform_id, profile.handle, profile.display_name) == (
        "1006503122",
        "durov",
        "Pavel Durov",
    )
    assert profile.description == "Founder of Telegram."
    assert profile.url == "https://t.me/durov"
    assert profile.avatar_url == "https://t.me/i/userpic/320/durov.jpg"
    assert profile.raw and profile.raw["verified"] is True
    assert [type(r) for r in client.requests] == [
        functions.contacts.ResolveUsernameRequest,
        functions.channels.GetFullChannelRequest,
    ]
    assert client.connected


def test_listing_is_newest_first_albums_merged_and_stops_at_since(
    collector: TelegramCollector,
) -> None:
    listed = list(collector.list_posts(ACCOUNT, at(0), 1000))
    ids = [r.platform_post_id for r in listed]
    assert ids == ["510", "509", "508", "507", "504", "503", "502", "501", "500", "499", "498",
                   "497", "496", "495", "494"]  # fmt: skip
    assert all(r.published_at.utcoffset() == timedelta(0) for r in listed)


def test_text_metrics_reactions_and_edit(collector: TelegramCollector) -> None:
    post = records(collector)["510"]
    assert post.text == "Bold news and a link"
    assert (
        post.text_html
        == '<strong>Bold</strong> news and <a href="https://example.org/?a=1&amp;b=2">a link</a>'
    )
    assert (post.views, post.views_approximate, post.shares, post.comments) == (
        1_234_567,
        False,
        321,
        45,
    )
    assert post.reactions == {"👍": 1000, "custom:5265077361648368841": 50, "paid": 7}
    assert post.is_edited and post.edited_at == at(31)
    assert post.url == "https://t.me/durov/510"
    assert post.raw == {"author": "Pavel Durov"}
    hidden = records(collector)["495"]  # edit_hide: an edit Telegram does not show
    assert not hidden.is_edited and hidden.edited_at is None
    assert hidden.raw and hidden.raw["link_preview"] == {
        "url": "https://example.org", "site_name": "Example", "title": "Example page",
        "description": "About <it>",
    }  # fmt: skip


def test_media_references_video_round_voice(collector: TelegramCollector) -> None:
    posts = records(collector)
    video = posts["509"]
    assert video.kind == "video"
    (item,) = video.media
    assert (item.kind, item.duration_seconds, item.mime_type, item.size_bytes) == (
        "video",
        12.5,
        "video/mp4",
        10_000_000,
    )
    assert item.source_url == "https://t.me/durov/509"
    assert video.raw == {"file_name": "clip.mp4"}
    assert posts["508"].kind == "round_video" and posts["508"].media[0].kind == "round_video"
    assert posts["508"].media[0].duration_seconds == 15.0
    assert posts["507"].kind == "voice" and posts["507"].media[0].duration_seconds == 7.0
    assert posts["497"].kind == "audio" and posts["497"].raw == {
        "audio": {"title": "Episode 1", "performer": "Radio"}
    }
    assert posts["496"].media[0].kind == "other" and posts["496"].raw == {"animation": True}
    assert (
        posts["494"].kind == "document"
        and posts["494"].media[0].source_url == "https://t.me/durov/494"
    )


def test_album_becomes_one_post_with_every_member(collector: TelegramCollector) -> None:
    album = records(collector)["504"]
    assert album.kind == "album" and album.text == "album caption"
    assert [(m.kind, m.position, m.source_url) for m in album.media] == [
        ("photo", 0, "https://t.me/durov/504"),
        ("video", 1, "https://t.me/durov/505"),
        ("photo", 2, "https://t.me/durov/506"),
    ]
    assert album.grouped_id == "13579"
    assert album.raw == {"album_ids": ["504", "505", "506"]}
    assert (album.views, album.shares) == (910, 4)


def test_forward_reply_service_poll_sticker(collector: TelegramCollector) -> None:
    posts = records(collector)
    assert (posts["503"].forwarded_from, posts["503"].forwarded_from_url) == (
        "Медуза — LIVE", "https://t.me/meduzalive/141878",
    )  # fmt: skip
    assert posts["502"].reply_to_id == "500"
    service = posts["501"]
    assert (service.kind, service.text, service.raw) == (
        "service",
        "pinned a message",
        {"action": "MessageActionPinMessage"},
    )
    poll = posts["500"]
    assert poll.kind == "poll" and poll.media == []
    options = [{"text": "Yes", "voters": 10}, {"text": "No <never>", "voters": 5}]
    assert poll.raw == {
        "poll": {"question": "Who should lead?", "voters": 15, "closed": False, "options": options}
    }
    assert posts["498"].kind == "sticker" and posts["498"].raw == {"sticker": "😀"}


def test_hostile_text_is_kept_exactly(collector: TelegramCollector) -> None:
    post = records(collector)["499"]
    assert post.text == HOSTILE_TEXTS[101] + "\n" + HOSTILE_TEXTS[104]
    assert "<script>" not in (post.text_html or "")


def test_limit_does_not_split_an_album(collector: TelegramCollector) -> None:
    assert list(records(collector, limit=5)) == ["510", "509", "508", "507", "504"]
    assert len(records(collector, limit=5)["504"].media) == 3


def test_min_id_cursor_bounds_the_listing(
    collector: TelegramCollector, client: StandInClient
) -> None:
    account = AccountRef(platform="telegram", handle="durov", cursor={"min_id": 503})
    ids = [r.platform_post_id for r in collector.list_posts(account, at(-100), 100)]
    assert ids == ["510", "509", "508", "507", "504"]
    assert client.iterations[-1]["min_id"] == 503


def test_flood_wait_is_slept_out_and_the_listing_resumes(
    collector: TelegramCollector, client: StandInClient
) -> None:
    client.flood_in_listing = {502: 30}
    client.flood_on_call = [5]
    ids = [r.platform_post_id for r in collector.list_posts(ACCOUNT, at(0), 1000)]
    assert ids == ["510", "509", "508", "507", "504", "503", "502", "501", "500", "499", "498",
                   "497", "496", "495", "494"]  # fmt: skip
    assert collector.backend.waits == [5.0, 30.0]  # type: ignore[attr-defined]
    assert [i["offset_id"] for i in client.iterations] == [0, 503]


def test_flood_wait_beyond_the_cap_defers_the_account(
    collector: TelegramCollector, client: StandInClient
) -> None:
    client.flood_on_call = [3600]
    with pytest.raises(RateLimited) as caught:
        collector.fetch_profile(ACCOUNT)
    assert caught.value.retry_after == 3600 and caught.value.expected
    assert "deferred to the next pass" in str(caught.value)
    client.flood_on_call = [40, 40]  # 80 s in all: beyond the 60 s budget of one call
    with pytest.raises(RateLimited):
        collector.fetch_profile(ACCOUNT)


def test_fetch_posts_finds_deleted_ones(collector: TelegramCollector) -> None:
    found = collector.fetch_posts(ACCOUNT, ["510", "505", "9999"])
    assert found["9999"] is None
    assert found["510"] is not None and found["510"].views == 1_234_567
    assert found["505"] is not None and found["505"].media[0].kind == "video"


def test_unknown_username_is_account_unavailable(collector: TelegramCollector) -> None:
    with pytest.raises(AccountUnavailable) as caught:
        collector.fetch_profile(AccountRef(platform="telegram", handle="vanished_channel"))
    assert caught.value.status == "unavailable"


def test_forbidden_channel_is_private(tmp_path: Path) -> None:
    forbidden = types.ChannelForbidden(id=DUROV.id, access_hash=1, title="Pavel Durov")
    client = StandInClient(DUROV, FULL, [])
    client.chats = [forbidden]
    backend = TelethonBackend(lambda: client)
    with (
        TelegramCollector(
            make_config(tmp_path, telegram=API_ID).telegram_settings, backend=backend
        ) as collector,
        pytest.raises(AccountUnavailable) as caught,
    ):
        collector.fetch_profile(ACCOUNT)
    assert caught.value.status == "private"


def test_session_not_logged_in(tmp_path: Path) -> None:
    client = StandInClient(DUROV, FULL, [], authorized=False)
    backend = TelethonBackend(lambda: client)
    with (
        TelegramCollector(
            make_config(tmp_path, telegram=API_ID).telegram_settings, backend=backend
        ) as collector,
        pytest.raises(LoginRequired, match="polmon telegram login"),
    ):
        collector.fetch_profile(ACCOUNT)
    assert not client.connected


def test_close_disconnects(client: StandInClient, tmp_path: Path) -> None:
    collector = TelegramCollector(
        make_config(tmp_path, telegram=API_ID).telegram_settings,
        backend=TelethonBackend(lambda: client),
    )
    collector.fetch_profile(ACCOUNT)
    collector.close()
    assert not client.connected
    collector.close()  # twice is harmless


def test_map_channel_without_full_info_uses_the_channel_count() -> None:
    channel = types.Channel(
        id=5, title="T", photo=types.ChatPhotoEmpty(), date=START, participants_count=12
    )
    profile = map_channel(channel, None)
    assert (profile.followers, profile.handle, profile.url, profile.avatar_url) == (
        12,
        None,
        None,
        None,
    )


def test_private_link_when_the_channel_has_no_username() -> None:
    channel = types.Channel(id=5, title="T", photo=types.ChatPhotoEmpty(), date=START)
    record = map_messages([message(9, 1, "x")], channel)
    assert record.url == "https://t.me/c/5/9"


def test_auto_backend_needs_api_id_hash_and_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POLMON_TELEGRAM_API_HASH", raising=False)
    conf = make_config(tmp_path, telegram=API_ID)
    assert choose_backend(conf.telegram_settings) == "web"
    monkeypatch.setenv("POLMON_TELEGRAM_API_HASH", "0123456789abcdef")
    assert choose_backend(conf.telegram_settings) == "web"  # no session yet
    path = session_file(conf.telegram_session_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    assert path.name == "telegram.session"
    assert choose_backend(conf.telegram_settings) == "telethon"
    web = make_config(tmp_path, telegram={"backend": "web", "api_id": 1})
    assert choose_backend(web.telegram_settings) == "web"


def test_telethon_backend_without_session_says_to_log_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLMON_TELEGRAM_API_HASH", "0123456789abcdef")
    conf = make_config(tmp_path, telegram={"backend": "telethon", "api_id": 1})
    with pytest.raises(LoginRequired, match="polmon telegram login"):
        TelegramCollector(conf.telegram_settings)


def test_each_post_carries_its_messages_as_telethons_json(collector: TelegramCollector) -> None:
    import json

    listed = records(collector)
    album, text = listed["504"], listed["510"]
    assert album.capture is not None and text.capture is not None
    assert album.capture.kind == "telethon" and album.capture.url == "https://t.me/durov/504"
    members = json.loads(album.capture.content)
    assert [m["_"] for m in members] == ["Message"] * 3
    assert sorted(m["id"] for m in members) == [504, 505, 506]
    (message,) = json.loads(text.capture.content)
    assert message["id"] == 510 and message["message"] == "Bold news and a link"
    assert album.capture.fetched_at.utcoffset() == timedelta(0)
