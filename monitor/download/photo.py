"""Photos are fetched with one HTTP GET (no yt-dlp): polite, size-capped, typed by content."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from PIL import Image, UnidentifiedImageError

from collectors.errors import FetchError, Interrupted
from collectors.http import PageTooLarge, PoliteClient, RetryPolicy
from collectors.records import web_link
from collectors.settings import USER_AGENT
from monitor.media_fetch import PHOTO_OVER_SIZE, MediaFailed, MediaSkipped
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


def _get(client: PoliteClient, config: OcrConfig, url: str) -> tuple[bytes, str]:
    """The body and declared content type of a 2xx answer; MediaFailed/MediaSkipped else."""
    try:
        response = client.get(url)
    except Interrupted:
        raise
    except PageTooLarge:
        raise MediaSkipped(
            f"photo larger than [ocr] max_image_mb = {config.max_image_mb:g}",
            reason=PHOTO_OVER_SIZE,
        ) from None
    except FetchError as exc:
        raise MediaFailed(str(exc), permanent=exc.permanent) from None
    status = response.status_code
    if status >= 400:
        raise MediaFailed(f"photo {url}: HTTP {status}", permanent=status in GONE_STATUSES)
    if status >= 300:
        raise MediaFailed(f"photo {url}: HTTP {status} without a redirect", permanent=False)
    declared = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return response.content, declared


def page_image(html: bytes, base_url: str) -> str | None:
    """The `og:image` of a post's page (a t.me/<channel>/<id> link stands for its photo)."""
    try:
        document = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return None
    for content in document.xpath('//meta[@property="og:image"]/@content'):
        found = web_link(urljoin(base_url, str(content).strip()))
        if found:
            return found
    return None


def fetch_photo(
    client: PoliteClient, config: OcrConfig, url: str, directory: Path, base_name: str
) -> tuple[Path, str | None]:
    """Download the photo at `url` to `directory/<base_name>.<suffix>`; its path and MIME type.

    A post's page (HTML, as the Telethon backend's links give) stands for the photo its
    `og:image` names, fetched instead. Bytes that are no image Pillow knows are kept (the OCR
    stage fails them with the reason), unless the server said they are text: MediaFailed.
    """
    content, declared = _get(client, config, url)
    found = image_format(content)
    if found is None and declared == "text/html" and (image_url := page_image(content, url)):
        content, declared = _get(client, config, image_url)
        found = image_format(content)
    if found is None and declared.startswith("text/"):
        raise MediaFailed(f"photo {url}: the server sent {declared}, not an image", permanent=True)
    path = directory / f"{base_name}.{SUFFIXES.get(found or '', 'img')}"
    path.write_bytes(content)
    return path, Image.MIME.get(found) if found else None
