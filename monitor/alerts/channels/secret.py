"""A channel's secret (webhook signing secret, bot token): its environment variable or file."""

from __future__ import annotations

from typing import Literal

from monitor.alerts.config import AlertChannelConfig
from monitor.config import PolmonConfig


def channel_secret(
    config: PolmonConfig,
    channel: AlertChannelConfig,
    field: Literal["secret_file", "token_file"],
) -> str:
    """From POLMON_ALERT_<NAME>_SECRET, else the file named in `field` (relative to the config);
    registered for redaction; a ConfigError naming both when neither gives one."""
    file = getattr(channel, field)
    path = config.resolve(file) if file is not None else None
    return config.secret(channel.key(field), channel.secret_env, path, required=True) or ""
