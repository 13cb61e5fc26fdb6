"""The alert channels: `build_channel` makes the configured one (imported only when used)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.alerts.channel import Channel
    from monitor.alerts.config import AlertChannelConfig
    from monitor.config import PolmonConfig


def build_channel(config: PolmonConfig, channel: AlertChannelConfig) -> Channel:
    """The channel `channel` describes, with its secret read (from its file or environment)."""
    if channel.kind == "webhook":
        from monitor.alerts.channels.webhook import WebhookChannel

        return WebhookChannel.from_config(config, channel)
    if channel.kind == "telegram":
        from monitor.alerts.channels.telegram import TelegramChannel

        return TelegramChannel.from_config(config, channel)
    from monitor.alerts.channels.email import EmailChannel

    return EmailChannel.from_config(config, channel)
