"""`[alerts]`: where alerts go (`[[alerts.channels]]`) and what raises them (`[[alerts.rules]]`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from monitor.config_sections import NonNegativeFloat, PositiveFloat, PositiveInt, Section

ChannelKind = Literal["webhook", "telegram", "email"]
EventKind = Literal["keyword_hit", "new_post", "edited", "deleted", "account_event", "growth_jump"]
HitSource = Literal["posts", "transcripts"]
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")]


def _all_sources() -> list[HitSource]:
    return ["posts", "transcripts"]


class AlertChannelConfig(Section):
    """One destination. Its secret comes from a file named here or the environment variable
    POLMON_ALERT_<NAME>_SECRET (webhook signing secret, or the bot token for `telegram`)."""

    name: Name
    kind: ChannelKind
    url: str | None = None  # webhook: the receiver's URL
    secret_file: Path | None = None  # webhook: Standard Webhooks secret ("whsec_…" or raw)
    chat_id: str | None = None  # telegram: the chat the bot posts to
    token_file: Path | None = None  # telegram: the bot token
    api_base_url: str = "https://api.telegram.org"  # telegram: or a self-hosted Bot API server
    recipients: list[str] = Field(default_factory=list)  # email: addresses ([smtp] sends)
    timeout_seconds: PositiveFloat = 15.0

    @model_validator(mode="after")
    def _complete(self) -> AlertChannelConfig:
        needed = {"webhook": ("url",), "telegram": ("chat_id",), "email": ("recipients",)}
        for key in needed[self.kind]:
            if not getattr(self, key):
                raise ValueError(f"a {self.kind} channel needs `{key}`")
        return self

    @property
    def secret_env(self) -> str:
        """The environment variable that may hold this channel's secret or token."""
        return (
            "POLMON_ALERT_"
            + "".join(c if c.isalnum() else "_" for c in self.name).upper()
            + "_SECRET"
        )

    def key(self, field: str) -> str:
        """How errors name one of this channel's keys: `alerts.channels[team-bot].token_file`."""
        return f"alerts.channels[{self.name}].{field}"


class AlertRuleConfig(Section):
    """Which events alert which channels."""

    name: Name
    on: Annotated[list[EventKind], Field(min_length=1)]
    groups: list[str] = Field(default_factory=list)  # keyword_hit: these groups; empty = all
    actors: list[str] = Field(default_factory=list)  # empty = every actor
    # keyword_hit: where the term was found
    sources: list[HitSource] = Field(default_factory=_all_sources)
    # keyword_hit: only hits heard at least this sure (hits without a confidence, exact text,
    # always pass), and whether approximate (fuzzy) hits alert too
    min_confidence: Annotated[float, Field(ge=0, le=1)] | None = None
    include_approximate: bool = True
    channels: Annotated[list[str], Field(min_length=1)]


class AlertsConfig(Section):
    enabled: bool = True
    channels: list[AlertChannelConfig] = Field(default_factory=list)
    rules: list[AlertRuleConfig] = Field(default_factory=list)
    # Events of one rule and channel within this window go out as one message (a long speech
    # with 40 hits is one alert, not 40).
    bundle_seconds: NonNegativeFloat = 60.0
    max_items_per_message: PositiveInt = 20
    retry_backoff_seconds: PositiveFloat = 30.0  # doubles after each failed attempt
    max_backoff_seconds: PositiveFloat = 3600.0
    give_up_hours: PositiveFloat = 24.0  # then the delivery is recorded as failed
    # `polmon run` dispatches continuously, at least this often.
    dispatch_interval_seconds: PositiveFloat = 30.0
    # Deliveries a dispatcher leased and never settled (it was killed mid-send) are sent
    # again after this (receivers dedupe on the message id).
    dispatch_lease_seconds: PositiveFloat = 300.0
    # `polmon worker` sends the alerts of the hits it finds at once (false: the daemon's next
    # pass does; for worker machines that cannot reach the channels or read their secrets).
    worker_dispatch: bool = True

    @model_validator(mode="after")
    def _rules_name_channels(self) -> AlertsConfig:
        names = [channel.name for channel in self.channels]
        if len(set(names)) != len(names):
            raise ValueError("alert channel names must be unique")
        for rule in self.rules:
            unknown = sorted(set(rule.channels) - set(names))
            if unknown:
                raise ValueError(
                    f"rule {rule.name!r} names unknown channel(s): {', '.join(unknown)}"
                )
        return self
