"""Pure helpers shared by the video collectors: yt-dlp info dict fields and listing windows."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from collectors.errors import ParseError
from collectors.records import MediaItem, PostRecord, RawCapture, now_utc
from collectors.video.ytdlp_raw import evidence

# A listing may start with a few pinned (older) posts before the newest ones.
PINNED_TOLERANCE = 3
_COUNT = re.compile(r"^\s*([\d.,]+)\s*([KMB]?)\s*$", re.IGNORECASE)
_SCALE = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}


def as_int(value: Any) -> int | None:
    """An integer count from an int, a float or a numeric string; None when absent or odd."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def parse_count(text: str | None) -> tuple[int | None, bool]:
    """'1,234' -> (1234, False); '1.2M' -> (1200000, True: abbreviated, so approximate)."""
    if not text:
        return None, False
    match = _COUNT.match(text)
    if not match:
        return None, False
    number, suffix = match.group(1), match.group(2).upper()
    if suffix:
        try:
            return int(float(number.replace(",", "")) * _SCALE[suffix]), True
        except ValueError:
            return None, False
    digits = number.replace(",", "").replace(".", "")
    return (int(digits), False) if digits.isdigit() else (None, False)


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def published_at(info: dict[str, Any]) -> datetime | None:
    """When the video was published: `timestamp`, else `release_timestamp`, else `upload_date`."""
    for key in ("timestamp", "release_timestamp"):
        value = info.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return datetime.fromtimestamp(value, UTC)
    date = info.get("upload_date")
    if isinstance(date, str) and re.fullmatch(r"\d{8}", date):
        return datetime.strptime(date, "%Y%m%d").replace(tzinfo=UTC)
    return None


def thumbnail_url(info: dict[str, Any]) -> str | None:
    """The preferred thumbnail: `thumbnail`, else the highest-preference of `thumbnails`."""
    direct = as_str(info.get("thumbnail"))
    if direct:
        return direct
    thumbs = [
        t for t in info.get("thumbnails") or () if isinstance(t, dict) and as_str(t.get("url"))
    ]
    if not thumbs:
        return None
    best = max(
        thumbs, key=lambda t: (as_int(t.get("preference")) or 0, as_int(t.get("width")) or 0)
    )
    return str(best["url"])


def duration(info: dict[str, Any]) -> float | None:
    value = info.get("duration")
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


def video_record(
    info: dict[str, Any], *, post_id: str | None = None, url: str | None = None
) -> PostRecord:
    """The platform-independent part of a video's PostRecord; raises ParseError without id/time.

    Title and text: yt-dlp's `description` is the full caption; `title` is kept only when
    it is not just the caption cut short (TikTok truncates it to 72 characters).
    """
    video_id = post_id or as_str(info.get("id"))
    if not video_id:
        raise ParseError("video without an id")
    when = published_at(info)
    if when is None:
        raise ParseError(f"video {video_id} has no publication time")
    page = url or as_str(info.get("webpage_url")) or as_str(info.get("url"))
    description = as_str(info.get("description"))
    title = as_str(info.get("title"))
    if title and description and _is_cut_caption(title, description):
        title = None
    return PostRecord(
        platform_post_id=video_id,
        published_at=when,
        url=page,
        kind="video",
        title=title,
        text=description,
        views=as_int(info.get("view_count")),
        likes=as_int(info.get("like_count")),
        shares=as_int(info.get("repost_count")),
        comments=as_int(info.get("comment_count")),
        media=[
            MediaItem(
                kind="video",
                source_url=page,
                position=0,
                duration_seconds=duration(info),
                thumbnail_url=thumbnail_url(info),
            )
        ],
        raw=evidence(info),
        capture=info_capture(info, page or f"urn:video:{video_id}"),
    )


def info_capture(info: dict[str, Any], url: str) -> RawCapture:
    """yt-dlp's whole info JSON (sanitized, formats and all) as the video's capture."""
    body = json.dumps(info, ensure_ascii=False, sort_keys=True, default=str)
    return RawCapture(
        url=url,
        fetched_at=now_utc(),
        content=body.encode(),
        kind="ytdlp_info",
        content_type="application/json",
    )


def _is_cut_caption(title: str, description: str) -> bool:
    stem = title.removesuffix("...").removesuffix("…").strip()
    return bool(stem) and description.strip().startswith(stem)


def extra_counts(info: dict[str, Any], names: Iterable[str]) -> dict[str, int] | None:
    """Further per-video counts (e.g. TikTok's saves) kept as `reactions`."""
    counts = {name: v for name in names if (v := as_int(info.get(f"{name}_count"))) is not None}
    return counts or None


def within_window(
    records: Iterable[PostRecord],
    since: datetime,
    limit: int,
    *,
    tolerance: int = PINNED_TOLERANCE,
) -> Iterator[PostRecord]:
    """Yield newest-first records back to `since`, at most `limit`.

    Older records are skipped; the listing is abandoned after `tolerance` older ones in a
    row, so pinned old posts at the top do not end it early.
    """
    if limit <= 0:
        return
    older_in_a_row = yielded = 0
    for record in records:
        if record.published_at < since:
            older_in_a_row += 1
            if older_in_a_row >= tolerance:
                return
            continue
        older_in_a_row = 0
        yield record
        yielded += 1
        if yielded >= limit:
            return
