"""Each platform declares its identity once, and everything else is derived from the registry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from collectors.identity import account_key, check_account, host_platform
from collectors.platform import InvalidAccount
from collectors.records import PLATFORMS
from collectors.registry import SPECS, collector_class, platform_spec, registered_platforms
from monitor.config import PolmonConfig, parse_config
from monitor.links import video_link_at
from monitor.listing import listing_window

_NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_platform_literal_is_the_registry_list() -> None:
    assert list(PLATFORMS) == list(registered_platforms())


@pytest.mark.parametrize("platform", registered_platforms())
def test_each_collector_class_declares_its_platform(platform: str) -> None:
    cls = collector_class(platform)
    assert cls.spec is platform_spec(platform)
    assert cls.platform == platform
    assert cls.settings_section == platform_spec(platform).settings_section


def test_config_sections_of_collectors_are_the_registry_ones() -> None:
    with_settings = {
        name
        for name, field in PolmonConfig.model_fields.items()
        if hasattr(field.annotation, "resolved")
    }
    assert with_settings == {spec.settings_section for spec in SPECS.values()}


@pytest.mark.parametrize("platform", registered_platforms())
def test_a_collector_gets_only_its_resolved_settings(platform: str, tmp_path: Path) -> None:
    config = parse_config({"paths": {"data_dir": "d"}}, tmp_path / "polmon.toml")
    settings = config.collector_settings(platform)
    section = getattr(config, platform_spec(platform).settings_section)
    assert settings.section is section
    assert not isinstance(settings, PolmonConfig)
    since, limit = listing_window(config, platform, {}, _NOW)
    assert (since, limit) == (
        _NOW - timedelta(days=section.backfill_days),
        section.max_posts_per_account,
    )
    with collector_class(platform)(settings) as collector:
        assert collector.settings is settings


def test_the_telegram_session_and_cookies_resolve_against_the_config_folder(
    tmp_path: Path,
) -> None:
    config = parse_config(
        {"video": {"cookies_file": "c.txt"}, "telegram": {"session_file": "s/t"}},
        tmp_path / "polmon.toml",
    )
    assert config.video_settings.cookies_path == tmp_path / "c.txt"
    assert config.telegram_settings.session_path == tmp_path / "s" / "t"


def test_an_unknown_platform_is_named_with_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known: telegram, tiktok"):
        platform_spec("myspace")
    with pytest.raises(InvalidAccount, match="unknown platform"):
        check_account("myspace", "x", None)


@pytest.mark.parametrize(
    ("platform", "raw", "key"),
    [
        ("telegram", "https://t.me/s/Durov/12", "durov"),
        ("tiktok", "https://m.tiktok.com/@hun.manet", "@hun.manet"),
        ("youtube", "https://www.youtube.com/@Hun.Manet/videos", "@hun.manet"),
        ("facebook", "https://m.facebook.com/hunmanet5/?ref=x", "facebook.com/hunmanet5"),
    ],
)
def test_account_keys_come_from_the_platform_parser(platform: str, raw: str, key: str) -> None:
    assert account_key(platform, None, raw) == key == platform_spec(platform).parse_account(raw)
    assert host_platform(raw) == platform


@pytest.mark.parametrize(
    ("platform", "url", "linked"),
    [
        ("youtube", "https://youtu.be/abc", "https://youtu.be/abc?t=42s"),
        ("telegram", "https://t.me/c/5?t=1", "https://t.me/c/5?t=42"),
        ("facebook", "https://facebook.com/p/videos/9", "https://facebook.com/p/videos/9?t=42"),
        ("facebook", "https://facebook.com/reel/9", "https://facebook.com/reel/9"),
        ("tiktok", "https://tiktok.com/@a/video/1", "https://tiktok.com/@a/video/1"),
    ],
)
def test_links_at_a_second_follow_the_platform_spec(platform: str, url: str, linked: str) -> None:
    assert video_link_at(url, platform, 42.7) == linked
