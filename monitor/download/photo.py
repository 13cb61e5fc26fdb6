"""Photos are fetched with one HTTP GET (no yt-dlp): polite, size-capped, typed by content."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from collectors.errors import FetchError, Interrupted
from collectors.http import PageTooLarge, PoliteClient, RetryPolicy
from collectors.settings import USER_AGENT
from monitor.media_fetch import MediaFailed, MediaSkipped
from monitor.ocr.config import OcrConfig

# Answers that say the photo is gone or never public: another try cannot help.
GONE_STATUSES = frozenset({401, 403, 404, 410, 451})
# File name suffixes for the formats Pillow recognises (others keep `.img`).
SUFFIXES = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "BMP": "bmp", "TIFF": "tif"}


def photo_client(config: OcrConfig) -> PoliteClient:
    """The download stage's HTTP client for photos: the per-host rate limit of every client,
    bodies over `[ocr] max_image_mb` refused while reading."""
    return PoliteClient(
        user_agent=USER_AGENT,
        requests_per_second=config.requests_per_second,
        retry=RetryPolicy(max_retries=2),
        max_page_bytes=config.max_image_bytes,
    )


def image_format(content: bytes) -> str | None:
    """The image format Pillow recognises in `content` (JPEG, PNG…), None if none."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            return image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def fetch_photo(
    client: PoliteClient, config: OcrConfig, url: str, directory: Path, base_name: str
) -> tuple[Path, str | None]:
    """Download the photo at `url` to `directory/<base_name>.<suffix>`; its path and MIME type.

    Bytes that are no image Pillow knows are kept (the OCR stage fails them with the reason),
    unless the server said they are text (an HTML page instead of a photo): MediaFailed.
    """
    try:
        response = client.get(url)
    except Interrupted:
        raise
    except PageTooLarge:
        raise MediaSkipped(
            f"photo larger than [ocr] max_image_mb = {config.max_image_mb:g}"
        ) from None
    except FetchError as exc:
        raise MediaFailed(str(exc), permanent=exc.permanent) from None
    status = response.status_code
    if status >= 400:
        raise MediaFailed(f"photo {url}: HTTP {status}", permanent=status in GONE_STATUSES)
    if status >= 300:
        raise MediaFailed(f"photo {url}: HTTP {status} without a redirect", permanent=False)
    found = image_format(response.content)
    declared = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if found is None and declared.startswith("text/"):
        raise MediaFailed(f"photo {url}: the server sent {declared}, not an image", permanent=True)
    path = directory / f"{base_name}.{SUFFIXES.get(found or '', 'img')}"
    path.write_bytes(response.content)
    return path, Image.MIME.get(found) if found else None
