"""The dispatcher: fan outbox events out to rules and channels, send bundles, retry, give up."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from collectors.errors import PolmonError
from monitor.alerts.bundle import Bundle, bundles
from monitor.alerts.channel import Channel, DeliveryError
from monitor.alerts.channels import build_channel
from monitor.alerts.rules import fan_out
from monitor.config import PolmonConfig
from monitor.queries.alerts import deliveries_to_send, events_to_fan_out
from storage.alerts import (
    add_deliveries,
    claim_deliveries,
    mark_attempt_failed,
    mark_delivered,
    release_deliveries,
    set_message_id,
)
from storage.engine import transaction
from storage.queue import worker_id
from storage.types import utcnow

log = logging.getLogger(__name__)
FAN_OUT_BATCH = 5000


@dataclass
class DispatchReport:
    """What one dispatch pass did."""

    deliveries_added: int = 0
    messages_sent: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0  # waiting for their bundle window to close
    errors: list[str] = field(default_factory=list)


def fan_out_events(engine: Engine, config: PolmonConfig, now: datetime) -> int:
    """Turn every event not fanned out yet into deliveries; the number of deliveries added."""
    added = 0
    while True:
        with transaction(engine) as session:
            events = events_to_fan_out(session, FAN_OUT_BATCH)
            if not events:
                return added
            deliveries = fan_out(config.alerts, events, now)
            add_deliveries(session, deliveries, [event.id for event in events], now)
            added += len(deliveries)
        if len(events) < FAN_OUT_BATCH:
            return added


def dispatch_once(
    engine: Engine,
    config: PolmonConfig,
    *,
    channels: Mapping[str, Channel] | None = None,
    now: datetime | None = None,
    owner: str | None = None,
) -> DispatchReport:
    """One pass: fan out new events, then send every due delivery, bundled per rule and
    channel. `channels` overrides the configured ones by name (tests, `alerts test`)."""
    report = DispatchReport()
    settings = config.alerts
    if not settings.enabled or not settings.rules:
        return report  # events wait in the outbox; see docs/alerts.md
    now = now or utcnow()
    owner = owner or worker_id("alerts")
    report.deliveries_added = fan_out_events(engine, config, now)
    ids = claim_deliveries(engine, owner, settings.dispatch_lease_seconds, now=now)
    if not ids:
        return report
    with transaction(engine) as session:
        rows = deliveries_to_send(session, ids)
    ready, held = bundles(
        rows,
        base_url=config.web.base_url,
        timezone=config.schedule.timezone,
        max_items=settings.max_items_per_message,
        bundle_seconds=settings.bundle_seconds,
        now=now,
    )
    release_deliveries(engine, held, owner)
    report.held = len(held)
    sender = _Senders(config, channels or {})
    for bundle in ready:
        _send(engine, config, sender, bundle, owner, now, report)
    return report


class _Senders:
    """Channels built once per pass, on first use; a channel that cannot be built fails alone."""

    def __init__(self, config: PolmonConfig, given: Mapping[str, Channel]) -> None:
        self.config = config
        self.built: dict[str, Channel] = dict(given)
        self.configured = {channel.name: channel for channel in config.alerts.channels}

    def get(self, name: str) -> Channel:
        if name not in self.built:
            channel = self.configured.get(name)
            if channel is None:
                raise DeliveryError(f"no [[alerts.channels]] named {name!r}", permanent=True)
            self.built[name] = build_channel(self.config, channel)
        return self.built[name]


def _send(
    engine: Engine,
    config: PolmonConfig,
    senders: _Senders,
    bundle: Bundle,
    owner: str,
    now: datetime,
    report: DispatchReport,
) -> None:
    ids = bundle.delivery_ids
    message = bundle.message
    try:
        channel = senders.get(message.channel)
        # Recorded first: a crash after the send resends with the same id (receivers dedupe).
        set_message_id(engine, ids, owner, message.id)
        channel.send(message)
    except DeliveryError as exc:
        _failed(engine, config, bundle, owner, now, report, exc, exc.retry_after, exc.permanent)
    except PolmonError as exc:  # the channel's configuration (a missing secret file…)
        _failed(engine, config, bundle, owner, now, report, exc, None, False)
    except Exception as exc:  # one broken channel never stops the others
        log.exception("alert channel %s failed", message.channel)
        _failed(engine, config, bundle, owner, now, report, exc, None, False)
    else:
        mark_delivered(engine, ids, owner)
        report.messages_sent += 1
        report.delivered += len(ids)


def _failed(
    engine: Engine,
    config: PolmonConfig,
    bundle: Bundle,
    owner: str,
    now: datetime,
    report: DispatchReport,
    error: Exception,
    retry_after: float | None,
    permanent: bool,
) -> None:
    settings = config.alerts
    deadline = bundle.oldest + timedelta(hours=settings.give_up_hours)
    text = f"{type(error).__name__}: {error}"
    retry_at: datetime | None = None
    if not permanent and now < deadline:
        delay = retry_after
        if delay is None:
            delay = min(
                settings.retry_backoff_seconds * 2 ** min(bundle.attempts, 30),
                settings.max_backoff_seconds,
            )
        retry_at = min(now + timedelta(seconds=delay), deadline)
    mark_attempt_failed(engine, bundle.delivery_ids, owner, text, retry_at=retry_at)
    channel = bundle.message.channel
    if retry_at is None:
        report.failed += len(bundle.delivery_ids)
        log.error("alert to %s given up: %s", channel, text)
    else:
        report.retrying += len(bundle.delivery_ids)
        log.warning("alert to %s failed, retrying at %s: %s", channel, retry_at, text)
    report.errors.append(f"{channel}: {text}")
