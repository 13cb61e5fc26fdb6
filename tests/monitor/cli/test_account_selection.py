"""`--account` names exactly one account (handle with or without @, or URL) in every command."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from collectors.identity import InvalidAccount, account_key
from collectors.telegram.identity import telegram_channel
from collectors.video.identity import tiktok_username
from monitor.queries.selection import account_matches
from tests.conftest import TestDatabase, invoke
from tests.support.config import write_config
from tests.support.telegram_scenario import scenario_toml
from tests.support.telegram_site import TelegramSite, channel_with_posts

HANDLES = ["hunmanet", "hunmanet_news", "pm_demo", "samdech"]


@pytest.fixture
def site(httpserver: HTTPServer) -> Iterator[TelegramSite]:
    telegram = TelegramSite()
    for handle in HANDLES:
        telegram.add(channel_with_posts(handle, 2))
    httpserver.expect_request(re.compile(".*")).respond_with_handler(telegram.handle)
    yield telegram


def _config(tmp_path: Path, db: TestDatabase, httpserver: HTTPServer) -> Path:
    toml = scenario_toml(httpserver.url_for("/"), HANDLES) + '[keywords.g]\nterms = ["post"]\n'
    return write_config(tmp_path, db, toml)


def _collected(config: Path, *selection: str) -> list[str]:
    result = invoke(config, "collect", *selection, "--format", "json")
    assert result.exit_code == 0, result.output
    return [row["account"] for row in json.loads(result.stdout)]


def test_collect_account_selects_exactly_the_named_account(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    config = _config(tmp_path, db, httpserver)
    for spec in ("hunmanet", "@hunmanet", "HunManet", "https://t.me/hunmanet", "t.me/s/HunManet"):
        assert _collected(config, "--account", spec) == ["hunmanet"], spec
    assert _collected(config, "--account", "https://t.me/pm_demo/2") == ["pm_demo"]


@pytest.mark.parametrize("spec", ["nobody", "https://t.me/s/../../admin", "https://t.me/s/"])
def test_collect_account_naming_nothing_is_one_line_exit_2(
    sqlite_db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path, spec: str
) -> None:
    config = _config(tmp_path, sqlite_db, httpserver)
    result = invoke(config, "collect", "--account", spec)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: no such account:")
    assert "telegram hunmanet" in lines[0]  # a few configured ones are listed
    assert httpserver.log == []  # nothing was collected


def test_read_commands_take_the_same_handle_or_url(
    db: TestDatabase, site: TelegramSite, httpserver: HTTPServer, tmp_path: Path
) -> None:
    config = _config(tmp_path, db, httpserver)
    assert invoke(config, "collect").exit_code == 0
    for spec in ("@pm_demo", "https://t.me/pm_demo", "PM_DEMO"):
        posts = json.loads(invoke(config, "posts", "--account", spec, "--format", "json").stdout)
        assert {p["account"] for p in posts} == {"pm_demo"} and len(posts) == 2, spec
        growth = json.loads(invoke(config, "growth", "--account", spec, "--format", "json").stdout)
        handles = {a["handle"] for actor in growth["actors"] for a in actor["accounts"]}
        assert handles == {"pm_demo"}, spec
        hits = json.loads(invoke(config, "hits", "--account", spec, "--format", "json").stdout)
        assert {h["handle"] for h in hits} == {"pm_demo"} and len(hits) == 2, spec
    for command in ("posts", "growth", "hits", "events"):
        missing = invoke(config, command, "--account", "https://t.me/nobody_here")
        assert missing.exit_code == 2 and "no such account" in missing.output


@pytest.mark.parametrize(
    ("spec", "platform", "handle", "matches"),
    [
        ("hunmanet", "tiktok", "@hunmanet", True),
        ("https://m.tiktok.com/@Hun.Manet", "tiktok", "@hun.manet", True),
        ("https://www.tiktok.com/@hunmanet", "telegram", "hunmanet", False),
        ("https://www.youtube.com/@PM.Hun/videos", "youtube", "@pm.hun", True),
        ("pm.hun", "youtube", "@pm.hun", True),
        ("https://www.facebook.com/hunmanet5/", "facebook", "facebook.com/hunmanet5", True),
        ("hunmanet5", "facebook", "facebook.com/hunmanet5", True),
        ("hunmanet", "facebook", "facebook.com/hunmanet5", False),
        ("https://t.me/s/../../admin", "telegram", "s", False),
        ("hun", "telegram", "hunmanet", False),
    ],
)
def test_account_matching_per_platform(
    spec: str, platform: str, handle: str, matches: bool
) -> None:
    assert account_matches(spec, platform, handle) is matches


def test_one_parser_per_platform_rejects_paths_that_name_no_channel() -> None:
    for bad in ("t.me/s/../../admin", "https://t.me/s/", "https://t.me/joinchat/abc", "a b"):
        with pytest.raises(InvalidAccount):
            telegram_channel(bad)
    assert telegram_channel("https://telegram.me/durov/12") == "durov"
    # The collector's parser and the stored key agree on mobile TikTok URLs (issue 13).
    assert tiktok_username("https://m.tiktok.com/@hun.manet") == "hun.manet"
    assert account_key("tiktok", None, "https://m.tiktok.com/@hun.manet") == "@hun.manet"
