"""Which rules an outbox event matches, and which events are fresh enough to alert at all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from monitor.alerts.config import AlertRuleConfig, AlertsConfig
from monitor.hit_confidence import passes
from monitor.queries.alerts import OutboxEvent


def rule_matches(rule: AlertRuleConfig, event: OutboxEvent) -> bool:
    """The rule fires on this event: its kind, actor and, for keyword hits, group, source and
    the rule's confidence threshold."""
    if event.kind not in rule.on:
        return False
    if rule.actors and event.actor not in rule.actors:
        return False
    if event.kind == "keyword_hit":
        if rule.groups and event.payload.get("group") not in rule.groups:
            return False
        if event.payload.get("source") not in rule.sources:
            return False
        return passes(
            event.payload.get("confidence"),
            bool(event.payload.get("approximate")),
            min_confidence=rule.min_confidence,
            include_approximate=rule.include_approximate,
        )
    return True


def is_fresh(event: OutboxEvent, config: AlertsConfig, now: datetime) -> bool:
    """Recent enough to alert: detected, and happened, within `give_up_hours`.

    A backfill of an account's old posts, or a rule added today, does not alert last year.
    """
    horizon = now - timedelta(hours=config.give_up_hours)
    return event.detected_at >= horizon and event.occurred_at >= horizon


def fan_out(
    config: AlertsConfig, events: Sequence[OutboxEvent], now: datetime
) -> list[tuple[int, str, str]]:
    """(event id, rule, channel) for each fresh event, matching rule and the rule's channels."""
    deliveries: list[tuple[int, str, str]] = []
    for event in events:
        if not is_fresh(event, config, now):
            continue
        for rule in config.rules:
            if rule_matches(rule, event):
                deliveries.extend((event.id, rule.name, channel) for channel in rule.channels)
    return deliveries
