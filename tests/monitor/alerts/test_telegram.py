"""The Telegram channel against a stand-in Bot API (pytest-httpserver) checking sendMessage."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from monitor.alerts.channel import DeliveryError
from monitor.alerts.channels.telegram import MAX_MESSAGE_CHARS, TelegramChannel, message_html
from monitor.alerts.format import SNIPPET_CHARS
from monitor.digest.render import shorten
from tests.support.alert_receivers import (
    BOT_TOKEN,
    HOSTILE_POST,
    BotApiStandIn,
    bot_error,
    sample_item,
    sample_message,
)
from tests.support.config import make_config
from tests.support.hostile_texts import HOSTILE_TEXTS
from tests.support.smtp_server import closed_port


@pytest.fixture
def bot(httpserver: HTTPServer) -> BotApiStandIn:
    return BotApiStandIn(httpserver).install()


def channel_for(bot: BotApiStandIn) -> TelegramChannel:
    return TelegramChannel("team-bot", "-1001234567890", bot.token, api_base_url=bot.base_url)


def test_a_message_reaches_the_chat_short_and_linked(bot: BotApiStandIn) -> None:
    message = sample_message(sample_item(), timezone="Asia/Phnom_Penh")
    channel_for(bot).send(message)

    [sent] = bot.sent
    assert sent.body["chat_id"] == "-1001234567890"
    assert sent.body["parse_mode"] == "HTML"
    assert sent.body["disable_web_page_preview"] is True
    assert sent.visible.startswith("polmon · threats: 1 event")
    # 06:30:05 UTC in Phnom Penh (UTC+7)
    assert (
        "2026-05-02 13:30 +07 Hun Manet (@hunmanet, youtube) said “cut the legs” at 1:15 [threats]"
        in sent.visible
    )
    assert "“we will cut the legs of those who”" in sent.visible
    assert sent.hrefs == [
        "https://www.youtube.com/watch?v=abc123&t=75s",
        "https://polmon.example.org/posts/42",
    ]
    assert len(sent.visible) < 400


@pytest.mark.parametrize("hostile", [HOSTILE_POST, *HOSTILE_TEXTS.values()])
def test_hostile_post_text_arrives_escaped_and_reads_as_written(
    bot: BotApiStandIn, hostile: str
) -> None:
    item = sample_item(snippet=hostile, actor=hostile[:60], group="<b>group</b>")
    channel_for(bot).send(sample_message(item))

    [sent] = bot.sent  # the stand-in refuses a tag Telegram does not know, as Telegram does
    assert shorten(hostile, SNIPPET_CHARS) in sent.visible
    assert shorten(hostile[:60], 80) in sent.visible
    assert "[<b>group</b>]" in sent.visible
    assert "<script>" not in sent.body["text"] and "<img" not in sent.body["text"]
    assert "<b>group</b>" not in sent.body["text"]


def test_links_are_quoted_in_the_href_and_only_http_links_are_kept(bot: BotApiStandIn) -> None:
    odd = 'https://example.org/p?q="><script>alert(1)</script>&x=1'
    item = sample_item(link=odd, web_link="javascript:alert(1)", seconds=None)
    channel_for(bot).send(sample_message(item))
    [sent] = bot.sent
    assert sent.hrefs == [odd]
    assert "javascript" not in sent.body["text"]
    assert 'href="https://example.org/p?q=&quot;&gt;&lt;script&gt;' in sent.body["text"]


def test_a_long_bundle_is_cut_at_an_item_boundary(bot: BotApiStandIn) -> None:
    items = [
        sample_item(event_id=f"evt_{n}", snippet=f"item {n:02d} " + "ក្បត់ជាតិ " * 60)
        for n in range(40)
    ]
    message = sample_message(*items)
    channel_for(bot).send(message)
    [sent] = bot.sent
    assert len(sent.body["text"].encode("utf-16-le")) // 2 <= MAX_MESSAGE_CHARS
    shown = [n for n in range(40) if f"item {n:02d} " in sent.visible]
    assert shown == list(range(len(shown))) and 1 <= len(shown) < 40
    assert sent.visible.endswith(f"… and {40 - len(shown)} more")
    assert sent.body["text"].count("<a ") == 2 * len(shown)  # every kept item whole


def test_a_short_limit_still_sends_the_heading() -> None:
    text = message_html(sample_message(sample_item(), sample_item(event_id="evt_2")), limit=60)
    assert text == "<b>polmon · threats</b>: 2 events\n\n… and 2 more"


def test_bot_429_with_retry_after_is_retried_later(
    bot: BotApiStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Earlier tests may have run polmon's logging setup, which quiets httpx: hear it here.
    caplog.set_level(logging.DEBUG, logger="httpx")
    bot.answers = [bot_error(429, "Too Many Requests: retry after 17", 17)]
    channel = channel_for(bot)
    with pytest.raises(DeliveryError) as failed:
        channel.send(sample_message())
    assert failed.value.retry_after == 17.0 and not failed.value.permanent
    channel.send(sample_message())
    assert len(bot.sent) == 1
    # what polmon's side logs (the stand-in server's own access log is the receiver's)
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug"))
    assert BOT_TOKEN not in ours and BOT_TOKEN not in str(failed.value)
    assert "/bot***/sendMessage" in ours  # httpx's request line, redacted


@pytest.mark.parametrize(
    ("code", "permanent"), [(500, False), (502, False), (400, True), (403, True), (401, True)]
)
def test_bot_errors_decide_retry_or_give_up(bot: BotApiStandIn, code: int, permanent: bool) -> None:
    bot.answers = [bot_error(code, "whatever the server says")]
    with pytest.raises(DeliveryError) as failed:
        channel_for(bot).send(sample_message())
    assert failed.value.permanent is permanent
    assert failed.value.retry_after is None
    assert str(code) in str(failed.value) and BOT_TOKEN not in str(failed.value)


def test_an_answer_that_is_not_json_is_judged_by_its_status(httpserver: HTTPServer) -> None:
    httpserver.expect_request(f"/bot{BOT_TOKEN}/sendMessage").respond_with_data(
        "<html>bad gateway</html>", status=502, headers={"Retry-After": "9"}
    )
    channel = TelegramChannel("b", "1", BOT_TOKEN, api_base_url=httpserver.url_for("/"))
    with pytest.raises(DeliveryError) as failed:
        channel.send(sample_message())
    assert failed.value.retry_after == 9.0 and not failed.value.permanent


def test_connection_refused_is_retryable_and_hides_the_token() -> None:
    with closed_port() as port:
        channel = TelegramChannel("b", "1", BOT_TOKEN, api_base_url=f"http://127.0.0.1:{port}")
        with pytest.raises(DeliveryError) as failed:
            channel.send(sample_message())
    assert not failed.value.permanent
    assert BOT_TOKEN not in str(failed.value) and failed.value.__cause__ is None


def test_from_config_reads_the_token_file(
    tmp_path: Path, bot: BotApiStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POLMON_ALERT_TEAM_BOT_SECRET", raising=False)
    (tmp_path / "bot.token").write_text(BOT_TOKEN + "\n", encoding="utf-8")
    body = (
        '[[alerts.channels]]\nname = "team-bot"\nkind = "telegram"\nchat_id = "-100777"\n'
        f'token_file = "bot.token"\napi_base_url = {json.dumps(bot.base_url)}\n'
        "timeout_seconds = 5\n"
    )
    config = make_config(tmp_path, body=body)
    channel = TelegramChannel.from_config(config, config.alerts.channels[0])
    channel.send(sample_message())
    assert [sent.body["chat_id"] for sent in bot.sent] == ["-100777"]
