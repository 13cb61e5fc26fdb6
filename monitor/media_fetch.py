"""Download one media URL with yt-dlp: a format with the video's own sound, size/length limits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yt_dlp.utils import ContentTooShortError, DownloadCancelled, DownloadError

from collectors.errors import CollectorError, FetchError, ItemUnavailable, LoginRequired
from collectors.ytdlp import open_ytdlp
from collectors.ytdlp_errors import error_message, map_ytdlp_error

if TYPE_CHECKING:
    from monitor.config import PolmonConfig

# A single file that has sound beats merging: TikTok's separate "best audio" can be the
# background music, not what is said. Then best video + audio merged; then anything.
FORMAT = "b[acodec!=none]/bv*+ba/b"
MB = 1024 * 1024


class MediaSkipped(Exception):
    """The media is over a configured limit; the reason names the limit."""


class MediaFailed(Exception):
    """The download failed; `permanent` ones are not retried (gone, private, unsupported)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class _TooLarge(DownloadCancelled):
    """Raised from the progress hook to stop a download that outgrew the size limit."""


def _size_limit_reason(size: float, limit_mb: int) -> str:
    return f"size {size / MB:.1f} MB is over [video] max_filesize_mb = {limit_mb}"


def _duration_limit_reason(seconds: float, limit: int) -> str:
    return f"duration {seconds:.0f} s is over [video] max_duration_seconds = {limit}"


def _expected_size(info: dict[str, Any]) -> float | None:
    formats = info.get("requested_formats") or [info]
    sizes = [f.get("filesize") or f.get("filesize_approx") for f in formats]
    if any(not isinstance(s, int | float) for s in sizes):
        return None
    return float(sum(sizes))


def _pick_entry(info: dict[str, Any], position: int) -> dict[str, Any]:
    """A post with several videos comes back as a playlist: take the one at `position`."""
    if info.get("_type") != "playlist":
        return info
    entries = [e for e in info.get("entries") or () if isinstance(e, dict)]
    if not entries:
        raise MediaFailed("the URL lists no media", permanent=True)
    return entries[position] if 0 <= position < len(entries) else entries[0]


def classify(exc: BaseException, subject: str, config: PolmonConfig) -> MediaFailed:
    """A yt-dlp failure as a MediaFailed, permanent when retrying cannot help."""
    cause = exc.exc_info[1] if isinstance(exc, DownloadError) and exc.exc_info else exc
    if isinstance(cause, ContentTooShortError):
        return MediaFailed(
            f"download cut short: got {cause.downloaded} of {cause.expected} bytes",
            permanent=False,
        )
    message = error_message(exc)
    if "more expected" in message or "bytes read" in message:
        return MediaFailed(f"{subject}: download cut short ({message})", permanent=False)
    mapped = map_ytdlp_error(exc, subject=subject, config=config)
    if isinstance(mapped, ItemUnavailable | LoginRequired):
        return MediaFailed(str(mapped), permanent=True)
    if type(mapped) is CollectorError and mapped.expected and "does not support" in str(mapped):
        return MediaFailed(str(mapped), permanent=True)
    if isinstance(mapped, FetchError):
        return MediaFailed(str(mapped), permanent=False)
    return MediaFailed(f"{subject}: {message}", permanent=False)


def download_media(
    config: PolmonConfig,
    url: str,
    directory: Path,
    stem_name: str,
    *,
    position: int = 0,
    on_progress: Callable[[], None] | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Download `url` to `directory/<stem_name>.<ext>`; returns the file and yt-dlp's info.

    Raises MediaSkipped when the duration or size is over the `[video]` limits (checked
    before downloading where yt-dlp knows them, and while downloading), MediaFailed else.
    """
    video = config.video
    max_bytes = video.max_filesize_mb * MB

    def hook(status: dict[str, Any]) -> None:
        total = status.get("total_bytes") or status.get("total_bytes_estimate") or 0
        done = status.get("downloaded_bytes") or 0
        if max(total, done) > max_bytes:
            raise _TooLarge(_size_limit_reason(max(total, done), video.max_filesize_mb))
        if on_progress is not None:
            on_progress()

    options = {
        "format": FORMAT,
        "paths": {"home": str(directory)},
        "outtmpl": {"default": f"{stem_name}.%(ext)s"},
        "restrictfilenames": True,
        "windowsfilenames": True,
        "overwrites": True,
        "continuedl": False,
        "merge_output_format": "mp4/mkv",
        "progress_hooks": [hook],
    }
    subject = f"media {url}"
    try:
        with open_ytdlp(config, **options) as ydl:
            info = _pick_entry(ydl.extract_info(url, download=False), position)
            seconds = info.get("duration")
            if isinstance(seconds, int | float) and seconds > video.max_duration_seconds:
                raise MediaSkipped(_duration_limit_reason(seconds, video.max_duration_seconds))
            size = _expected_size(info)
            if size is not None and size > max_bytes:
                raise MediaSkipped(_size_limit_reason(size, video.max_filesize_mb))
            result = ydl.process_ie_result(info, download=True)
    except _TooLarge as exc:
        raise MediaSkipped(str(exc)) from None
    except (MediaSkipped, MediaFailed):
        raise
    except CollectorError as exc:  # our own option errors (cookies file, impersonation)
        raise MediaFailed(str(exc), permanent=False) from exc
    except Exception as exc:
        raise classify(exc, subject, config) from exc
    downloads = result.get("requested_downloads") or []
    path = Path(downloads[0]["filepath"]) if downloads and downloads[0].get("filepath") else None
    if path is None or not path.is_file():
        raise MediaFailed(f"{subject}: yt-dlp reported no file", permanent=False)
    return path, info
