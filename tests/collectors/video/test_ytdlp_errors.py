"""yt-dlp's expected errors become ours, with messages that say what to do; its options."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest
from yt_dlp.networking import Response
from yt_dlp.networking.exceptions import HTTPError
from yt_dlp.utils import DownloadError, ExtractorError, GeoRestrictedError, UnsupportedError

from collectors.errors import (
    AccountUnavailable,
    CollectorError,
    FetchError,
    ItemUnavailable,
    LoginRequired,
    RateLimited,
    UnsupportedURL,
)
from collectors.video.ytdlp import (
    fetch_page,
    impersonate_target,
    open_ytdlp,
    video_info,
    ytdlp_params,
)
from collectors.video.ytdlp_errors import map_ytdlp_error
from tests.support.config import make_config
from tests.support.local_server import LocalServer

LOGIN_HINT = (
    "This video is only available for registered users. Use --cookies-from-browser or "
    "--cookies for the authentication. See  https://github.com/yt-dlp/yt-dlp/wiki/FAQ#how-do-"
    "i-pass-cookies-to-yt-dlp  for how to manually pass cookies"
)


def wrapped(
    message: str,
    *,
    ie: str = "TikTok",
    video_id: str = "7412345678901234567",
    expected: bool = True,
) -> DownloadError:
    """What YoutubeDL.extract_info raises: a DownloadError carrying the extractor's error."""
    try:
        raise ExtractorError(message, expected=expected, video_id=video_id, ie=ie)
    except ExtractorError as cause:
        return DownloadError(f"ERROR: {cause}", (type(cause), cause, cause.__traceback__))


def http_failure(status: int, headers: dict[str, str] | None = None) -> DownloadError:
    """What yt-dlp raises when a page answered `status`: the HTTPError is the typed cause."""
    response = Response(io.BytesIO(b""), "https://example.org/v", headers or {}, status=status)
    try:
        raise ExtractorError("Unable to download webpage", cause=HTTPError(response), expected=True)
    except ExtractorError as cause:
        return DownloadError(f"ERROR: {cause}", (type(cause), cause, cause.__traceback__))


def test_private_video_is_one_unavailable_item_or_a_private_account() -> None:
    error = wrapped(
        "You do not have permission to view this post. Log into an account "
        "that has access. " + LOGIN_HINT
    )
    item = map_ytdlp_error(error, subject="tiktok video 1")
    assert isinstance(item, ItemUnavailable) and "private" in str(item)
    account = map_ytdlp_error(
        wrapped("This user's account is private. Log into an account that has access"),
        subject="tiktok @x",
        account=True,
    )
    assert isinstance(account, AccountUnavailable) and account.status == "private"
    youtube = map_ytdlp_error(
        wrapped("Private video. Sign in if you've been granted access to this video", ie="Youtube"),
        subject="youtube video",
    )
    assert isinstance(youtube, ItemUnavailable)


def test_ip_block_says_to_use_a_proxy() -> None:
    for message in (
        "Your IP address is blocked from accessing this post",
        "Sign in to confirm you’re not a bot. Use --cookies-from-browser or --cookies for the "
        "authentication.",
    ):
        mapped = map_ytdlp_error(wrapped(message), subject="video")
        assert isinstance(mapped, FetchError) and mapped.expected
        assert "[video] proxy" in str(mapped)


def test_login_wall_says_how_to_pass_cookies(tmp_path: Path) -> None:
    mapped = map_ytdlp_error(wrapped(LOGIN_HINT, ie="facebook"), subject="facebook video 1")
    assert isinstance(mapped, LoginRequired) and mapped.expected
    assert '[video] cookies_file = "/path/to/cookies.txt"' in str(mapped)
    assert "\n" not in str(mapped)
    tiktok = map_ytdlp_error(
        wrapped("TikTok is requiring login for access to this content"),
        subject="tiktok @x",
        account=True,
    )
    assert isinstance(tiktok, LoginRequired)
    config = make_config(video={"cookies_file": "fb.txt"})
    stale = map_ytdlp_error(
        wrapped(LOGIN_HINT), subject="facebook video 1", settings=config.video_settings
    )
    assert "were not accepted" in str(stale)


def test_removed_video_and_gone_account() -> None:
    for message in (
        "Video unavailable. This video has been removed by the uploader",
        "Video not available, status code 10204",
        "This video is no longer available because the YouTube account associated with this "
        "video has been terminated.",
    ):
        assert isinstance(map_ytdlp_error(wrapped(message), subject="v"), ItemUnavailable)
    gone = map_ytdlp_error(
        wrapped(
            "The channel/playlist does not exist and the URL redirected to youtube.com home page",
            ie="youtube:tab",
        ),
        subject="youtube @x",
        account=True,
    )
    assert isinstance(gone, AccountUnavailable) and gone.status == "deleted"


def test_unsupported_url_geo_block_rate_limit_and_unknown_errors() -> None:
    unsupported = map_ytdlp_error(UnsupportedError("https://example.org/x"), subject="video")
    assert isinstance(unsupported, UnsupportedURL) and unsupported.expected
    assert "does not support" in str(unsupported)
    geo = map_ytdlp_error(GeoRestrictedError("not available from your location"), subject="v")
    assert isinstance(geo, ItemUnavailable)
    rate = map_ytdlp_error(http_failure(429, {"Retry-After": "30"}), subject="v")
    assert isinstance(rate, RateLimited) and rate.retry_after == 30
    assert "HTTP 429" in str(rate)
    gone = map_ytdlp_error(http_failure(410), subject="v")
    assert isinstance(gone, ItemUnavailable) and "HTTP 410" in str(gone)
    account = map_ytdlp_error(http_failure(404), subject="tiktok @x", account=True)
    assert isinstance(account, AccountUnavailable)
    login = map_ytdlp_error(http_failure(401), subject="v")
    assert isinstance(login, LoginRequired)
    bug = map_ytdlp_error(
        wrapped("Unable to extract universal data for rehydration", expected=False), subject="v"
    )
    assert type(bug) is CollectorError and not bug.expected


def test_real_ytdlp_errors_from_a_local_server() -> None:
    config = make_config(video={"sleep_seconds": 0})
    with LocalServer() as server:
        server.add("/page", "<html><head><title>no video here</title></head><body/></html>")
        with open_ytdlp(config.video_settings) as ydl:
            with pytest.raises(DownloadError) as missing:
                video_info(ydl, server.url("/gone.mp4"))
            with pytest.raises(DownloadError) as plain:
                video_info(ydl, server.url("/page"))
            page = fetch_page(ydl, server.url("/nothing"), subject="x")
    assert isinstance(map_ytdlp_error(missing.value, subject="v"), ItemUnavailable)
    assert "does not support" in str(map_ytdlp_error(plain.value, subject="v"))
    assert page.status == 404


def test_params_follow_the_video_config() -> None:
    config = make_config(
        video={
            "proxy": "socks5://127.0.0.1:9050",
            "sleep_seconds": 2,
            "retries": 5,
            "timeout_seconds": 12,
        }
    )
    params = ytdlp_params(config.video_settings, extract_flat="in_playlist")
    assert params["proxy"] == "socks5://127.0.0.1:9050"
    assert params["sleep_interval_requests"] == 2
    assert (params["retries"], params["extractor_retries"], params["socket_timeout"]) == (5, 5, 12)
    assert params["quiet"] and params["noprogress"] and params["extract_flat"] == "in_playlist"
    assert Path(params["ffmpeg_location"]).exists()
    assert "impersonate" not in params and "cookiefile" not in params


@pytest.mark.skipif(importlib.util.find_spec("curl_cffi") is not None, reason="curl_cffi installed")
def test_impersonation_without_curl_cffi_is_one_clear_error() -> None:
    with pytest.raises(CollectorError, match=r"pip install 'polmon\[impersonate\]'") as info:
        impersonate_target("chrome")
    assert info.value.expected
    assert impersonate_target(None) is None


def test_cookies_are_loaded_but_the_file_is_never_rewritten(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    cookies = tmp_path / "cookies.txt"
    text = (
        "# Netscape HTTP Cookie File\n"
        ".facebook.com\tTRUE\t/\tTRUE\t2000000000\tc_user\t100001234567890\n"
        ".facebook.com\tTRUE\t/\tTRUE\t2000000000\txs\tsecret-session-value\n"
    )
    cookies.write_text(text)
    cookies.chmod(0o600)
    config = make_config(tmp_path, video={"cookies_file": str(cookies)})
    with open_ytdlp(config.video_settings) as ydl:
        assert {c.name for c in ydl.cookiejar} == {"c_user", "xs"}
    assert cookies.read_text() == text
    assert cookies.stat().st_mode & 0o777 == 0o600
    broken = tmp_path / "broken.txt"
    broken.write_text("# Netscape HTTP Cookie File\nc_user=1; xs=secret-value\n")
    bad = make_config(tmp_path, video={"cookies_file": str(broken)})
    with pytest.raises(CollectorError, match="line 2 does not have") as info:
        open_ytdlp(bad.video_settings)
    assert info.value.expected and "secret" not in str(info.value)
    captured = capfd.readouterr()
    assert "secret" not in captured.out + captured.err
