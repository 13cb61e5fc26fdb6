"""Comments through Telethon: a post's replies in its discussion group, as real
telethon.tl.types, mapped under their post; the limit per post, flood waits, no discussion."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from telethon import errors

from collectors.errors import CollectorError
from collectors.records import comment_post_id
from collectors.telegram.collector import TelegramCollector
from collectors.telegram.telethon_backend import TelethonBackend
from tests.support.config import make_config
from tests.support.hostile_texts import HOSTILE_TEXTS
from tests.support.telethon_comments import HOSTILE_NAME, THREAD_POST, CommentingClient
from tests.support.telethon_history import ACCOUNT, at

POST = str(THREAD_POST)


@pytest.fixture
def client() -> CommentingClient:
    return CommentingClient()


@pytest.fixture
def collector(client: CommentingClient, tmp_path: Path) -> Iterator[TelegramCollector]:
    async def no_wait(seconds: float) -> None:
        return None

    backend = TelethonBackend(lambda: client, flood_wait_cap_seconds=60, sleep=no_wait)
    settings = make_config(tmp_path, telegram={"api_id": 12345}).telegram_settings
    with TelegramCollector(settings, backend=backend) as collector:
        yield collector


def test_the_listing_says_how_many_comments_a_post_has(collector: TelegramCollector) -> None:
    listed = {r.platform_post_id: r for r in collector.list_posts(ACCOUNT, at(-100), 1000)}
    assert listed[POST].comments == 5
    assert collector.counts_comments


def test_a_thread_maps_under_its_post_newest_first(collector: TelegramCollector) -> None:
    thread = collector.fetch_comments(ACCOUNT, POST, 100)
    assert (thread.parent_post_id, thread.complete) == (POST, True)
    ids = [c.platform_post_id for c in thread.comments]
    assert ids == [comment_post_id(POST, n) for n in (70005, 70004, 70003, 70002, 70001)]
    by_number = {int(c.platform_post_id.rpartition("c")[2]): c for c in thread.comments}
    first = by_number[70001]
    assert (first.author_name, first.author_id) == ("Ann Lee", "user:9001")
    assert first.raw == {"author_username": "annlee"}
    assert first.parent_post_id == POST and first.text == "first! ставка на войну"
    assert first.url == f"https://t.me/durov/{POST}?comment=70001"
    assert first.published_at == at(41) and first.media == [] and first.views is None
    hostile = by_number[70002]
    assert hostile.author_name == f"{HOSTILE_NAME} \u202eevil"  # kept as written: escaped later
    assert hostile.text == HOSTILE_TEXTS[102]
    assert by_number[70003].reply_to_id == comment_post_id(POST, 70001)
    assert by_number[70002].reply_to_id is None  # an answer to the post itself
    assert by_number[70004].author_name == "Deleted Account"
    assert (by_number[70005].author_name, by_number[70005].author_id) == (
        "Pavel Durov",
        "channel:1006503122",
    )


def test_the_limit_per_post_is_honoured(
    collector: TelegramCollector, client: CommentingClient
) -> None:
    thread = collector.fetch_comments(ACCOUNT, POST, 2)
    assert [c.platform_post_id for c in thread.comments] == [
        comment_post_id(POST, 70005),
        comment_post_id(POST, 70004),
    ]
    assert not thread.complete and thread.oldest_id == 70004
    assert client.reply_reads == [{"post": THREAD_POST, "limit": 2, "offset_id": 0}]


def test_a_flood_wait_resumes_after_the_last_comment_read(
    collector: TelegramCollector, client: CommentingClient
) -> None:
    client.flood_in_thread[70003] = 5
    thread = collector.fetch_comments(ACCOUNT, POST, 100)
    assert len(thread.comments) == 5 and thread.complete
    assert [r["offset_id"] for r in client.reply_reads] == [0, 70004]
    assert client.reply_reads[1]["limit"] == 98


def test_a_post_without_discussion_has_an_empty_complete_thread(
    collector: TelegramCollector,
) -> None:
    thread = collector.fetch_comments(ACCOUNT, "510", 100)
    assert (thread.comments, thread.total, thread.complete) == ([], 0, True)


def test_a_thread_telegram_refuses_is_a_collector_error(
    collector: TelegramCollector, client: CommentingClient
) -> None:
    client.thread_errors[THREAD_POST] = errors.ChannelPrivateError(request=None)
    with pytest.raises(CollectorError) as caught:
        collector.fetch_comments(ACCOUNT, POST, 100)
    assert caught.value.expected
