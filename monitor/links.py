"""Links that open a post's video at a given second, where the platform supports it."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Platforms whose video pages honour a start-time query parameter, and how it is written.
# TikTok has none: its links open the video at the start.
_TIME_PARAM = {
    "youtube": lambda s: ("t", f"{s}s"),  # youtube.com/watch?v=…&t=42s, youtu.be/…?t=42s
    "telegram": lambda s: ("t", str(s)),  # t.me/channel/123?t=42 (media timestamp links)
    "facebook": lambda s: ("t", str(s)),  # facebook.com/…/videos/…?t=42, /watch/?v=…&t=42
}


def video_link_at(url: str | None, platform: str, seconds: float | None) -> str | None:
    """`url` with a start time of `seconds` (whole seconds) where `platform` supports one."""
    if not url:
        return None
    param = _TIME_PARAM.get(platform)
    if param is None or seconds is None:
        return url
    if platform == "facebook" and "/videos/" not in url and "/watch" not in url:
        return url  # reels and photo posts ignore a start time
    key, value = param(max(0, int(seconds)))
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != key]
    query.append((key, value))
    return urlunsplit(parts._replace(query=urlencode(query)))
