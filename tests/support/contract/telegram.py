"""Contract driver for telegram: the collector against a local t.me with a paged channel."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from pytest_httpserver import HTTPServer

from collectors.records import AccountRef
from collectors.registry import collector_class
from tests.support.config import make_config, telegram_settings
from tests.support.contract.case import ContractCase
from tests.support.telegram_site import NOW, SiteMedia, SitePost, TelegramSite, channel_with_posts


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
    config = make_config(tmp_path, telegram=telegram_settings(httpserver.url_for("/")))
    return ContractCase(
        collector=collector_class("telegram")(config.collector_settings("telegram")),
        account=AccountRef(platform="telegram", handle="contract"),
        since=NOW - timedelta(days=30),
        expected_posts=27,
    )
