"""Telegram's `[telegram]` config section and the settings the collector gets once resolved."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import model_validator

from collectors.settings import (
    USER_AGENT,
    CollectorSection,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    SettingsContext,
    SettingsKeyError,
)

API_HASH_ENV = "POLMON_TELEGRAM_API_HASH"


class TelegramConfig(CollectorSection):
    backend: Literal["auto", "web", "telethon"] = "auto"
    base_url: str = "https://t.me"
    user_agent: str = USER_AGENT
    requests_per_second: PositiveFloat = 1.0
    timeout_seconds: PositiveFloat = 30.0
    max_retries: NonNegativeInt = 4
    backoff_seconds: PositiveFloat = 2.0
    max_backoff_seconds: PositiveFloat = 120.0
    api_id: int | None = None
    api_hash_file: Path | None = None  # else env POLMON_TELEGRAM_API_HASH
    session_file: Path | None = None  # default: <data_dir>/telegram.session
    flood_wait_cap_seconds: NonNegativeFloat = 300.0
    # Comments (replies in a channel's linked discussion group), for every Telegram account
    # unless the account says otherwise (`[[actors.accounts]] comments`, `comments_max`).
    comments: bool = False
    comments_max: PositiveInt = 100  # the newest this many comments of a post are read

    @model_validator(mode="after")
    def _telethon_needs_api_id(self) -> TelegramConfig:
        if self.backend == "telethon" and self.api_id is None:
            raise SettingsKeyError("telegram.api_id", "required when backend = 'telethon'")
        return self

    def session_path(self, context: SettingsContext) -> Path:
        """Where the Telethon session lives (before `.session` is added)."""
        return context.resolve(self.session_file or context.data_dir / "telegram")

    def api_hash(self, context: SettingsContext, *, required: bool = False) -> str | None:
        file = None if self.api_hash_file is None else context.resolve(self.api_hash_file)
        return context.secret("telegram.api_hash_file", API_HASH_ENV, file, required=required)

    def resolved(self, context: SettingsContext) -> TelegramSettings:
        """The settings with the session path and the api hash read (required for telethon)."""
        required = self.backend == "telethon"
        return TelegramSettings(
            self, self.session_path(context), self.api_hash(context, required=required)
        )


@dataclass(frozen=True)
class TelegramSettings:
    """What the Telegram collector is given: its section, the session path, the api hash."""

    section: TelegramConfig
    session_path: Path
    api_hash: str | None = None
