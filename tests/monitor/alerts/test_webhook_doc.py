"""The verification code that docs/alerts.md gives receivers works on a real signed request."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.alerts.channels.webhook import WebhookChannel
from tests.support.alert_receivers import (
    HOSTILE_POST,
    WEBHOOK_SECRET,
    WebhookReceiver,
    sample_item,
    sample_message,
    webhook_receiver,
)

DOC = Path(__file__).parents[3] / "docs" / "alerts.md"


def documented(heading: str, name: str) -> Callable[..., Any]:
    """The function `name` defined by the first python block under `heading` in the doc."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, f"docs/alerts.md: no python block under {heading!r}"
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), str(DOC), "exec"), namespace)
    function: Callable[..., Any] = namespace[name]
    return function


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    yield from webhook_receiver()


@pytest.mark.parametrize("secret", [WEBHOOK_SECRET, "a plain shared secret"])
def test_the_documented_verify_accepts_polmons_request_and_refuses_a_tampered_one(
    receiver: WebhookReceiver, secret: str
) -> None:
    receiver.secret = secret if secret.startswith("whsec_") else secret.encode()
    message = sample_message(sample_item(snippet=HOSTILE_POST))
    WebhookChannel("team-webhook", receiver.url, secret).send(message)
    [got] = receiver.received
    verify = documented("### Verifying by hand", "verify")
    payload = verify(secret, got.headers, got.body)
    assert payload["data"]["items"][0]["snippet"] == HOSTILE_POST
    with pytest.raises(ValueError, match="no matching signature"):
        verify(secret, got.headers, got.body.replace(b"alert(1)", b"alert(9)"))
    with pytest.raises(ValueError, match="no matching signature"):
        verify("whsec_" + "QUJD" * 8, got.headers, got.body)
    old = {**got.headers, "webhook-timestamp": str(int(got.headers["webhook-timestamp"]) - 3600)}
    with pytest.raises(ValueError, match="too far"):
        verify(secret, old, got.body)


def test_the_documented_standardwebhooks_receiver_accepts_polmons_request(
    receiver: WebhookReceiver,
) -> None:
    receive = documented("### Verifying with the standardwebhooks library", "receive")
    WebhookChannel("team-webhook", receiver.url, WEBHOOK_SECRET).send(sample_message())
    [got] = receiver.received
    assert receive(got.body, got.headers)["data"]["id"] == "msg_2f1c9a"
    with pytest.raises(PermissionError):
        receive(got.body.replace(b"threats", b"threads"), got.headers)
