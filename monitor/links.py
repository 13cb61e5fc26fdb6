"""Links that open a post's video at a given second, where the platform supports it."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from collectors.registry import SPECS


def video_link_at(url: str | None, platform: str, seconds: float | None) -> str | None:
    """`url` with a start time of `seconds` (whole seconds) where `platform` supports one.

    Each platform's spec says how (`PlatformSpec.start_time`); TikTok links have none.
    """
    if not url:
        return None
    spec = SPECS.get(platform)
    if spec is None or seconds is None:
        return url
    param = spec.start_time(url, max(0, int(seconds)))
    if param is None:
        return url
    key, value = param
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != key]
    query.append((key, value))
    return urlunsplit(parts._replace(query=urlencode(query)))
