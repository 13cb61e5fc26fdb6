"""Contract driver for tiktok: yt-dlp's real TikTok user extractor against a local tiktok.com.

The local server is the collector's proxy and answers the HTTPS tunnel itself, so the
extractor's own requests (profile page, paged item_list API) reach the stand-in.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pytest_httpserver import HTTPServer

from collectors.records import AccountRef
from collectors.registry import collector_class
from tests.support.config import make_config, video_settings
from tests.support.contract.case import ContractCase
from tests.support.local_server import LocalServer
from tests.support.tiktok_site import NEWEST, TikTokSite, videos

_SERVER: LocalServer | None = None


def _server() -> LocalServer:
    """One stand-in for the whole session (its routes never change)."""
    global _SERVER
    if _SERVER is None:
        _SERVER = LocalServer().start()
        TikTokSite(videos(25, NEWEST, step=timedelta(hours=7)), page_size=10).install(_SERVER)
    return _SERVER


def start(tmp_path: Path, httpserver: HTTPServer) -> ContractCase:
    server = _server()
    config = make_config(
        tmp_path, video=video_settings(proxy=server.base_url, verify_certificates=False)
    )
    return ContractCase(
        collector=collector_class("tiktok")(config.collector_settings("tiktok")),
        account=AccountRef(platform="tiktok", handle="@hunmanet"),
        since=NEWEST - timedelta(days=5),
        expected_posts=18,  # 7 hours apart, over two API pages
    )
