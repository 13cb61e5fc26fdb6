"""Bundling: one message per rule and channel, the window, the size cap, stable ids, links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.alerts.bundle import bundles, web_link
from monitor.queries.alerts import DeliveryToSend

T0 = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)


def _row(n: int, **overrides: Any) -> DeliveryToSend:
    values: dict[str, Any] = {
        "id": n,
        "rule": "threats",
        "channel": "hook",
        "attempts": 0,
        "created_at": T0,
        "message_id": None,
        "event_key": f"hit:segment:{n}:abc",
        "kind": "keyword_hit",
        "occurred_at": T0,
        "detected_at": T0,
        "actor": "PM",
        "account": "pm",
        "platform": "youtube",
        "post_id": 7,
        "post_url": "https://www.youtube.com/watch?v=x",
        "post_text": None,
        "version_text": None,
        "payload": {
            "group": "threats",
            "term": "arrest",
            "source": "transcripts",
            "snippet": "we will arrest",
            "link": "https://www.youtube.com/watch?v=x&t=75",
            "seconds": 75.4,
        },
    }
    values.update(overrides)
    return DeliveryToSend(**values)


def _bundle(rows: list[DeliveryToSend], now: datetime, **kw: Any) -> Any:
    settings = {"base_url": "https://polmon.example.org/", "timezone": "Asia/Phnom_Penh"}
    settings |= {"max_items": 3, "bundle_seconds": 60.0, **kw}
    return bundles(rows, now=now, **settings)


def test_a_window_holds_a_bundle_until_it_closes_or_fills() -> None:
    rows = [_row(1), _row(2)]
    ready, held = _bundle(rows, T0 + timedelta(seconds=30))
    assert (ready, held) == ([], [1, 2])
    ready, held = _bundle(rows, T0 + timedelta(seconds=60))
    assert held == [] and [b.delivery_ids for b in ready] == [(1, 2)]
    full, held = _bundle([_row(n) for n in range(1, 6)], T0)
    assert [b.delivery_ids for b in full] == [(1, 2, 3)] and held == [4, 5]


def test_one_message_per_rule_and_channel_with_stable_ids_and_links() -> None:
    rows = [_row(1), _row(2, channel="bot"), _row(3, rule="other")]
    ready, _ = _bundle(rows, T0, bundle_seconds=0)
    assert sorted((b.message.rule, b.message.channel) for b in ready) == [
        ("other", "hook"),
        ("threats", "bot"),
        ("threats", "hook"),
    ]
    again, _ = _bundle(rows, T0 + timedelta(hours=1), bundle_seconds=0)
    assert [b.message.id for b in ready] == [b.message.id for b in again]
    item = ready[0].message.items[0]
    assert item.link == "https://www.youtube.com/watch?v=x&t=75"
    assert item.web_link == "https://polmon.example.org/posts/7?t=75"
    assert ready[0].message.timezone == "Asia/Phnom_Penh"


def test_a_message_sent_before_goes_again_whole_under_its_id() -> None:
    rows = [_row(n, message_id="msg_first") for n in range(1, 6)] + [_row(9)]
    ready, held = _bundle(rows, T0, bundle_seconds=0)
    assert held == []
    sent = [(b.message.id, b.delivery_ids) for b in ready]
    assert sent[0] == ("msg_first", (1, 2, 3, 4, 5))
    assert sent[1][1] == (9,) and sent[1][0] != "msg_first"


def test_web_links_only_with_a_base_url_and_a_post() -> None:
    assert web_link(None, 7, None) is None
    assert web_link("https://p.example", None, 3.0) is None
    assert web_link("https://p.example", 7, None) == "https://p.example/posts/7"
