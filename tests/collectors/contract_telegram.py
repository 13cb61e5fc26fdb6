"""Contract driver for telegram: the collector against a local t.me with a paged channel."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from pytest_httpserver import HTTPServer

from collectors.records import AccountRef
from collectors.registry import collector_class
from tests.collectors.conftest import NOW, channel_with_posts, telegram_config
from tests.collectors.contract_case import ContractCase
from tests.telegram_site import SiteMedia, SitePost, TelegramSite


def start(tmp_path: Path, httpserver: HTTPServer) -> ContractCase:
    site = TelegramSite(page_size=10)
    channel = site.add(channel_with_posts("contract", 25, first_id=1000))
    channel.add(
        SitePost(1025, NOW - timedelta(minutes=30), text="a voice note",
                 media=[SiteMedia("voice", "https://cdn.example/v.ogg", "0:09")]),
        SitePost(1026, NOW - timedelta(minutes=20),
                 media=[SiteMedia("photo"), SiteMedia("video", duration="0:05")]),
    )  # fmt: skip
    httpserver.expect_request(re.compile(".*")).respond_with_handler(site.handle)
    config = telegram_config(tmp_path, httpserver.url_for("/"))
    return ContractCase(
        collector=collector_class("telegram")(config.collector_settings("telegram")),
        account=AccountRef(platform="telegram", handle="contract"),
        since=NOW - timedelta(days=30),
        expected_posts=27,
    )
