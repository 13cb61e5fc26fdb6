"""Contract driver for facebook: a local page with videos and reels tabs, one config URL.

Video pages carry JSON-LD, so the real yt-dlp reads them with its generic extractor.
"""

from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer

from collectors.records import AccountRef
from collectors.registry import collector_class
from tests.support.config import make_config, video_settings
from tests.support.contract.case import ContractCase
from tests.support.local_server import LocalServer
from tests.support.video_sites import SINCE, serve_facebook_page

_SERVER: LocalServer | None = None


def _server() -> LocalServer:
    global _SERVER
    if _SERVER is None:
        _SERVER = LocalServer().start()
        serve_facebook_page(_SERVER)
    return _SERVER


def start(tmp_path: Path, httpserver: HTTPServer) -> ContractCase:
    server = _server()
    config = make_config(tmp_path, video=video_settings(facebook_base_url=server.base_url))
    account = AccountRef(
        platform="facebook",
        url="https://www.facebook.com/hunmanet5",
        extra_urls=(server.url("/watch/?v=777000111222333"),),
    )
    return ContractCase(
        collector=collector_class("facebook")(config.collector_settings("facebook")),
        account=account,
        since=SINCE,
        expected_posts=4,  # two from the videos tab, one reel, one config URL
    )
