"""Contract driver for youtube: a local channel feed of video pages, read through yt-dlp.

YouTube's own extractor cannot be served locally; the collector's listing logic (flat
listing, rough dates, each video read in full) runs unchanged on yt-dlp's generic extractor.
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
from tests.support.video_sites import SINCE, serve_channel, serve_video

_SERVER: LocalServer | None = None
_CHANNEL = ""


def _server() -> tuple[LocalServer, str]:
    global _SERVER, _CHANNEL
    if _SERVER is None:
        _SERVER = LocalServer().start()
        times = [SINCE + timedelta(days=20 - 4 * n) for n in range(4)]
        old = [SINCE - timedelta(days=30 + n) for n in range(3)]
        _CHANNEL = serve_channel(_SERVER, [(f"v{n}", t) for n, t in enumerate(times + old)])
        for n, when in enumerate(times + old):
            serve_video(_SERVER, f"/yt/v{n}", f"v{n}", when)
    return _SERVER, _CHANNEL


def start(tmp_path: Path, httpserver: HTTPServer) -> ContractCase:
    _, channel = _server()
    config = make_config(tmp_path, video=video_settings(youtube_tabs=["videos"]))
    return ContractCase(
        collector=collector_class("youtube")(config.collector_settings("youtube")),
        account=AccountRef(platform="youtube", url=channel),
        since=SINCE,
        expected_posts=4,
    )
