"""TikTok's, YouTube's and Facebook's identity: handles and page URLs, timestamp links."""

from __future__ import annotations

import re

from collectors.platform import InvalidAccount, PlatformSpec, bare_url

_TIKTOK = re.compile(
    r"(?:(?:https?://)?(?:www\.|m\.)?tiktok\.com/)?@?(?P<name>[\w.\-]+)/?(?:[?#].*)?",
    re.IGNORECASE,
)
_YOUTUBE_HANDLE_URL = re.compile(r"^(?:https?://)?(?:www\.|m\.)?youtube\.com/(@[\w.\-]+)")


def tiktok_username(raw: str) -> str:
    """The bare username (lower-cased, no @) from `@name`, `name` or a profile URL."""
    text = raw.strip()
    match = _TIKTOK.fullmatch(text)
    if match is None:
        raise InvalidAccount(f"tiktok account {text!r} is not a TikTok @handle or profile URL")
    return match.group("name").lower()


def tiktok_key(raw: str) -> str:
    """The account key: `@handle`, lower-cased."""
    return "@" + tiktok_username(raw)


def youtube_key(raw: str) -> str:
    """The account key: `@handle` when there is one, else the channel URL."""
    match = _YOUTUBE_HANDLE_URL.match(raw)
    if match:
        return match.group(1).lower()
    if raw.startswith("@"):
        return raw.lower()
    return bare_url(raw)


def youtube_start_time(url: str, seconds: int) -> tuple[str, str] | None:
    return ("t", f"{seconds}s")  # youtube.com/watch?v=…&t=42s, youtu.be/…?t=42s


def facebook_start_time(url: str, seconds: int) -> tuple[str, str] | None:
    if "/videos/" not in url and "/watch" not in url:
        return None  # reels and photo posts ignore a start time
    return ("t", str(seconds))  # facebook.com/…/videos/…?t=42, /watch/?v=…&t=42


# TikTok links have no start time: they open the video at the start.
TIKTOK = PlatformSpec(
    name="tiktok",
    hosts=("tiktok.com",),
    parse_account=tiktok_key,
    collector="collectors.video.tiktok:TikTokCollector",
    settings_section="video",
)
FACEBOOK = PlatformSpec(
    name="facebook",
    hosts=("facebook.com", "fb.com", "fb.watch"),
    parse_account=bare_url,  # the page URL without scheme, query or trailing slash
    collector="collectors.video.facebook:FacebookCollector",
    settings_section="video",
    start_time=facebook_start_time,
)
YOUTUBE = PlatformSpec(
    name="youtube",
    hosts=("youtube.com", "youtu.be"),
    parse_account=youtube_key,
    collector="collectors.video.youtube:YouTubeCollector",
    settings_section="video",
    start_time=youtube_start_time,
)
