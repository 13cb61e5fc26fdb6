"""Webhook channel: the alert as JSON, POSTed and signed as the Standard Webhooks spec says."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from monitor.alerts.channels.http import post
from monitor.alerts.channels.secret import channel_secret
from monitor.alerts.format import post_link
from monitor.alerts.message import AlertItem, AlertMessage
from monitor.config import DEFAULT_CONFIG_NAME, ConfigError
from monitor.output import json_default
from storage.redaction import register_secret

if TYPE_CHECKING:
    from monitor.alerts.config import AlertChannelConfig
    from monitor.config import PolmonConfig

SECRET_PREFIX = "whsec_"
PAYLOAD_TYPE = "polmon.alert"
PAYLOAD_VERSION = 1


def secret_key(secret: str) -> bytes:
    """The HMAC key: a `whsec_<base64>` secret decoded, any other secret's UTF-8 bytes."""
    if secret.startswith(SECRET_PREFIX):
        encoded = secret[len(SECRET_PREFIX) :]
        try:
            key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except binascii.Error:
            raise ValueError("a whsec_ secret must be base64 after the prefix") from None
    else:
        key = secret.encode("utf-8")
    if not key:
        raise ValueError("the webhook secret is empty")
    return key


def sign(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`."""
    signed = msg_id.encode() + b"." + str(timestamp).encode() + b"." + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z` (a naive time is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def item_payload(item: AlertItem) -> dict[str, Any]:
    return {
        "event_id": item.event_id,
        "kind": item.kind,
        "occurred_at": iso_utc(item.occurred_at),
        "detected_at": iso_utc(item.detected_at),
        "actor": item.actor,
        "account": item.account,
        "platform": item.platform,
        "link": post_link(item),
        "web_link": item.web_link,
        "snippet": item.snippet,
        "term": item.term,
        "group": item.group,
        "source": item.source,
        "seconds": item.seconds,
        "source_kind": item.source_kind,
        "confidence": item.confidence,
        "approximate": item.approximate,
        "detail": item.detail,
    }


def payload(message: AlertMessage) -> dict[str, Any]:
    """The JSON body (docs/alerts-webhook.schema.json); the same for every retry of a message."""
    newest = max((item.detected_at for item in message.items), default=None)
    return {
        "type": PAYLOAD_TYPE,
        "version": PAYLOAD_VERSION,
        "timestamp": iso_utc(newest) if newest else None,
        "data": {
            "id": message.id,
            "rule": message.rule,
            "channel": message.channel,
            "items": [item_payload(item) for item in message.items],
        },
    }


def body_bytes(message: AlertMessage) -> bytes:
    """UTF-8 JSON; times and sets inside `detail` encoded as polmon's JSON output does."""
    encoded = json.dumps(
        payload(message), default=json_default, ensure_ascii=False, separators=(",", ":")
    )
    return encoded.encode("utf-8")


class WebhookChannel:
    """POSTs each message to `url`; the receiver verifies `webhook-signature` with the secret."""

    def __init__(
        self,
        name: str,
        url: str,
        secret: str,
        *,
        timeout: float = 15.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self.url = url
        register_secret(secret)
        self._key = secret_key(secret)
        self.timeout = timeout
        self._clock = clock

    @classmethod
    def from_config(cls, config: PolmonConfig, channel: AlertChannelConfig) -> WebhookChannel:
        secret = channel_secret(config, channel, "secret_file")
        try:
            return cls(channel.name, channel.url or "", secret, timeout=channel.timeout_seconds)
        except ValueError as exc:
            source = config.source or DEFAULT_CONFIG_NAME
            raise ConfigError(source, channel.key("secret_file"), str(exc)) from None

    def headers(self, message: AlertMessage, body: bytes) -> dict[str, str]:
        timestamp = int(self._clock())
        return {
            "Content-Type": "application/json",
            "webhook-id": message.id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(self._key, message.id, timestamp, body),
        }

    def send(self, message: AlertMessage) -> None:
        body = body_bytes(message)
        post(
            self.url,
            content=body,
            headers=self.headers(message, body),
            timeout=self.timeout,
            label=f"webhook {self.name}",
        )
