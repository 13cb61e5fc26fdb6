"""The webhook channel against a real receiver that verifies signatures with `standardwebhooks`."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from monitor.alerts.channel import DeliveryError
from monitor.alerts.channels.webhook import WebhookChannel, body_bytes, secret_key, sign
from monitor.alerts.config import AlertChannelConfig
from monitor.config import ConfigError, PolmonConfig
from tests.support.alert_receivers import (
    HANG_UP,
    HOSTILE_POST,
    WEBHOOK_SECRET,
    WebhookReceiver,
    sample_item,
    sample_message,
    webhook_receiver,
)
from tests.support.config import make_config
from tests.support.hostile_texts import HOSTILE_TEXTS
from tests.support.smtp_server import closed_port


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    yield from webhook_receiver()


def channel_for(receiver: WebhookReceiver, secret: str = WEBHOOK_SECRET) -> WebhookChannel:
    return WebhookChannel("team-webhook", receiver.url, secret, timeout=5.0)


def test_a_message_arrives_signed_and_verifies_with_the_standardwebhooks_library(
    receiver: WebhookReceiver,
) -> None:
    message = sample_message(sample_item(), sample_item(event_id="evt_2", term="traitor"))
    channel_for(receiver).send(message)

    [got] = receiver.received
    assert got.verified
    assert got.headers["webhook-id"] == message.id
    assert got.headers["Content-Type"] == "application/json"
    data = got.payload["data"]
    assert (data["id"], data["rule"], data["channel"]) == ("msg_2f1c9a", "threats", "team-webhook")
    assert [item["event_id"] for item in data["items"]] == ["evt_1", "evt_2"]
    first = data["items"][0]
    assert first["link"] == "https://www.youtube.com/watch?v=abc123&t=75s"
    assert first["web_link"] == "https://polmon.example.org/posts/42"
    assert first["occurred_at"] == "2026-05-02T06:30:05Z"
    assert (first["term"], first["group"], first["source"]) == (
        "cut the legs",
        "threats",
        "transcripts",
    )
    assert (first["actor"], first["account"], first["platform"]) == (
        "Hun Manet",
        "hunmanet",
        "youtube",
    )
    assert got.payload["timestamp"] == "2026-05-02T06:31:00Z"


def test_a_tampered_body_or_another_secret_fails_verification(receiver: WebhookReceiver) -> None:
    message = sample_message()
    channel = channel_for(receiver)
    body = body_bytes(message)
    headers = channel.headers(message, body)
    assert receiver.verify(body, headers)["data"]["id"] == message.id
    tampered = body.replace(b"cut the legs", b"cut the lags")
    with pytest.raises(WebhookVerificationError):
        receiver.verify(tampered, headers)
    with pytest.raises(DeliveryError) as refused:
        channel_for(receiver, "whsec_" + base64.b64encode(b"another key").decode()).send(message)
    assert refused.value.permanent  # the receiver answers 401
    assert [r.verified for r in receiver.received] == [False]


def test_the_id_stays_and_the_body_is_the_same_for_every_retry(receiver: WebhookReceiver) -> None:
    receiver.answers = [(503, {})]
    message = sample_message()
    channel = channel_for(receiver)
    with pytest.raises(DeliveryError):
        channel.send(message)
    channel.send(message)
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == message.id
    assert first.body == second.body
    assert first.verified and second.verified


def test_a_term_said_in_a_video_links_to_its_second(receiver: WebhookReceiver) -> None:
    item = sample_item(link="https://www.youtube.com/watch?v=abc123", seconds=75.4)
    channel_for(receiver).send(sample_message(item))
    [got] = receiver.received
    assert got.payload["data"]["items"][0]["link"] == "https://www.youtube.com/watch?v=abc123&t=75s"


def test_times_and_sets_in_detail_are_encoded(receiver: WebhookReceiver) -> None:
    detail = {"edited_at": datetime(2026, 5, 2, 7, 0, tzinfo=UTC), "terms": ("a",)}
    channel_for(receiver).send(sample_message(sample_item(detail=detail)))
    [got] = receiver.received
    assert got.payload["data"]["items"][0]["detail"] == {
        "edited_at": "2026-05-02T07:00:00+00:00",
        "terms": ["a"],
    }


def test_a_raw_secret_is_used_as_its_bytes(tmp_path: Path) -> None:
    with WebhookReceiver(secret=b"plain shared secret") as receiver:
        channel_for(receiver, "plain shared secret").send(sample_message())
        assert [r.verified for r in receiver.received] == [True]
    assert secret_key("plain shared secret") == b"plain shared secret"
    assert secret_key(WEBHOOK_SECRET) == base64.b64decode(WEBHOOK_SECRET.removeprefix("whsec_"))


def test_the_signature_matches_the_spec_by_hand() -> None:
    """Standard Webhooks: v1,base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))."""
    import hashlib
    import hmac

    key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    body = b'{"test": 2432232314}'
    expected = hmac.new(key, b"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330." + body, hashlib.sha256)
    signature = sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert signature == "v1," + base64.b64encode(expected.digest()).decode()
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="  # the spec's example


@pytest.mark.parametrize("text", [HOSTILE_POST, *HOSTILE_TEXTS.values()])
def test_hostile_post_text_arrives_verbatim_inside_the_json(
    receiver: WebhookReceiver, text: str
) -> None:
    channel_for(receiver).send(sample_message(sample_item(snippet=text, actor=text)))
    [got] = receiver.received
    assert got.verified
    item = got.payload["data"]["items"][0]
    assert item["snippet"] == text and item["actor"] == text
    assert json.loads(got.body)["data"]["items"][0]["snippet"] == text


@pytest.mark.parametrize(
    ("status", "headers", "retry_after", "permanent"),
    [
        (500, {}, None, False),
        (503, {"Retry-After": "120"}, 120.0, False),
        (429, {"Retry-After": "7"}, 7.0, False),
        (408, {}, None, False),
        (404, {}, None, True),
        (410, {}, None, True),
        (400, {"Retry-After": "7"}, None, True),
    ],
)
def test_the_receivers_status_decides_retry_or_give_up(
    receiver: WebhookReceiver,
    status: int,
    headers: dict[str, str],
    retry_after: float | None,
    permanent: bool,
) -> None:
    receiver.answers = [(status, headers)]
    with pytest.raises(DeliveryError) as failed:
        channel_for(receiver).send(sample_message())
    assert failed.value.permanent is permanent
    assert failed.value.retry_after == retry_after
    assert str(status) in str(failed.value)


def test_retry_after_as_an_http_date_is_honoured(receiver: WebhookReceiver) -> None:
    receiver.answers = [(429, {"Retry-After": "Fri, 31 Dec 2100 23:59:59 GMT"})]
    with pytest.raises(DeliveryError) as failed:
        channel_for(receiver).send(sample_message())
    assert failed.value.retry_after is not None and failed.value.retry_after > 3600
    assert not failed.value.permanent


def test_connection_refused_is_retryable() -> None:
    with closed_port() as port:
        channel = WebhookChannel("down", f"http://127.0.0.1:{port}/hook", WEBHOOK_SECRET)
        with pytest.raises(DeliveryError) as failed:
            channel.send(sample_message())
    assert not failed.value.permanent and failed.value.retry_after is None


def test_a_receiver_that_hangs_up_without_answering_is_retried(receiver: WebhookReceiver) -> None:
    receiver.answers = [(HANG_UP, {})]
    channel = channel_for(receiver)
    with pytest.raises(DeliveryError) as failed:
        channel.send(sample_message())
    assert not failed.value.permanent
    channel.send(sample_message())
    assert [r.verified for r in receiver.received] == [True, True]


def test_a_url_that_is_not_http_is_permanent() -> None:
    channel = WebhookChannel("odd", "ftp://127.0.0.1/hook", WEBHOOK_SECRET)
    with pytest.raises(DeliveryError) as failed:
        channel.send(sample_message())
    assert failed.value.permanent


def _channel_config(tmp_path: Path, **channel: object) -> tuple[PolmonConfig, AlertChannelConfig]:
    config = make_config(
        tmp_path,
        body=(
            '[[alerts.channels]]\nname = "team-webhook"\nkind = "webhook"\n'
            + "".join(f"{key} = {json.dumps(value)}\n" for key, value in channel.items())
        ),
    )
    return config, config.alerts.channels[0]


def test_from_config_reads_the_secret_file_and_keeps_it_out_of_logs_and_errors(
    tmp_path: Path,
    receiver: WebhookReceiver,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("POLMON_ALERT_TEAM_WEBHOOK_SECRET", raising=False)
    (tmp_path / "hook.secret").write_text(WEBHOOK_SECRET + "\n", encoding="utf-8")
    config, channel_config = _channel_config(tmp_path, url=receiver.url, secret_file="hook.secret")
    caplog.set_level(logging.DEBUG)
    channel = WebhookChannel.from_config(config, channel_config)
    channel.send(sample_message())
    receiver.answers = [(500, {})]
    with pytest.raises(DeliveryError) as failed:
        channel.send(sample_message())
    assert [r.verified for r in receiver.received] == [True, True]
    secret_body = WEBHOOK_SECRET.removeprefix("whsec_")
    assert secret_body not in caplog.text and secret_body not in str(failed.value)


def test_from_config_takes_the_environment_variable_first(
    tmp_path: Path, receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLMON_ALERT_TEAM_WEBHOOK_SECRET", "from the environment")
    config, channel_config = _channel_config(tmp_path, url=receiver.url)
    receiver.secret = b"from the environment"
    WebhookChannel.from_config(config, channel_config).send(sample_message())
    assert [r.verified for r in receiver.received] == [True]


def test_from_config_without_a_secret_names_the_key_and_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POLMON_ALERT_TEAM_WEBHOOK_SECRET", raising=False)
    config, channel_config = _channel_config(tmp_path, url="http://127.0.0.1:9/hook")
    with pytest.raises(ConfigError) as missing:
        WebhookChannel.from_config(config, channel_config)
    assert "POLMON_ALERT_TEAM_WEBHOOK_SECRET" in str(missing.value)


def test_a_whsec_secret_that_is_not_base64_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLMON_ALERT_TEAM_WEBHOOK_SECRET", "whsec_not*base64!")
    config, channel_config = _channel_config(tmp_path, url="http://127.0.0.1:9/hook")
    with pytest.raises(ConfigError) as bad:
        WebhookChannel.from_config(config, channel_config)
    assert "base64" in str(bad.value) and "not*base64" not in str(bad.value)
