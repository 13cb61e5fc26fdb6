"""The `[video]` config section (yt-dlp platforms and media downloads), resolved for collectors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from collectors.settings import (
    CollectorSection,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    SettingsContext,
)


class VideoConfig(CollectorSection):
    proxy: str | None = None
    cookies_file: Path | None = None  # Netscape format, for content behind a login wall
    impersonate: str | None = None  # e.g. "chrome"; needs curl_cffi
    sleep_seconds: NonNegativeFloat = 1.0
    retries: NonNegativeInt = 3
    timeout_seconds: PositiveFloat = 30.0
    backfill_days: PositiveInt = 90
    max_posts_per_account: PositiveInt = 500
    max_duration_seconds: PositiveInt = 3600
    max_filesize_mb: PositiveInt = 500
    keep_video: bool = False  # False: keep only the audio track when that saves space
    concurrency: PositiveInt = 2
    max_attempts: PositiveInt = 4
    retry_backoff_seconds: PositiveFloat = 60.0  # first retry delay; doubles per attempt
    lease_seconds: PositiveInt = 900  # a download's lease, renewed every third while it runs
    youtube_tabs: Annotated[list[Literal["videos", "shorts", "streams"]], Field(min_length=1)] = [
        "videos",
        "shorts",
    ]
    # Sites the collectors read profile pages from (a mirror or a test server can stand in).
    tiktok_base_url: str = "https://www.tiktok.com"
    verify_certificates: bool = True  # false only behind a TLS-inspecting proxy you trust
    facebook_base_url: str = "https://www.facebook.com"

    def resolved(self, context: SettingsContext) -> VideoSettings:
        """The settings with the cookies file made absolute against the config's folder."""
        cookies = None if self.cookies_file is None else context.resolve(self.cookies_file)
        return VideoSettings(self, cookies)


@dataclass(frozen=True)
class VideoSettings:
    """What yt-dlp collectors and helpers are given: the section and the cookies' path."""

    section: VideoConfig
    cookies_path: Path | None = None
