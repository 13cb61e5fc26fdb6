"""yt-dlp as a library: options from `[video]`, cookies, page fetches and lazy listings."""

from __future__ import annotations

import http.cookiejar
import importlib.util
import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yt_dlp import YoutubeDL
from yt_dlp.networking import Request
from yt_dlp.networking.exceptions import HTTPError, RequestError
from yt_dlp.networking.impersonate import ImpersonateTarget
from yt_dlp.utils import YoutubeDLError

from collectors.errors import (
    CollectorError,
    FetchError,
    NetworkUnreachable,
    RateLimited,
    network_failure,
)

if TYPE_CHECKING:
    from collectors.video.settings import VideoSettings

log = logging.getLogger("polmon.ytdlp")
MAX_REDIRECTS = 5


def ffmpeg_location() -> str:
    """The ffmpeg binary: the system's when installed, else the one imageio-ffmpeg ships."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def impersonate_target(name: str | None) -> ImpersonateTarget | None:
    """The `[video] impersonate` target, or a one-line error when curl_cffi is missing."""
    if not name:
        return None
    if importlib.util.find_spec("curl_cffi") is None:
        raise CollectorError(
            f"[video] impersonate = {name!r} needs curl_cffi: install it with "
            "`pip install 'polmon[impersonate]'`, or remove the key",
            expected=True,
        )
    try:
        return ImpersonateTarget.from_str(name)
    except ValueError as exc:
        raise CollectorError(f"[video] impersonate = {name!r}: {exc}", expected=True) from None


class _LogBridge:
    """yt-dlp's logger interface, forwarded to Python logging (its errors become exceptions)."""

    def debug(self, message: str) -> None:
        log.debug("%s", message)

    def info(self, message: str) -> None:
        log.debug("%s", message)

    def warning(self, message: str) -> None:
        log.info("%s", message)

    def error(self, message: str) -> None:
        log.debug("%s", message)


def ytdlp_params(settings: VideoSettings, **extra: Any) -> dict[str, Any]:
    """YoutubeDL options from `[video]`; `extra` adds or overrides keys."""
    video = settings.section
    params: dict[str, Any] = {
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "logger": _LogBridge(),
        "socket_timeout": video.timeout_seconds,
        "retries": video.retries,
        "extractor_retries": video.retries,
        "fragment_retries": video.retries,
        "sleep_interval_requests": video.sleep_seconds or None,
        "ffmpeg_location": ffmpeg_location(),
        "noplaylist": True,
        # Flat YouTube listings carry an approximate date ("3 days ago") to stop on.
        "extractor_args": {"youtubetab": {"approximate_date": [""]}},
    }
    if video.proxy:
        params["proxy"] = video.proxy
    if not video.verify_certificates:
        params["nocheckcertificate"] = True
    target = impersonate_target(video.impersonate)
    if target is not None:
        params["impersonate"] = target
    params.update(extra)
    return params


def open_ytdlp(settings: VideoSettings, **extra: Any) -> YoutubeDL:
    """A YoutubeDL for `settings`; cookies are loaded read-only (yt-dlp never rewrites them)."""
    try:
        ydl = YoutubeDL(ytdlp_params(settings, **extra))
    except YoutubeDLError as exc:
        raise CollectorError(f"yt-dlp: {exc}", expected=True) from None
    path = settings.cookies_path
    if path is not None:
        try:
            _check_cookie_file(path)
            ydl.cookiejar.load(str(path))
        except (OSError, http.cookiejar.LoadError) as exc:
            ydl.close()
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise CollectorError(
                f"[video] cookies_file {path}: cannot read it as a Netscape cookies file "
                f"({reason})",
                expected=True,
            ) from None
    return ydl


def _check_cookie_file(path: Path) -> None:
    """Reject a malformed cookies file by line number (yt-dlp would print the secret line)."""
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            entry = line.removeprefix("#HttpOnly_").rstrip("\r\n")
            if not entry.strip() or entry.startswith("#"):
                continue
            if len(entry.split("\t")) != 7:
                raise http.cookiejar.LoadError(
                    f"line {number} does not have the 7 tab-separated fields of the format"
                )


@dataclass(frozen=True)
class Page:
    """A page fetched through yt-dlp's network stack (proxy, cookies, impersonation)."""

    url: str
    status: int
    text: str


def fetch_page(ydl: YoutubeDL, url: str, *, subject: str) -> Page:
    """GET `url`; an HTTP error status is returned, a network failure raises FetchError."""
    request = Request(url, headers={"Accept-Language": "en-US,en;q=0.9"})
    try:
        with ydl.urlopen(request) as response:
            body = response.read()
            status, final_url = response.status, response.url
    except HTTPError as exc:
        body = exc.response.read()
        status, final_url = exc.status, exc.response.url
        if status == 429:
            raise RateLimited(f"{subject}: rate limited (HTTP 429) at {url}") from None
    except RequestError as exc:
        failure = network_failure(exc)
        message = f"{subject}: cannot fetch {url}: {exc.msg or exc}"
        if failure is not None:
            raise NetworkUnreachable(message, dns=failure == "dns") from None
        raise FetchError(message) from None
    return Page(final_url, status, body.decode("utf-8", errors="replace"))


def lazy_entries(ydl: YoutubeDL, url: str) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """The playlist at `url` and its entries, fetched page by page only as they are read.

    The caller stops reading when it has seen enough (an old post), so later pages of a
    long account are never downloaded. Entries come out sanitized (JSON-safe).
    """
    result: dict[str, Any] = ydl.extract_info(url, download=False, process=False)
    for _ in range(MAX_REDIRECTS):
        if result.get("_type") not in ("url", "url_transparent"):
            break
        result = ydl.extract_info(
            result["url"], download=False, process=False, ie_key=result.get("ie_key")
        )
    entries = result.get("entries") or ()
    head = {k: v for k, v in result.items() if k != "entries"}

    def generate() -> Iterator[dict[str, Any]]:
        for entry in entries:
            if isinstance(entry, dict):
                yield ydl.sanitize_info(entry)

    return ydl.sanitize_info(head), generate()


def video_info(ydl: YoutubeDL, url: str) -> dict[str, Any]:
    """Full metadata of one video (no download), sanitized for storage as raw JSON."""
    info: dict[str, Any] = ydl.sanitize_info(ydl.extract_info(url, download=False))
    return info
