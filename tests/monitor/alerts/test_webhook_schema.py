"""docs/alerts-webhook.schema.json describes what a receiver really gets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
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

SCHEMA_PATH = Path(__file__).parents[3] / "docs" / "alerts-webhook.schema.json"
GROWTH_JUMP = {  # as storage/audience_jumps.py writes it
    "metric": "followers",
    "direction": "jump",
    "from": 10_400,
    "to": 12_480,
    "change": 2_080,
    "percent": 20.0,
    "approximate": False,
    "period": {"from": "2026-05-01T15:00:00+00:00", "to": "2026-05-02T09:00:00+00:00"},
}


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    yield from webhook_receiver()


def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def received_payload(receiver: WebhookReceiver, *items: Any) -> dict[str, Any]:
    WebhookChannel("team-webhook", receiver.url, WEBHOOK_SECRET).send(sample_message(*items))
    [got] = receiver.received
    assert got.verified
    payload: dict[str, Any] = got.payload
    return payload


def test_a_real_payload_of_every_kind_matches_the_schema(receiver: WebhookReceiver) -> None:
    items = [
        sample_item(),
        sample_item(
            event_id="e2", kind="new_post", term=None, group=None, source=None, seconds=None
        ),
        sample_item(event_id="e3", kind="deleted", snippet=HOSTILE_POST, web_link=None),
        sample_item(event_id="e4", kind="account_event", actor=None, detail={"summary": "renamed"}),
        sample_item(event_id="e5", kind="growth_jump", detail=GROWTH_JUMP),
        sample_item(event_id="e6", kind="edited", link=None, snippet=None),
        sample_item(event_id="e7", kind="test", actor=None, term=None, group=None, source=None),
    ]
    payload = received_payload(receiver, *items)
    errors = [error.message for error in validator().iter_errors(payload)]
    assert errors == []
    assert len(payload["data"]["items"]) == 7
    # `format: date-time` is only annotated without rfc3339-validator: check the times here
    times = [payload["timestamp"]] + [
        item[key] for item in payload["data"]["items"] for key in ("occurred_at", "detected_at")
    ]
    for value in times:
        assert value.endswith("Z") and datetime.fromisoformat(value).utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda p: p["data"]["items"][0].pop("event_id"),
        lambda p: p["data"]["items"][0].update(kind="rumour"),
        lambda p: p["data"]["items"][0].update(seconds=-1),
        lambda p: p["data"].update(items=[]),
        lambda p: p.update(surprise=1),
        lambda p: p["data"]["items"][0].update(kind="growth_jump", detail={"from": 1}),
    ],
)
def test_the_schema_refuses_a_payload_that_breaks_it(receiver: WebhookReceiver, spoil: Any) -> None:
    payload = received_payload(receiver, sample_item())
    spoil(payload)
    assert list(validator().iter_errors(payload))
