"""Empty accounts and missing tabs are told apart by what the platform and yt-dlp's types say,
never by yt-dlp's wording."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from yt_dlp.networking import Response
from yt_dlp.networking.exceptions import HTTPError, TransportError
from yt_dlp.utils import DownloadError, ExtractorError

from collectors.records import AccountRef
from collectors.video.tiktok import TikTokCollector
from collectors.video.youtube import _tab_missing
from tests.support.config import make_config, video_settings
from tests.support.local_server import LocalServer
from tests.support.tiktok_site import NEWEST, PROFILE, TikTokSite


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


def test_a_tiktok_profile_with_no_videos_is_not_listed(tmp_path: Path, server: LocalServer) -> None:
    site = TikTokSite([])
    site.install(server)
    profile_html = PROFILE.read_text(encoding="utf-8")
    assert '"videoCount":412' in profile_html
    no_videos = profile_html.replace('"videoCount":412', '"videoCount":0')
    server.add("/@hunmanet", no_videos.replace('"videoCount":"412"', '"videoCount":"0"'))
    config = make_config(
        tmp_path, video=video_settings(proxy=server.base_url, verify_certificates=False)
    )
    account = AccountRef("tiktok", handle="@HunManet")
    with TikTokCollector(config.video_settings) as collector:
        assert collector.fetch_profile(account).posts_count == 0
        assert list(collector.list_posts(account, NEWEST - timedelta(days=30), 50)) == []
    assert site.pages_served == 0  # yt-dlp was never asked


def _wrapped(cause: BaseException | None = None, *, expected: bool = True) -> DownloadError:
    try:
        raise ExtractorError("whatever yt-dlp says", cause=cause, expected=expected)
    except ExtractorError as error:
        return DownloadError(f"ERROR: {error}", (type(error), error, error.__traceback__))


def test_a_missing_youtube_tab_is_decided_by_types() -> None:
    assert _tab_missing(_wrapped())  # the extractor's expected error, nothing under it
    gone = HTTPError(Response(io.BytesIO(b""), "https://example.org/x", {}, status=404))
    assert not _tab_missing(_wrapped(gone))  # a status: the channel itself is gone
    assert not _tab_missing(_wrapped(TransportError("reset")))  # the network
    assert not _tab_missing(_wrapped(expected=False))  # a bug in the extractor
