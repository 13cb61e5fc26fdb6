"""YouTube channels: flat tab listings through yt-dlp, each recent video read for its metrics."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar

from yt_dlp.networking.exceptions import RequestError
from yt_dlp.utils import ExtractorError

from collectors.errors import CollectorError, ParseError
from collectors.platform import PlatformSpec
from collectors.records import AccountProfile, AccountRef, PostRecord
from collectors.video.base import ListingErrors, YtDlpCollector, newest_first
from collectors.video.identity import YOUTUBE
from collectors.video.info import PINNED_TOLERANCE, as_int, as_str, published_at, video_record
from collectors.video.ytdlp import lazy_entries
from collectors.video.ytdlp_errors import causes, error_message, http_status
from collectors.video.ytdlp_raw import evidence

log = logging.getLogger("polmon.collectors.video.youtube")
CANONICAL = "https://www.youtube.com"
# Flat listings date videos roughly ("3 weeks ago"): stop only well past the window.
APPROXIMATE_DATE_SLACK = timedelta(days=2)
_TAB_SUFFIX = re.compile(r"/(?:videos|shorts|streams|featured|about|playlists)/?$")
_SKIPPED_LIVE = ("is_upcoming", "is_live")


def channel_url(account: AccountRef) -> str:
    """The channel's base URL from a `@handle`, a channel URL or a channel id."""
    raw = (account.url or account.handle or account.platform_id or "").strip()
    if not raw:
        raise CollectorError("youtube account without handle or url", expected=True)
    if raw.startswith("@"):
        return f"{CANONICAL}/{raw}"
    if re.fullmatch(r"UC[\w-]{22}", raw):
        return f"{CANONICAL}/channel/{raw}"
    if "://" not in raw:
        raw = f"https://{raw}"
    return _TAB_SUFFIX.sub("", raw.split("?")[0].rstrip("/"))


def map_youtube_channel(info: dict[str, Any]) -> AccountProfile:
    """Profile and subscriber count from the head of yt-dlp's channel tab result."""
    channel_id = as_str(info.get("channel_id")) or as_str(info.get("id"))
    if not channel_id:
        raise ParseError("YouTube channel without an id")
    avatar = next(
        (
            t.get("url")
            for t in info.get("thumbnails") or ()
            if isinstance(t, dict) and t.get("id") in ("avatar_uncropped", "avatar")
        ),
        None,
    )
    handle = as_str(info.get("uploader_id"))
    return AccountProfile(
        platform_id=channel_id,
        handle=handle.lower() if handle and handle.startswith("@") else None,
        url=as_str(info.get("channel_url")) or f"{CANONICAL}/channel/{channel_id}",
        display_name=as_str(info.get("channel")) or as_str(info.get("uploader")),
        description=as_str(info.get("description")),
        avatar_url=as_str(avatar),
        followers=as_int(info.get("channel_follower_count")),
        views_total=as_int(info.get("view_count")),
        posts_count=as_int(info.get("playlist_count")),
        # YouTube rounds subscriber counts to three significant digits.
        is_approximate=(as_int(info.get("channel_follower_count")) or 0) >= 1000,
        raw=evidence(info),
    )


def map_youtube_entry(info: dict[str, Any]) -> PostRecord:
    """One video's full yt-dlp info (from its watch page) as a post."""
    record = video_record(info)
    if record.url is None:
        record.url = f"{CANONICAL}/watch?v={record.platform_post_id}"
        record.media[0].source_url = record.url
    return record


class YouTubeCollector(YtDlpCollector):
    """A YouTube channel: its `[video] youtube_tabs`, newest first, each video read in full."""

    spec: ClassVar[PlatformSpec] = YOUTUBE

    def fetch_profile(self, account: AccountRef) -> AccountProfile:
        url = channel_url(account)
        try:
            head, _entries = lazy_entries(self.ydl, f"{url}/videos")
            return map_youtube_channel(head)
        except CollectorError:
            raise
        except Exception as exc:
            raise self.mapped_error(exc, f"youtube {url}", account=True) from exc

    def list_posts(self, account: AccountRef, since: datetime, limit: int) -> Iterator[PostRecord]:
        url = channel_url(account)
        errors = ListingErrors(f"youtube {url}")
        records: list[PostRecord] = []
        for tab in self.video.youtube_tabs:
            records.extend(self._tab(f"{url}/{tab}", since, limit, errors))
        yield from newest_first(records, since, limit)
        errors.raise_if_any()

    def _tab(
        self, url: str, since: datetime, limit: int, errors: ListingErrors
    ) -> list[PostRecord]:
        records: list[PostRecord] = []
        older = 0
        try:
            _head, entries = lazy_entries(self.ydl, url)
            for entry in entries:
                video_id = as_str(entry.get("id"))
                video_url = as_str(entry.get("url")) or (
                    f"{CANONICAL}/watch?v={video_id}" if video_id else None
                )
                if entry.get("live_status") in _SKIPPED_LIVE or video_url is None:
                    continue
                rough = published_at(entry)
                if rough is not None and rough < since - APPROXIMATE_DATE_SLACK:
                    record = None
                else:
                    record = self.read_video(video_url, map_youtube_entry, errors)
                if record is not None and record.published_at >= since:
                    older = 0
                    records.append(record)
                    if len(records) >= limit:
                        break
                elif record is not None or rough is not None:
                    older += 1
                    if older >= PINNED_TOLERANCE:
                        break
        except CollectorError:
            raise
        except Exception as exc:
            if _tab_missing(exc):
                log.info("%s: the channel has no such tab (%s)", url, error_message(exc))
                return records
            raise self.mapped_error(exc, f"youtube {url}", account=True) from exc
        return records


def _tab_missing(exc: BaseException) -> bool:
    """An extractor's expected error with no HTTP or network cause, listing one tab of a
    channel whose profile was read this pass: the channel has no such tab (shorts, streams).
    Decided by types, not yt-dlp's wording; a gone or private channel fails the profile."""
    chain = causes(exc)
    return (
        any(isinstance(c, ExtractorError) and c.expected for c in chain)
        and http_status(exc) is None
        and not any(isinstance(c, RequestError) for c in chain)
    )
