"""Download one media URL with yt-dlp: a format with the video's own sound, size/length limits."""

from __future__ import annotations

import errno
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yt_dlp.utils import ContentTooShortError, DownloadCancelled, DownloadError

from collectors.errors import (
    CollectorError,
    FetchError,
    ItemUnavailable,
    LoginRequired,
    PolmonError,
    UnsupportedURL,
)
from collectors.video.ytdlp import open_ytdlp
from collectors.video.ytdlp_errors import error_message, map_ytdlp_error

if TYPE_CHECKING:
    from monitor.config import PolmonConfig

# A single file that has sound beats merging: TikTok's separate "best audio" can be the
# background music, not what is said. Then best video + audio merged; then anything.
FORMAT = "b[acodec!=none]/bv*+ba/b"
MB = 1024 * 1024


# Why a row is skipped, short and the same for every row skipped so: `media.skip_reason`,
# counted by `polmon status` and the digest (the full sentence goes to `last_error`).
OVER_DURATION = "over [video] max_duration_seconds"
OVER_SIZE = "over [video] max_filesize_mb"
NO_AUDIO = "no audio track"
PHOTO_OVER_SIZE = "photo over [ocr] max_image_mb"
NEEDS_TELETHON = "needs Telethon (too large for the web preview)"
NEEDS_TELETHON_AUDIO = "needs Telethon (audio files are not on the web preview)"


class MediaSkipped(PolmonError):
    """The media is over a configured limit, or cannot be fetched without what is missing:
    the message says why in full, `reason` is the short label the row keeps."""

    expected = True
    permanent = True

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class MediaFailed(PolmonError):
    """The download failed; `permanent` ones are not retried (gone, private, unsupported)."""

    expected = True

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message, permanent=permanent)


# Faults of this machine, not of the media: the disk is full, read-only or over quota, the
# process is out of files or memory. The row waits and is tried again, its attempts untouched.
LOCAL_FAULT_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EMFILE, errno.ENFILE, errno.ENOMEM}
)


class LocalFault(PolmonError):
    """A local fault (LOCAL_FAULT_ERRNOS) stopped the work: retry later, spend no attempt."""

    expected = True


def local_fault(exc: BaseException) -> OSError | None:
    """The local-fault OSError behind `exc` (yt-dlp wraps them in DownloadError), or None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in LOCAL_FAULT_ERRNOS:
            return current
        wrapped = (
            (current.exc_info or (None, None))[1] if isinstance(current, DownloadError) else None
        )
        current = wrapped or current.__cause__ or current.__context__
    return None


def local_fault_message(fault: OSError) -> str:
    """One line for a local fault: errno name, its description, the file."""
    name = errno.errorcode.get(fault.errno or 0, str(fault.errno))
    where = f" ({fault.filename})" if fault.filename else ""
    return (
        f"local fault {name}: {fault.strerror}{where}; retrying later without counting an attempt"
    )


class _OverLimit(PolmonError, DownloadCancelled):
    """Raised from yt-dlp's hooks to stop a download that is over a `[video]` limit (a
    `DownloadCancelled`, so that yt-dlp lets it through; it becomes `MediaSkipped`)."""

    expected = True
    permanent = True


def _size_limit_reason(size: float, limit_mb: int) -> str:
    return f"size {size / MB:.1f} MB is over [video] max_filesize_mb = {limit_mb}"


def duration_reason(seconds: float | None, config: PolmonConfig) -> str | None:
    """Why media of this length is skipped, or None when it is within the limit."""
    limit = config.video.max_duration_seconds
    if seconds is None or seconds <= limit:
        return None
    return f"duration {seconds:.0f} s is over [video] max_duration_seconds = {limit}"


def _expected_size(info: dict[str, Any]) -> float | None:
    formats = info.get("requested_formats") or [info]
    sizes = [f.get("filesize") or f.get("filesize_approx") for f in formats]
    if any(not isinstance(s, int | float) for s in sizes):
        return None
    return float(sum(sizes))


def limit_reason(info: dict[str, Any], config: PolmonConfig) -> str | None:
    """Why a video (its chosen format) is over the `[video]` limits, or None."""
    seconds = info.get("duration")
    if isinstance(seconds, int | float) and (reason := duration_reason(seconds, config)):
        return reason
    size = _expected_size(info)
    if size is not None and size > config.video.max_filesize_mb * MB:
        return _size_limit_reason(size, config.video.max_filesize_mb)
    return None


@dataclass
class Received:
    """Bytes of the file received so far and the size the server announced (progress hook)."""

    done: int = 0
    total: int = 0

    def update(self, status: dict[str, Any]) -> None:
        self.done = max(self.done, int(status.get("downloaded_bytes") or 0))
        total = status.get("total_bytes") or status.get("total_bytes_estimate") or 0
        self.total = max(self.total, int(total))

    @property
    def cut_short(self) -> bool:
        return 0 < self.done < self.total


def classify(
    exc: BaseException, subject: str, config: PolmonConfig, received: Received | None = None
) -> MediaFailed:
    """A yt-dlp failure as a MediaFailed, permanent when retrying cannot help.

    Decided by types and sizes, never by yt-dlp's wording (which it changes between releases):
    a download that stopped short of the announced size is retried later, whatever the reason.
    """
    cause = exc.exc_info[1] if isinstance(exc, DownloadError) and exc.exc_info else exc
    if isinstance(cause, ContentTooShortError):
        return MediaFailed(
            f"{subject}: download cut short: got {cause.downloaded} of {cause.expected} bytes",
            permanent=False,
        )
    if received is not None and received.cut_short:
        return MediaFailed(
            f"{subject}: download cut short: got {received.done} of {received.total} bytes "
            f"(yt-dlp: {error_message(exc)})",
            permanent=False,
        )
    mapped = map_ytdlp_error(exc, subject=subject, settings=config.video_settings)
    if isinstance(mapped, ItemUnavailable | LoginRequired | UnsupportedURL):
        return MediaFailed(str(mapped), permanent=True)
    if isinstance(mapped, FetchError):
        return MediaFailed(str(mapped), permanent=False)
    return MediaFailed(f"{subject}: {error_message(exc)}", permanent=False)


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
    once the format is chosen, before downloading, and while downloading), MediaFailed else.
    A URL that lists several videos (a post with an album) gives the one at `position`.
    """
    max_mb = config.video.max_filesize_mb
    # yt-dlp re-raises a cancelled match filter without its message: (message, short reason)
    reasons: list[tuple[str, str]] = []

    def stop(message: str, reason: str) -> None:
        reasons.append((message, reason))
        raise _OverLimit(message)

    def check_limits(info: dict[str, Any], *, incomplete: bool = False) -> None:
        message = None if incomplete else limit_reason(info, config)
        if message is not None:
            seconds = info.get("duration")
            over_duration = isinstance(seconds, int | float) and duration_reason(seconds, config)
            stop(message, OVER_DURATION if over_duration else OVER_SIZE)

    received = Received()

    def hook(status: dict[str, Any]) -> None:
        received.update(status)
        total = status.get("total_bytes") or status.get("total_bytes_estimate") or 0
        done = status.get("downloaded_bytes") or 0
        if max(total, done) > max_mb * MB:
            stop(_size_limit_reason(max(total, done), max_mb), OVER_SIZE)
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
        "playlist_items": str(position + 1),
        "match_filter": check_limits,
        "progress_hooks": [hook],
    }
    subject = f"media {url}"
    try:
        with open_ytdlp(config.video_settings, **options) as ydl:
            result = ydl.extract_info(url, download=True)
    except _OverLimit as exc:
        message, reason = reasons[-1] if reasons else (str(exc), OVER_SIZE)
        raise MediaSkipped(message, reason=reason) from None
    except CollectorError as exc:  # our own option errors (cookies file, impersonation)
        raise MediaFailed(str(exc), permanent=False) from exc
    except Exception as exc:
        if (fault := local_fault(exc)) is not None:
            raise LocalFault(local_fault_message(fault)) from exc
        raise classify(exc, subject, config, received) from exc
    info = _downloaded_entry(result)
    downloads = info.get("requested_downloads") or []
    path = Path(downloads[0]["filepath"]) if downloads and downloads[0].get("filepath") else None
    if path is None or not path.is_file():
        raise MediaFailed(f"{subject}: yt-dlp reported no file", permanent=False)
    return path, info


def _downloaded_entry(result: dict[str, Any]) -> dict[str, Any]:
    if result.get("_type") != "playlist":
        return result
    for entry in result.get("entries") or ():
        if isinstance(entry, dict) and entry.get("requested_downloads"):
            return entry
    raise MediaFailed("the URL lists no media to download", permanent=True)
