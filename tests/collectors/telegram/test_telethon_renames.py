"""Renames with Telethon: the channel is found by its stored id whatever its username is now; a
username that now names another channel is reported, never read as this account's."""

from __future__ import annotations

import copy

import pytest
from telethon.tl import functions

from collectors.errors import AccountUnavailable, HandleReassigned
from collectors.records import AccountRef
from collectors.telegram.identity import current_channel_name, message_link
from collectors.telegram.mapping import map_channel
from collectors.telegram.telethon_backend import TelethonBackend
from collectors.telegram.web import parse_channel_page
from tests.conftest import REFERENCE, require
from tests.support.telethon_history import DUROV, FULL, MEDUZA, history
from tests.support.telethon_standin import StandInClient

KNOWN = AccountRef(platform="telegram", handle="durov", platform_id=str(DUROV.id))


def renamed_client() -> StandInClient:
    channel = copy.deepcopy(DUROV)
    channel.username = "durov_now"
    return StandInClient(channel, copy.deepcopy(FULL), history(), chats=[MEDUZA])


def resolved(client: StandInClient) -> list[str]:
    return [
        r.username
        for r in client.requests
        if isinstance(r, functions.contacts.ResolveUsernameRequest)
    ]


def test_a_renamed_channel_is_followed_by_its_id() -> None:
    client = renamed_client()
    backend = TelethonBackend(lambda: client)
    try:
        profile = backend.fetch_profile(KNOWN)
        assert (profile.platform_id, profile.handle) == (str(DUROV.id), "durov_now")
        assert profile.url == "https://t.me/durov_now"
        posts = list(backend.list_posts(KNOWN, history()[-1].date, 100))
        assert posts[0].url == "https://t.me/durov_now/510"
        assert resolved(client) == []  # the old username was never asked for
    finally:
        backend.close()


def test_without_the_id_in_the_session_the_username_is_checked_against_it() -> None:
    client = renamed_client()
    client.session_ids = set()  # a fresh session: no entity cached
    squatter = copy.deepcopy(MEDUZA)
    squatter.username = "durov"
    client.chats.append(squatter)
    client.channel = squatter  # the stand-in resolves its own channel's username
    backend = TelethonBackend(lambda: client)
    try:
        with pytest.raises(HandleReassigned) as caught:
            backend.fetch_profile(KNOWN)
        assert (caught.value.old_id, caught.value.new_id) == (str(DUROV.id), str(MEDUZA.id))
        assert caught.value.status == "unavailable"
        assert "now belongs to another channel" in str(caught.value)
    finally:
        backend.close()


def test_a_gone_username_without_the_id_in_the_session_is_unavailable() -> None:
    client = renamed_client()
    client.session_ids = set()
    backend = TelethonBackend(lambda: client)
    try:
        with pytest.raises(AccountUnavailable) as caught:
            backend.fetch_profile(KNOWN)
        assert not isinstance(caught.value, HandleReassigned)
        assert resolved(client) == ["durov"]
    finally:
        backend.close()


def test_the_last_seen_username_is_asked_for() -> None:
    followed = AccountRef(platform="telegram", handle="durov", cursor={"username": "durov_now"})
    assert current_channel_name(followed) == "durov_now"
    odd = AccountRef(platform="telegram", handle="durov", cursor={"username": "../x"})
    assert current_channel_name(odd) == "durov"
    assert current_channel_name(AccountRef(platform="telegram", handle="durov")) == "durov"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://t.me/nexta_live/116548", ("nexta_live", None, 116548)),
        ("https://t.me/c/1006503122/7?single", (None, "1006503122", 7)),
        ("https://t.me/s/durov/481", ("durov", None, 481)),
        ("https://cdn4.telesco.pe/file/abc.mp4", None),
        ("https://t.me/durov", None),
        ("javascript:alert(1)//t.me/durov/1", None),
        (None, None),
    ],
)
def test_message_links(
    url: str | None, expected: tuple[str | None, str | None, int] | None
) -> None:
    link = message_link(url)
    assert (None if link is None else (link.username, link.channel_id, link.message_id)) == expected


def test_both_backends_give_a_channel_the_same_id() -> None:
    """The web preview's id (its messages' `data-view` tokens) is the one Telethon reports, so
    an account collected by one backend is recognised by the other after a switch."""
    pages = REFERENCE / "telegram-web"
    require(pages.is_dir(), f"the recorded t.me pages ({pages})", "put shared/ beside the clone")
    page = parse_channel_page((pages / "durov.html").read_text(encoding="utf-8"))
    assert page.channel.platform_id == map_channel(DUROV, FULL).platform_id == "1006503122"
