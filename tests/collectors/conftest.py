"""Fixtures for collector tests: a t.me stand-in on 127.0.0.1 and a config pointing at it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from monitor.config import PolmonConfig, parse_config
from tests.telegram_site import SiteChannel, SitePost, TelegramSite

NOW = datetime.now(UTC).replace(microsecond=0)


def fast_telegram(base_url: str, **overrides: Any) -> dict[str, Any]:
    """[telegram] settings for tests: the local site, no politeness delays, tiny backoff."""
    return {
        "backend": "web",
        "base_url": base_url,
        "requests_per_second": 1000.0,
        "timeout_seconds": 5.0,
        "max_retries": 2,
        "backoff_seconds": 0.01,
        "max_backoff_seconds": 2.0,
        **overrides,
    }


def telegram_config(tmp_path: Path, base_url: str, **overrides: Any) -> PolmonConfig:
    data = {
        "paths": {"data_dir": str(tmp_path / "data")},
        "telegram": fast_telegram(base_url, **overrides),
    }
    return parse_config(data, tmp_path / "polmon.toml")


def channel_with_posts(
    username: str, count: int, *, first_id: int = 1, hours_apart: float = 1.0, **fields: Any
) -> SiteChannel:
    """A public channel with `count` text posts, the newest one hour ago."""
    channel = SiteChannel(
        username, f"{username} title", 1_000_000 + len(username), 123_456, **fields
    )
    for offset in range(count):
        post_id = first_id + offset
        date = NOW - timedelta(hours=1 + hours_apart * (count - 1 - offset))
        channel.add(
            SitePost(post_id, date, text=f"post {post_id} of @{username}", views=100 * post_id)
        )
    return channel


@pytest.fixture
def site(httpserver: HTTPServer) -> Iterator[TelegramSite]:
    telegram = TelegramSite()
    httpserver.expect_request(re.compile(".*")).respond_with_handler(telegram.handle)
    yield telegram
