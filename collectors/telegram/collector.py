"""Telegram collector: public channels through the t.me web preview or, with a session, Telethon."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Protocol

from collectors.base import Collector
from collectors.errors import (
    AccountUnavailable,
    CollectorError,
    FetchError,
    HandleReassigned,
    LoginRequired,
    ParseError,
    RateLimited,
)
from collectors.http import PoliteClient, RetryPolicy
from collectors.platform import PlatformSpec
from collectors.records import (
    AccountProfile,
    AccountRef,
    CommentThread,
    PostRecord,
    RawCapture,
    SkippedItem,
    now_utc,
    utc,
)
from collectors.telegram.identity import TELEGRAM, current_channel_name
from collectors.telegram.session import session_file
from collectors.telegram.web import ChannelPage, parse_channel_page, parse_profile_page
from collectors.telegram.web_comments import discussion_params, parse_discussion_page

# The most comments one discussion widget page is asked for (the web reads no further page).
WEB_COMMENTS_LIMIT = 100

if TYPE_CHECKING:
    from collectors.telegram.settings import TelegramConfig, TelegramSettings

log = logging.getLogger(__name__)


PUBLIC_BASE = "https://t.me"
FIRST_PAGE_TTL_SECONDS = 300.0


class TelegramBackend(Protocol):
    """What both backends offer; the collector hands each call to the chosen one."""

    skipped: list[SkippedItem]  # posts a listing could not read, skipped alone
    counts_comments: bool  # whether listed posts say how many comments they have

    def fetch_profile(self, account: AccountRef) -> AccountProfile: ...

    def list_posts(
        self, account: AccountRef, since: datetime, limit: int
    ) -> Iterator[PostRecord]: ...

    def fetch_posts(self, account: AccountRef, ids: list[str]) -> dict[str, PostRecord | None]: ...

    def fetch_comments(self, account: AccountRef, post_id: str, limit: int) -> CommentThread: ...

    def close(self) -> None: ...


def choose_backend(settings: TelegramSettings) -> str:
    """`web` or `telethon`; `auto` takes Telethon when api_id, api hash and a session exist."""
    chosen = settings.section.backend
    if chosen != "auto":
        return chosen
    if (
        settings.section.api_id is not None
        and settings.api_hash is not None
        and session_file(settings.session_path).is_file()
    ):
        return "telethon"
    return "web"


class TelegramCollector(Collector):
    """Public Telegram channels: profile with the exact subscriber count, posts newest first."""

    spec: ClassVar[PlatformSpec] = TELEGRAM

    def __init__(
        self, settings: TelegramSettings, *, backend: TelegramBackend | None = None
    ) -> None:
        super().__init__(settings)
        if backend is None:
            if choose_backend(settings) == "telethon":
                from collectors.telegram.telethon_backend import TelethonBackend

                backend = TelethonBackend.from_settings(settings)
            else:
                backend = WebBackend(settings.section)
        self.backend = backend

    def fetch_profile(self, account: AccountRef) -> AccountProfile:
        return self.backend.fetch_profile(account)

    def list_posts(self, account: AccountRef, since: datetime, limit: int) -> Iterator[PostRecord]:
        return self.backend.list_posts(account, since, limit)

    def fetch_posts(self, account: AccountRef, ids: list[str]) -> dict[str, PostRecord | None]:
        """Re-read these posts by id; None for each one that is gone (deleted)."""
        return self.backend.fetch_posts(account, ids)

    @property
    def counts_comments(self) -> bool:
        return self.backend.counts_comments

    def fetch_comments(self, account: AccountRef, post_id: str, limit: int) -> CommentThread:
        """The newest `limit` comments of one post (its discussion group's replies)."""
        return self.backend.fetch_comments(account, post_id, limit)

    def take_skipped(self) -> list[SkippedItem]:
        taken = list(self.backend.skipped)
        self.backend.skipped.clear()
        return taken

    def close(self) -> None:
        self.backend.close()


class WebBackend:
    """The public web preview: t.me/<channel> for the profile, t.me/s/<channel> for posts."""

    def __init__(self, config: TelegramConfig, http: PoliteClient | None = None) -> None:
        self.base_url = config.base_url.rstrip("/")
        self.http = http or PoliteClient(
            user_agent=config.user_agent,
            timeout_seconds=config.timeout_seconds,
            requests_per_second=config.requests_per_second,
            retry=RetryPolicy(
                max_retries=config.max_retries,
                backoff_seconds=config.backoff_seconds,
                max_backoff_seconds=config.max_backoff_seconds,
            ),
        )
        self.skipped: list[SkippedItem] = []
        # The first t.me/s page read for a profile (or why it failed), handed to the listing
        # that follows it so the page is fetched, and a broken one retried, once per pass.
        self._first_pages: dict[str, tuple[float, ChannelPage | CollectorError]] = {}

    def _get(self, path: str, params: dict[str, str] | None = None) -> str:
        return self._fetch(path, params)[0]

    def _fetch(self, path: str, params: dict[str, str] | None = None) -> tuple[str, RawCapture]:
        """The page's text and its capture (the exact bytes, status and headers)."""
        url = f"{self.base_url}{path}"
        response = self.http.get(url, params=params)
        if response.status_code != 200:
            raise FetchError(
                f"GET {response.url}: HTTP {response.status_code} (check telegram.base_url)"
            )
        capture = RawCapture(
            url=str(response.url),
            fetched_at=now_utc(),
            content=response.content,
            status=response.status_code,
            headers=tuple(response.headers.items()),
            content_type=response.headers.get("content-type"),
        )
        return response.text, capture

    def _channel_page(self, name: str, before: int | None) -> ChannelPage:
        cached = self._first_pages.pop(name.lower(), None) if before is None else None
        if cached and time.monotonic() - cached[0] < FIRST_PAGE_TTL_SECONDS:
            if isinstance(cached[1], CollectorError):
                raise cached[1]
            return cached[1]
        params = {"before": str(before)} if before is not None else None
        html, capture = self._fetch(f"/s/{name}", params)
        page = parse_channel_page(html)
        for record in page.posts:  # twenty posts, one response: the capture is shared
            record.capture = capture
        return page

    def fetch_profile(self, account: AccountRef) -> AccountProfile:
        name = current_channel_name(account)
        profile = parse_profile_page(self._get(f"/{name}"))
        try:
            page = self._channel_page(name, None)
        except (AccountUnavailable, RateLimited):
            raise
        except (FetchError, LoginRequired, ParseError) as exc:
            # The profile stands without the preview; the listing reports the problem.
            log.info("t.me/s/%s: %s; profile without the preview's details", name, exc)
            self._first_pages[name.lower()] = (time.monotonic(), exc)
        else:
            self._first_pages[name.lower()] = (time.monotonic(), page)
            _merge_preview(profile, page.channel)
        profile.handle = profile.handle or name
        profile.url = f"{PUBLIC_BASE}/{profile.handle}"
        _check_same_channel(account, name, profile)
        return profile

    def list_posts(self, account: AccountRef, since: datetime, limit: int) -> Iterator[PostRecord]:
        name = current_channel_name(account)
        since = utc(since)
        if limit <= 0:
            return
        for count, record in enumerate(self._walk(name, None), start=1):
            if record.published_at < since:
                return
            yield record
            if count >= limit:  # stop before fetching a page we would not use
                return

    def fetch_posts(self, account: AccountRef, ids: list[str]) -> dict[str, PostRecord | None]:
        wanted = {int(i) for i in ids}
        found: dict[str, PostRecord | None] = {str(i): None for i in sorted(wanted)}
        if not wanted:
            return found
        for record in self._walk(current_channel_name(account), max(wanted) + 1):
            post_id = int(record.platform_post_id)
            if post_id < min(wanted):
                break
            if post_id in wanted:
                found[record.platform_post_id] = record
        return found

    counts_comments = False  # t.me/s shows no comment counts

    def fetch_comments(self, account: AccountRef, post_id: str, limit: int) -> CommentThread:
        """The newest comments of one post from the public discussion widget (no login), at
        most `WEB_COMMENTS_LIMIT`: older ones are not read, so the thread is then incomplete."""
        name = current_channel_name(account)
        wanted = min(limit, WEB_COMMENTS_LIMIT)
        html = self._get(f"/{name}/{int(post_id)}", discussion_params(wanted))
        thread = parse_discussion_page(html, name, post_id)
        if len(thread.comments) > wanted:
            del thread.comments[wanted:]
            thread.complete = False
        return thread

    def _walk(self, name: str, before: int | None) -> Iterator[PostRecord]:
        """Posts newest first, page by page back through `?before=`."""
        while True:
            page = self._channel_page(name, before)
            posts = sorted(page.posts, key=lambda p: int(p.platform_post_id), reverse=True)
            self.skipped += [
                item
                for item in page.skipped
                if before is None
                or item.platform_post_id is None
                or int(item.platform_post_id) < before
            ]
            ids = [int(p.platform_post_id) for p in posts]
            ids += [int(i.platform_post_id) for i in page.skipped if i.platform_post_id]
            for record in posts:
                if before is None or int(record.platform_post_id) < before:
                    yield record
            if not ids and page.skipped:
                raise ParseError(f"t.me/s/{name}: no message on the page could be read")
            if not ids or page.before is None:
                return
            older = min(page.before, min(ids))
            if before is not None and older >= before:
                raise ParseError(f"t.me/s/{name}?before={before}: the page did not go back in time")
            before = older

    def close(self) -> None:
        self._first_pages.clear()
        self.http.close()


def _check_same_channel(account: AccountRef, name: str, profile: AccountProfile) -> None:
    """The page at this username shows another channel than the one stored (its id, from the
    preview's messages, differs): the channel was renamed and someone took its old username.
    Raised before any post is read, so none of the other channel's posts is filed here."""
    if account.platform_id and profile.platform_id and profile.platform_id != account.platform_id:
        raise HandleReassigned("t.me", name, account.platform_id, profile.platform_id)


def _merge_preview(profile: AccountProfile, preview: AccountProfile) -> None:
    """Fill what t.me/<channel> lacks from the t.me/s header (id, approximate count…)."""
    profile.platform_id = profile.platform_id or preview.platform_id
    if profile.followers is None and preview.followers is not None:
        profile.followers, profile.is_approximate = preview.followers, preview.is_approximate
    profile.display_name = profile.display_name or preview.display_name
    profile.description = profile.description or preview.description
    profile.avatar_url = profile.avatar_url or preview.avatar_url
    profile.handle = preview.handle or profile.handle
    raw = dict(profile.raw or {})
    raw["counters"] = (preview.raw or {}).get("counters", {})
    profile.raw = raw
