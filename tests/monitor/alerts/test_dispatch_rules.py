"""Rule filters (kinds, actors, groups, sources) and what counts as fresh enough to alert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.alerts.config import AlertRuleConfig, AlertsConfig
from monitor.alerts.rules import fan_out, is_fresh, rule_matches
from monitor.queries.alerts import OutboxEvent

NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)


def _event(kind: str = "keyword_hit", **overrides: Any) -> OutboxEvent:
    values: dict[str, Any] = {
        "id": 1,
        "kind": kind,
        "occurred_at": NOW,
        "detected_at": NOW,
        "actor": "PM",
        "payload": {"group": "threats", "source": "transcripts"},
    }
    values.update(overrides)
    return OutboxEvent(**values)


def _rule(**overrides: Any) -> AlertRuleConfig:
    return AlertRuleConfig.model_validate(
        {"name": "r", "on": ["keyword_hit"], "channels": ["c"]} | overrides
    )


def test_a_rule_filters_on_kind_actor_group_and_source() -> None:
    assert rule_matches(_rule(), _event())
    assert not rule_matches(_rule(), _event("deleted"))
    assert rule_matches(_rule(on=["deleted"], groups=["other"]), _event("deleted"))
    assert not rule_matches(_rule(actors=["Someone else"]), _event())
    assert rule_matches(_rule(actors=["PM"]), _event())
    assert not rule_matches(_rule(groups=["land"]), _event())
    assert not rule_matches(_rule(sources=["posts"]), _event())


def test_old_events_and_backfilled_posts_do_not_fan_out() -> None:
    config = AlertsConfig.model_validate(
        {
            "channels": [{"name": "c", "kind": "webhook", "url": "https://h.example/x"}],
            "rules": [{"name": "r", "on": ["keyword_hit", "new_post"], "channels": ["c"]}],
            "give_up_hours": 24,
        }
    )
    old = NOW - timedelta(hours=25)
    assert is_fresh(_event(), config, NOW)
    assert not is_fresh(_event(detected_at=old), config, NOW)
    assert not is_fresh(_event("new_post", id=2, occurred_at=old), config, NOW)
    events = [_event(), _event("new_post", id=2, occurred_at=old), _event("deleted", id=3)]
    assert fan_out(config, events, NOW) == [(1, "r", "c")]
