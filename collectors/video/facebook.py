"""Facebook pages: videos and reels from the page's tabs and config, each read through yt-dlp."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from collectors.errors import AccountUnavailable, CollectorError, FetchError, LoginRequired
from collectors.platform import PlatformSpec
from collectors.records import AccountProfile, AccountRef, PostRecord
from collectors.video.base import ListingErrors, YtDlpCollector, newest_first
from collectors.video.facebook_pages import (
    VideoLink,
    page_location,
    page_slug,
    parse_facebook_page,
    parse_video_links,
    tab_url,
    video_id_from_url,
)
from collectors.video.identity import FACEBOOK
from collectors.video.info import PINNED_TOLERANCE, as_str, parse_count, video_record
from collectors.video.ytdlp import Page, fetch_page
from collectors.video.ytdlp_errors import login_hint

log = logging.getLogger("polmon.collectors.video.facebook")
TABS = ("videos", "reels")
# yt-dlp titles reels "119 reactions · 1.4K shares | Name on Reels" when there is no caption.
_COUNTS_TITLE = re.compile(
    r"^(?:(?P<reactions>[\d.,]+\s*[KMB]?) reactions?)?\s*(?:·\s*)?"
    r"(?:(?P<shares>[\d.,]+\s*[KMB]?) shares?)?\s*\|",
    re.I,
)
_PLACEHOLDER_TITLE = re.compile(r"^Facebook video #\d+$")


def map_facebook_video(info: dict[str, Any], video_id: str | None = None) -> PostRecord:
    """One video's yt-dlp info as a post; `video_id` (from the link) wins over the info's id."""
    record = video_record(info, post_id=video_id)
    title = as_str(info.get("title"))
    counts = _COUNTS_TITLE.match(title or "")
    if counts and (counts.group("reactions") or counts.group("shares")):
        if record.likes is None:
            record.likes = parse_count(counts.group("reactions"))[0]
        if record.shares is None:
            record.shares = parse_count(counts.group("shares"))[0]
        record.title = None
    elif title and _PLACEHOLDER_TITLE.match(title):
        record.title = None
    return record


class FacebookCollector(YtDlpCollector):
    """A Facebook page URL: its public videos/reels tabs plus `video_urls` from config."""

    spec: ClassVar[PlatformSpec] = FACEBOOK

    def page_url(self, account: AccountRef) -> str:
        """The page on `[video] facebook_base_url` (the path of the configured URL)."""
        raw = (account.url or account.handle or "").strip()
        if not raw:
            raise CollectorError("facebook account without url", expected=True)
        return page_location(raw, self.video.facebook_base_url)

    def _page(self, url: str, subject: str) -> Page:
        page = fetch_page(self.ydl, url, subject=subject)
        if page.status >= 400 and page.status not in (404, 410):
            raise FetchError(f"{subject}: HTTP {page.status} for {url}")
        return page

    def fetch_profile(self, account: AccountRef) -> AccountProfile:
        url = self.page_url(account)
        subject = f"facebook {url}"
        page = self._page(url, subject)
        if page.status in (404, 410):
            raise AccountUnavailable(
                f"{subject}: no such page (HTTP {page.status})", status="deleted"
            )
        try:
            profile = parse_facebook_page(page.text)
        except LoginRequired:
            raise LoginRequired(f"{subject}: login wall; {login_hint(self.settings)}") from None
        except AccountUnavailable as exc:
            raise AccountUnavailable(f"{subject}: {exc}", status=exc.status) from None
        profile.url = profile.url or account.url
        return profile

    def list_posts(self, account: AccountRef, since: datetime, limit: int) -> Iterator[PostRecord]:
        url = self.page_url(account)
        subject = f"facebook {url}"
        errors = ListingErrors(subject)
        records: list[PostRecord] = []
        seen: set[str] = set()
        tab_error: CollectorError | None = None
        for tab in TABS:
            links, error = self._tab_links(url, tab, subject, account.platform_id)
            tab_error = tab_error or error
            fresh = [link for link in links if link.video_id not in seen]
            seen.update(link.video_id for link in links)
            records.extend(self._read_newest(fresh, since, limit, errors))
        for extra in account.extra_urls:
            video_id = video_id_from_url(extra)
            if video_id in seen:
                continue
            record = self.read_video(extra, partial(map_facebook_video, video_id=video_id), errors)
            if record is not None:
                records.append(record)
        yield from newest_first(records, since, limit)
        if tab_error is not None:
            raise tab_error
        errors.raise_if_any()

    def _tab_links(
        self, url: str, tab: str, subject: str, page_id: str | None
    ) -> tuple[list[VideoLink], CollectorError | None]:
        """Links on one tab; a tab behind a login wall is an error raised after the listing."""
        page = self._page(tab_url(url, tab), subject)
        if page.status in (404, 410):
            return [], None
        owners = [name for name in (page_slug(url), page_id) if name]
        links = parse_video_links(page.text, self.video.facebook_base_url, owners)
        if not links and 'id="login_form"' in page.text:
            return [], LoginRequired(
                f"{subject}: the {tab} tab needs a login; {login_hint(self.settings)}"
            )
        return links, None

    def _read_newest(
        self, links: list[VideoLink], since: datetime, limit: int, errors: ListingErrors
    ) -> list[PostRecord]:
        """Read one tab's videos in page order (newest first) until a few in a row are old."""
        records: list[PostRecord] = []
        older = 0
        for link in links:
            mapper = partial(map_facebook_video, video_id=link.video_id)
            record = self.read_video(link.url, mapper, errors)
            if record is None:
                continue
            if record.published_at < since:
                older += 1
                if older >= PINNED_TOLERANCE:
                    break
                continue
            older = 0
            records.append(record)
            if len(records) >= limit:
                break
        return records
