"""TikTok accounts: videos through yt-dlp's user listing, audience counts from the profile page."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

import lxml.etree
import lxml.html

from collectors.errors import AccountUnavailable, CollectorError, FetchError, ParseError
from collectors.platform import InvalidAccount, PlatformSpec
from collectors.records import AccountProfile, AccountRef, PostRecord
from collectors.video.base import YtDlpCollector
from collectors.video.identity import TIKTOK, tiktok_username
from collectors.video.info import as_int, as_str, extra_counts, video_record, within_window
from collectors.video.settings import VideoSettings
from collectors.video.ytdlp import fetch_page, lazy_entries

log = logging.getLogger("polmon.collectors.video.tiktok")
CANONICAL = "https://www.tiktok.com"
_SIGI_ASSIGN = re.compile(
    r"window\[['\"]SIGI_STATE['\"]\]\s*=\s*(\{.*?\});\s*(?:window|</script>)", re.S
)
# user-detail statusCode values: the account does not exist / was banned / is private.
_GONE = {10202: "does not exist", 10221: "was banned"}
_PRIVATE = 10222


def tiktok_handle(account: AccountRef) -> str:
    """The bare username (no @) from the account's handle or URL."""
    try:
        return tiktok_username(account.handle or account.url or "")
    except InvalidAccount as exc:
        raise CollectorError(str(exc), expected=True) from None


def _script_json(html: str, script_id: str) -> Any:
    doc = lxml.html.fromstring(html)
    for script in doc.xpath(f'//script[@id="{script_id}"]'):
        text = script.text_content().strip()
        if text:
            return json.loads(text)
    return None


def _user_and_stats(html: str) -> tuple[dict[str, Any], dict[str, Any], int]:
    """(user, stats, statusCode) from the rehydration JSON, or from the older SIGI_STATE."""
    universal = _script_json(html, "__UNIVERSAL_DATA_FOR_REHYDRATION__")
    if isinstance(universal, dict):
        detail = (universal.get("__DEFAULT_SCOPE__") or {}).get("webapp.user-detail")
        if isinstance(detail, dict):
            info = detail.get("userInfo") or {}
            stats = dict(info.get("stats") or {})
            for key, value in (info.get("statsV2") or {}).items():  # strings: no int32 overflow
                if as_int(value) is not None:
                    stats[key] = value
            return info.get("user") or {}, stats, as_int(detail.get("statusCode")) or 0
    sigi = _script_json(html, "SIGI_STATE")
    if sigi is None and (match := _SIGI_ASSIGN.search(html)):
        sigi = json.loads(match.group(1))
    if isinstance(sigi, dict) and isinstance(sigi.get("UserModule"), dict):
        module = sigi["UserModule"]
        users = module.get("users") or {}
        if users:
            name, user = next(iter(users.items()))
            return user, (module.get("stats") or {}).get(name) or {}, 0
        status = as_int((sigi.get("UserPage") or {}).get("statusCode")) or 0
        return {}, {}, status
    raise ParseError(
        "no embedded user JSON in the TikTok profile page (a bot check or changed markup?)"
    )


def parse_tiktok_profile(html: str) -> AccountProfile:
    """Profile and audience counts from a TikTok profile page's embedded user JSON."""
    try:
        user, stats, status = _user_and_stats(html)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ParseError(f"TikTok profile page: malformed embedded JSON ({exc})") from None
    if status in _GONE:
        raise AccountUnavailable(f"the TikTok account {_GONE[status]}", status="deleted")
    if status == _PRIVATE or user.get("privateAccount") is True:
        raise AccountUnavailable("the TikTok account is private", status="private")
    if status:
        raise AccountUnavailable(f"TikTok shows no account (statusCode {status})")
    handle = as_str(user.get("uniqueId"))
    if not user or not handle:
        raise ParseError("TikTok profile page without the user's id")
    return AccountProfile(
        platform_id=as_str(user.get("id")),
        handle="@" + handle.lower(),
        url=f"{CANONICAL}/@{handle}",
        display_name=as_str(user.get("nickname")),
        description=as_str(user.get("signature")),
        avatar_url=as_str(user.get("avatarLarger")) or as_str(user.get("avatarMedium")),
        followers=as_int(stats.get("followerCount")),
        following=as_int(stats.get("followingCount")),
        likes=as_int(stats.get("heartCount")) or as_int(stats.get("heart")),
        posts_count=as_int(stats.get("videoCount")),
        raw={"user": user, "stats": stats},
    )


def map_tiktok_entry(entry: dict[str, Any]) -> PostRecord:
    """One video of yt-dlp's flat TikTok user listing (or a full video info) as a post."""
    video_id = as_str(entry.get("id"))
    uploader = as_str(entry.get("uploader"))
    url = as_str(entry.get("webpage_url"))
    if url is None and video_id:
        listed = as_str(entry.get("url"))
        url = listed if listed and "/video/" in listed else None
        if url is None and uploader:
            url = f"{CANONICAL}/@{uploader}/video/{video_id}"
    record = video_record(entry, url=url)
    record.reactions = extra_counts(entry, ("save",))
    return record


class TikTokCollector(YtDlpCollector):
    """A TikTok @handle: listing with yt-dlp's user extractor, counts from the profile page."""

    spec: ClassVar[PlatformSpec] = TIKTOK

    def __init__(self, settings: VideoSettings) -> None:
        super().__init__(settings)
        # Videos each profile says it has, read this pass: a listing of an account with none
        # is not asked for (yt-dlp would fail on it, with only its wording to tell why).
        self._video_counts: dict[str, int | None] = {}

    def fetch_profile(self, account: AccountRef) -> AccountProfile:
        handle = tiktok_handle(account)
        base = self.video.tiktok_base_url.rstrip("/")
        subject = f"tiktok @{handle}"
        page = fetch_page(self.ydl, f"{base}/@{handle}", subject=subject)
        if page.status in (404, 410):
            raise AccountUnavailable(
                f"{subject}: no such account (HTTP {page.status})", status="deleted"
            )
        if page.status >= 400:
            raise FetchError(f"{subject}: HTTP {page.status} for the profile page")
        try:
            profile = parse_tiktok_profile(page.text)
        except CollectorError as exc:
            raise type(exc)(f"{subject}: {exc}", **_kwargs(exc)) from None
        self._video_counts[handle.lower()] = profile.posts_count
        return profile

    def list_posts(self, account: AccountRef, since: datetime, limit: int) -> Iterator[PostRecord]:
        handle = tiktok_handle(account)
        subject = f"tiktok @{handle}"
        if self._video_counts.get(handle.lower()) == 0:
            log.info("%s: the profile shows no videos; nothing to list", subject)
            return
        try:
            _head, entries = lazy_entries(self.ydl, f"{CANONICAL}/@{handle}")
            yield from within_window(self._records(entries, subject), since, limit)
        except CollectorError:
            raise
        except Exception as exc:
            raise self.mapped_error(exc, subject, account=True) from exc

    @staticmethod
    def _records(entries: Iterator[dict[str, Any]], subject: str) -> Iterator[PostRecord]:
        for entry in entries:
            try:
                yield map_tiktok_entry(entry)
            except ParseError as exc:
                log.warning("%s: listing entry skipped: %s", subject, exc)


def _kwargs(exc: CollectorError) -> dict[str, Any]:
    return {"status": exc.status} if isinstance(exc, AccountUnavailable) else {}
